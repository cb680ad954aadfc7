import assert from 'node:assert/strict';
import { test } from 'node:test';
import { isAppError } from '../shared/app-error.ts';
import { formatApiToken, parseApiToken, parseScopes, parseTokenName, scopesBeyondRoles, type ApiTokenId } from './api-token.ts';
import { newSecret } from './secret-tokens.ts';

const id = '0193f1e2-7c1a-7b3e-9f00-1c2d3e4f5a6b' as ApiTokenId;

test('token text round-trips: writ_<id hex>_<secret>', () => {
  const secret = newSecret();
  const text = formatApiToken(id, secret);
  assert.match(text, /^writ_0193f1e27c1a7b3e9f001c2d3e4f5a6b_[A-Za-z0-9_-]{43}$/);
  assert.deepEqual(parseApiToken(text), { id, secret });
});

test('secrets with "_" and "-" still parse (the id has a fixed length)', () => {
  const secret = '_-_-_-_-_-_-_-_-_-_-_-_-_-_-_-_-_-_-_-_-_-_';
  assert.deepEqual(parseApiToken(formatApiToken(id, secret)), { id, secret });
});

test('anything else is not a token', () => {
  for (const text of ['', 'writ_', 'Bearer x', `writ_${'g'.repeat(32)}_${'a'.repeat(43)}`, `writ_${'a'.repeat(32)}_${'a'.repeat(42)}`, `writ_${'a'.repeat(32)}_${'a'.repeat(44)}`, `xwrit_${'a'.repeat(32)}_${'a'.repeat(43)}`]) {
    assert.equal(parseApiToken(text), undefined, text);
  }
});

test('scopes come from a closed list, deduplicated, at least one', () => {
  assert.deepEqual(parseScopes(['requests:write', 'log:read', 'log:read']), ['log:read', 'requests:write']);
  assert.throws(() => parseScopes(['root']), (error) => isAppError(error, 'invalid_input') && /unknown scope "root"/.test(error.message));
  assert.throws(() => parseScopes([]), (error) => isAppError(error, 'invalid_input'));
});

test('some scopes need a role of the owner', () => {
  assert.deepEqual(scopesBeyondRoles(['admin', 'log:read', 'requests:write'], ['user']), ['admin', 'log:read']);
  assert.deepEqual(scopesBeyondRoles(['log:read'], ['auditor', 'user']), []);
  assert.deepEqual(scopesBeyondRoles(['admin', 'events:write', 'policy:write'], ['admin', 'user']), []);
});

test('token names are bounded and printable', () => {
  assert.equal(parseTokenName('  ci deploy '), 'ci deploy');
  assert.throws(() => parseTokenName(''), (error) => isAppError(error, 'invalid_input'));
  assert.throws(() => parseTokenName('a\nb'), (error) => isAppError(error, 'invalid_input'));
  assert.throws(() => parseTokenName('x'.repeat(129)), (error) => isAppError(error, 'invalid_input'));
});
