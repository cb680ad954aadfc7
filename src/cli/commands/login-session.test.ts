import assert from 'node:assert/strict';
import { existsSync, readFileSync, statSync } from 'node:fs';
import { after, afterEach, before, beforeEach, test } from 'node:test';
import { writeCredentials } from '../client/credentials.ts';
import { aUser } from '../testing/access-fixtures.ts';
import { runCli, tempCredentials } from '../testing/cli-harness.ts';
import { problem, startFakeApi, type FakeApi } from '../testing/fake-api.ts';
import { createFakeTerminal } from '../testing/fake-terminal.ts';

const TOKEN = 'writ_0123456789abcdef0123456789abcdef_secretsecretsecretsecretsecretsecretsecret';
const tokenAnswer = { token: TOKEN, tokenId: 'tok-1', expiresAt: '2026-11-26T02:00:00.000Z', user: aUser({ roles: ['admin', 'user'] }) };

let api: FakeApi;
let creds: ReturnType<typeof tempCredentials>;
before(async () => {
  api = await startFakeApi();
});
after(() => api.close());
beforeEach(() => {
  api.requests.length = 0;
  creds = tempCredentials();
});
afterEach(() => { creds.remove(); });

test('login sends the password once, stores the token with mode 0600 and never prints either', async () => {
  api.on('POST /api/v1/auth/cli-token', { body: tokenAnswer });
  const run = await runCli(['--server', api.url, 'login', '--username', 'alice', '--password-stdin'], { env: creds.env, stdin: 'correct horse\n' });
  assert.equal(run.code, 0, run.stderr);
  const [sent] = api.requests;
  assert.equal(sent?.method, 'POST');
  assert.equal(sent.authorization, undefined);
  const body = sent.body as Record<string, unknown>;
  assert.equal(body.username, 'alice');
  assert.equal(body.password, 'correct horse');
  assert.match(String(body.name), /^writ CLI on /);
  assert.equal(statSync(creds.file).mode & 0o777, 0o600);
  assert.deepEqual(JSON.parse(readFileSync(creds.file, 'utf8')), { server: api.url, token: TOKEN, tokenId: 'tok-1', username: 'alice', expiresAt: tokenAnswer.expiresAt });
  assert.match(run.stdout, /Logged in to http:\/\/127\.0\.0\.1:\d+ as alice \(admin, user\); the token expires 2026-11-26T02:00:00Z \(in 12h\)/);
  for (const text of [run.stdout, run.stderr]) {
    assert.ok(!text.includes('correct horse'));
    assert.ok(!text.includes(TOKEN));
  }
});

test('login --json prints the answer without the token', async () => {
  api.on('POST /api/v1/auth/cli-token', { body: tokenAnswer });
  const run = await runCli(['--server', api.url, 'login', '--username', 'alice', '--password-stdin', '--json'], { env: creds.env, stdin: 'pw\n' });
  assert.equal(run.code, 0, run.stderr);
  const printed = JSON.parse(run.stdout) as Record<string, unknown>;
  assert.equal(printed.tokenId, 'tok-1');
  assert.equal(printed.server, api.url);
  assert.equal(printed.token, undefined);
  assert.ok(!run.stdout.includes(TOKEN));
});

test('login asks on the terminal without echo', async () => {
  api.on('POST /api/v1/auth/cli-token', { body: tokenAnswer });
  const terminal = createFakeTerminal();
  terminal.typeAnswers(['hunter2\r']);
  const run = await runCli(['--server', api.url, 'login', '--username', 'alice'], { env: creds.env, stdin: terminal.stdin });
  assert.equal(run.code, 0, run.stderr);
  assert.equal((api.requests[0]?.body as { password: string }).password, 'hunter2');
  assert.match(run.stderr, /Password for alice at http:/);
  assert.ok(!run.stderr.includes('hunter2') && !run.stdout.includes('hunter2'));
  assert.deepEqual(terminal.rawModes, [true, false]);
});

test('login refuses to read a password from a pipe unless told to', async () => {
  const run = await runCli(['--server', api.url, 'login', '--username', 'alice'], { env: creds.env, stdin: 'pw\n' });
  assert.equal(run.code, 64);
  assert.match(run.stderr, /--password-stdin/);
  assert.equal(api.requests.length, 0);
});

test('login sends a new password when the server says it must be changed first', async () => {
  api.on('POST /api/v1/auth/cli-token', (request) =>
    (request.body as { newPassword?: string }).newPassword === undefined
      ? problem(403, 'forbidden', 'you must change your password first', { passwordChangeRequired: true })
      : { body: tokenAnswer },
  );
  const run = await runCli(['--server', api.url, 'login', '--username', 'alice', '--password-stdin'], { env: creds.env, stdin: 'one-time\nmy new password\n' });
  assert.equal(run.code, 0, run.stderr);
  assert.deepEqual(api.requests.map((r) => (r.body as { newPassword?: string }).newPassword), [undefined, 'my new password']);
});

test('a wrong password exits 77 and stores nothing', async () => {
  api.on('POST /api/v1/auth/cli-token', problem(401, 'unauthorized', 'wrong username or password'));
  const run = await runCli(['--server', api.url, 'login', '--username', 'alice', '--password-stdin'], { env: creds.env, stdin: 'nope\n' });
  assert.equal(run.code, 77);
  assert.equal(run.stderr, 'writ: wrong username or password\n');
  assert.equal(existsSync(creds.file), false);
});

test('logout revokes the stored token on its server and removes the file', async () => {
  writeCredentials(creds.file, { server: api.url, token: TOKEN, tokenId: 'tok-1', username: 'alice', expiresAt: null });
  api.on('POST /api/v1/auth/logout', { status: 204 });
  const run = await runCli(['logout'], { env: creds.env });
  assert.equal(run.code, 0, run.stderr);
  assert.equal(api.requests[0]?.authorization, `Bearer ${TOKEN}`);
  assert.deepEqual(api.requests.map((r) => `${r.method} ${r.path}`), ['POST /api/v1/auth/logout'], 'signing out revokes the token, whatever its scopes');
  assert.equal(existsSync(creds.file), false);
  assert.match(run.stdout, /Logged out of/);
});

test('logout ignores a token the server no longer knows', async () => {
  writeCredentials(creds.file, { server: api.url, token: TOKEN, tokenId: 'gone', username: 'alice', expiresAt: null });
  api.on('POST /api/v1/auth/logout', problem(401, 'unauthorized', 'this needs credentials'));
  const run = await runCli(['logout'], { env: creds.env });
  assert.equal(run.code, 0, run.stderr);
  assert.equal(existsSync(creds.file), false);
});

test('logout without a login says so', async () => {
  const run = await runCli(['logout'], { env: creds.env });
  assert.equal(run.code, 0);
  assert.equal(run.stdout, 'Not logged in.\n');
});
