import assert from 'node:assert/strict';
import { test } from 'node:test';
import { createManualClock } from './clock.ts';
import { createUuidV7Generator, isUuid } from './ids.ts';

test('UUIDv7 carries version 7, the RFC variant and the clock time', () => {
  const clock = createManualClock(Date.UTC(2026, 10, 25));
  const id = createUuidV7Generator(clock).next();
  assert.ok(isUuid(id), id);
  assert.equal(id[14], '7');
  assert.ok('89ab'.includes(id[19] ?? ''), id);
  const ms = parseInt(id.slice(0, 8) + id.slice(9, 13), 16);
  assert.equal(ms, clock.nowMs());
});

test('UUIDv7 ids from one generator sort in creation order within one millisecond', () => {
  const ids = createUuidV7Generator(createManualClock(1_700_000_000_000));
  const made = Array.from({ length: 5000 }, () => ids.next());
  assert.deepEqual([...made].sort(), made);
  assert.equal(new Set(made).size, made.length);
});
