import assert from 'node:assert/strict';
import { test } from 'node:test';
import { isAppError } from '../shared/app-error.ts';
import { parseGroupName } from './group.ts';
import { normaliseRoles, parseEmail, parseRoles, parseUsername } from './user.ts';

test('usernames: 1–64 of [a-z0-9._-], upper case folded', () => {
  assert.equal(parseUsername('Alice.Smith'), 'alice.smith');
  assert.equal(parseUsername('a'.repeat(64)), 'a'.repeat(64));
  for (const bad of ['', 'a b', 'a'.repeat(65), 'ålice', 'al@ce']) {
    assert.throws(() => parseUsername(bad), (error) => isAppError(error, 'invalid_input'), bad);
  }
});

test('everyone is a user; roles are a closed list in a fixed order', () => {
  assert.deepEqual(normaliseRoles(['admin']), ['admin', 'user']);
  assert.deepEqual(parseRoles(['user', 'auditor', 'auditor']), ['auditor', 'user']);
  assert.throws(() => parseRoles(['approver']), (error) => isAppError(error, 'invalid_input') && /unknown role "approver"/.test(error.message));
});

test('e-mail addresses keep their local part and lower-case the domain', () => {
  assert.equal(parseEmail('Alice@Example.COM'), 'Alice@example.com');
  assert.throws(() => parseEmail('alice'), (error) => isAppError(error, 'invalid_input'));
});

test('group names are slugs', () => {
  assert.equal(parseGroupName('DB-Approvers'), 'db-approvers');
  assert.throws(() => parseGroupName('-x'), (error) => isAppError(error, 'invalid_input'));
  assert.throws(() => parseGroupName('a b'), (error) => isAppError(error, 'invalid_input'));
});
