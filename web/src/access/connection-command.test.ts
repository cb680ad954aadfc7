// The copied connection command holds no secret and is safe to paste into a shell.
import { expect, test } from 'vitest';
import { connectionCommand } from './connection-command.ts';

test('names the resource and level; quotes anything unusual', () => {
  expect(connectionCommand({ resourceId: 'pg-dev', level: 'read-only' })).toBe('npx writ connect pg-dev --level read-only');
  expect(connectionCommand({ resourceId: "a b'c", level: 'rw' })).toBe("npx writ connect 'a b'\\''c' --level rw");
});
