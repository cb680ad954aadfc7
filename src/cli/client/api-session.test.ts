import assert from 'node:assert/strict';
import { test } from 'node:test';
import { DEFAULT_SERVER, normaliseServer, resolveServer } from './api-session.ts';

const stored = { server: 'http://writ.internal:7070', token: 't', tokenId: 'i', username: 'alice', expiresAt: null };

test('--server, then WRIT_SERVER, then the stored login, then the default', () => {
  assert.equal(resolveServer('https://a.example/', { WRIT_SERVER: 'http://b.example' }, stored), 'https://a.example');
  assert.equal(resolveServer(undefined, { WRIT_SERVER: 'http://b.example' }, stored), 'http://b.example');
  assert.equal(resolveServer(undefined, { WRIT_SERVER: '' }, stored), 'http://writ.internal:7070');
  assert.equal(resolveServer(undefined, {}, undefined), DEFAULT_SERVER);
});

test('server URLs are checked and written one way', () => {
  assert.equal(normaliseServer('http://127.0.0.1:7070///', '--server'), 'http://127.0.0.1:7070');
  assert.equal(normaliseServer('https://writ.example/base/', '--server'), 'https://writ.example/base');
  assert.throws(() => normaliseServer('127.0.0.1:7070', '--server'), /--server "127.0.0.1:7070" (is not a URL|must be an http)/);
  assert.throws(() => normaliseServer('ftp://x', 'WRIT_SERVER'), /WRIT_SERVER "ftp:\/\/x" must be an http/);
  assert.throws(() => normaliseServer('https://u:p@x', '--server'), /must not carry a user name/);
});
