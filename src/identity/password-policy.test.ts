import assert from 'node:assert/strict';
import { test } from 'node:test';
import { isAppError } from '../shared/app-error.ts';
import { checkPassword, defaultPasswordPolicy, generatePassword, requireAcceptablePassword } from './password-policy.ts';

test('a long, unusual password is accepted', () => {
  assert.deepEqual(checkPassword('correct horse battery staple', { username: 'alice' }), { kind: 'accepted' });
});

test('each problem is named, with the numbers the user needs', () => {
  assert.deepEqual(checkPassword('short', { username: 'alice' }), { kind: 'rejected', problems: ['the password must be at least 12 characters long (it has 5)'] });
  const verdict = checkPassword('aaaaaaaaaaaaa', { username: 'aaa' });
  assert.deepEqual(verdict, { kind: 'rejected', problems: ['the password must not contain the username', 'the password must not repeat a single character'] });
  assert.equal(checkPassword('Password1234', { username: 'bob' }).kind, 'rejected');
  assert.equal(checkPassword('x'.repeat(200) + 'y'.repeat(57), { username: 'bob' }).kind, 'rejected');
});

test('length counts Unicode code points, not UTF-16 units', () => {
  assert.equal(checkPassword('🔑'.repeat(11) + 'x', { username: 'bob' }).kind, 'accepted');
  assert.equal(checkPassword('🔑'.repeat(6), { username: 'bob' }).kind, 'rejected');
});

test('requireAcceptablePassword throws invalid_input with every problem', () => {
  assert.throws(
    () => {
      requireAcceptablePassword(defaultPasswordPolicy, 'alice', 'alice');
    },
    (error) => isAppError(error, 'invalid_input') && /at least 12/.test(error.message) && /username/.test(error.message),
  );
});

test('generated passwords pass the policy and differ', () => {
  const a = generatePassword();
  assert.equal(a.length, 24);
  assert.notEqual(a, generatePassword());
  assert.deepEqual(checkPassword(a, { username: 'admin' }), { kind: 'accepted' });
});
