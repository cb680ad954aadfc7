import assert from 'node:assert/strict';
import { after, before, beforeEach, test } from 'node:test';
import { aUser } from '../testing/access-fixtures.ts';
import { runAgainst } from '../testing/cli-harness.ts';
import { problem, startFakeApi, type FakeApi } from '../testing/fake-api.ts';

let api: FakeApi;
before(async () => {
  api = await startFakeApi();
});
after(() => api.close());
beforeEach(() => {
  api.requests.length = 0;
});

test('users (list) prints a table', async () => {
  api.on('GET /api/v1/users', { body: { items: [aUser(), aUser({ username: 'ci-bot', displayName: 'CI', kind: 'service', roles: ['user'], disabled: true })], nextCursor: null } });
  for (const args of [['users'], ['users', 'list']]) {
    const run = await runAgainst(api.url, args);
    assert.equal(run.code, 0, run.stderr);
    assert.match(run.stdout, /^USERNAME +NAME +ROLES +KIND +STATE$/m);
    assert.match(run.stdout, /^alice +Alice Example +user +person +active$/m);
    assert.match(run.stdout, /^ci-bot +CI +user +service +disabled$/m);
  }
});

test('users add sends the fields and prints the one-time password once', async () => {
  api.on('POST /api/v1/users', { status: 201, body: { user: aUser({ username: 'bob', roles: ['auditor', 'user'] }), oneTimePassword: 'otp-Xy12' } });
  const run = await runAgainst(api.url, ['users', 'add', 'bob', '--name', 'Bob B', '--email', 'bob@example.com', '--role', 'auditor']);
  assert.equal(run.code, 0, run.stderr);
  assert.deepEqual(api.requests[0]?.body, { username: 'bob', displayName: 'Bob B', email: 'bob@example.com', roles: ['auditor'] });
  assert.equal(run.stdout.split('otp-Xy12').length, 2);
  assert.match(run.stdout, /One-time password for bob \(shown only now/);
});

test('users add --password-stdin sends that password and no one-time password is shown', async () => {
  api.on('POST /api/v1/users', { status: 201, body: { user: aUser({ username: 'svc', kind: 'service' }), oneTimePassword: null } });
  const run = await runAgainst(api.url, ['users', 'add', 'svc', '--service', '--password-stdin'], { stdin: 'initial pw\n' });
  assert.equal(run.code, 0, run.stderr);
  assert.deepEqual(api.requests[0]?.body, { username: 'svc', kind: 'service', password: 'initial pw' });
  assert.doesNotMatch(run.stdout, /One-time/);
  assert.ok(!run.stdout.includes('initial pw'));
});

test('an unknown role is refused before sending', async () => {
  const run = await runAgainst(api.url, ['users', 'add', 'bob', '--role', 'root']);
  assert.equal(run.code, 64);
  assert.match(run.stderr, /--role "root" is not one of: admin, auditor, user/);
  assert.equal(api.requests.length, 0);
});

test('show, set-roles, disable and enable address the user by name', async () => {
  api.on('GET /api/v1/users/alice', { body: aUser() });
  api.on('PATCH /api/v1/users/alice', (request) => ({ body: aUser({ roles: (request.body as { roles?: string[] }).roles ?? ['user'], disabled: (request.body as { disabled?: boolean }).disabled ?? false }) }));
  const show = await runAgainst(api.url, ['users', 'show', 'alice']);
  assert.match(show.stdout, /^email: +alice@example\.com$/m);
  const roles = await runAgainst(api.url, ['users', 'set-roles', 'alice', 'admin', 'user']);
  assert.equal(roles.stdout, 'alice now has roles: admin, user.\n');
  const disable = await runAgainst(api.url, ['users', 'disable', 'alice']);
  assert.equal(disable.stdout, 'alice is disabled.\n');
  const enable = await runAgainst(api.url, ['users', 'enable', 'alice']);
  assert.equal(enable.stdout, 'alice is enabled.\n');
  assert.deepEqual(api.requests.slice(1).map((r) => [r.method, r.body]), [
    ['PATCH', { roles: ['admin', 'user'] }],
    ['PATCH', { disabled: true }],
    ['PATCH', { disabled: false }],
  ]);
});

test('reset-password prints the one-time password; a missing user exits 66', async () => {
  api.on('POST /api/v1/users/bob/password-reset', { body: { oneTimePassword: 'otp-reset' } });
  const run = await runAgainst(api.url, ['users', 'reset-password', 'bob']);
  assert.equal(run.code, 0, run.stderr);
  assert.match(run.stdout, /\n {2}otp-reset\n/);
  api.on('GET /api/v1/users/nobody', problem(404, 'not_found', 'there is no user "nobody"'));
  const missing = await runAgainst(api.url, ['users', 'show', 'nobody']);
  assert.equal(missing.code, 66);
  assert.equal(missing.stderr, 'writ: there is no user "nobody"\n');
});
