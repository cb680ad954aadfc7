import assert from 'node:assert/strict';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { after, afterEach, before, beforeEach, test } from 'node:test';
import { writeCredentials } from '../client/credentials.ts';
import { aUser } from '../testing/access-fixtures.ts';
import { runCli, tempCredentials } from '../testing/cli-harness.ts';
import { problem, startFakeApi, type FakeApi } from '../testing/fake-api.ts';

const me = { user: aUser({ roles: ['auditor', 'user'] }), groups: ['db-leads', 'oncall'], via: 'token', scopes: ['requests:read', 'log:read'], futureField: 42 };

let api: FakeApi;
let creds: ReturnType<typeof tempCredentials>;
before(async () => {
  api = await startFakeApi();
});
after(() => api.close());
beforeEach(() => {
  api.requests.length = 0;
  creds = tempCredentials();
  writeCredentials(creds.file, { server: api.url, token: 'stored-token', tokenId: 'tok-1', username: 'alice', expiresAt: null });
});
afterEach(() => { creds.remove(); });

async function closedPort(): Promise<string> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  await new Promise((resolve) => server.close(resolve));
  return `http://127.0.0.1:${port}`;
}

test('whoami sends the stored token to the stored server and prints the user', async () => {
  api.on('GET /api/v1/auth/me', { body: me });
  const run = await runCli(['whoami'], { env: creds.env });
  assert.equal(run.code, 0, run.stderr);
  assert.equal(api.requests[0]?.authorization, 'Bearer stored-token');
  assert.match(run.stdout, /^user: {3}alice \(Alice Example\)$/m);
  assert.match(run.stdout, /^roles: {2}auditor, user$/m);
  assert.match(run.stdout, /^groups: db-leads, oncall$/m);
  assert.match(run.stdout, /^scopes: requests:read, log:read$/m);
});

test('--json prints the JSON as the server sent it, fields the CLI does not know included', async () => {
  api.on('GET /api/v1/auth/me', { body: me });
  const run = await runCli(['whoami', '--json'], { env: creds.env });
  assert.equal(run.code, 0, run.stderr);
  assert.deepEqual(JSON.parse(run.stdout), me);
});

test('WRIT_TOKEN is sent instead of the stored token', async () => {
  api.on('GET /api/v1/auth/me', { body: me });
  const run = await runCli(['whoami'], { env: { ...creds.env, WRIT_TOKEN: 'agent-token' } });
  assert.equal(run.code, 0, run.stderr);
  assert.equal(api.requests[0]?.authorization, 'Bearer agent-token');
  assert.match(run.stdout, /from WRIT_TOKEN/);
});

test('a 401 exits 77 and says to run writ login', async () => {
  api.on('GET /api/v1/auth/me', problem(401, 'unauthorized', 'this needs credentials'));
  const run = await runCli(['whoami'], { env: creds.env });
  assert.equal(run.code, 77);
  assert.equal(run.stdout, '');
  assert.equal(run.stderr, 'writ: this needs credentials (run writ login)\n');
});

test('a server that is down exits 69 with one clear line', async () => {
  const down = await closedPort();
  const run = await runCli(['--server', down, 'whoami'], { env: { ...creds.env, WRIT_TOKEN: 't' } });
  assert.equal(run.code, 69);
  assert.equal(run.stderr, `writ: cannot reach the Writ server at ${down}: connection refused; is writ serve running there? (--server URL or WRIT_SERVER)\n`);
});

test('the stored token is never sent to another server', async () => {
  const other = await startFakeApi();
  try {
    const run = await runCli(['--server', other.url, 'whoami'], { env: creds.env });
    assert.equal(run.code, 77);
    assert.match(run.stderr, /not logged in to http:\/\/127\.0\.0\.1:\d+ \(you are logged in to .*\): run writ login --server/);
    assert.equal(other.requests.length, 0);
  } finally {
    await other.close();
  }
});

test('WRIT_SERVER chooses the server when --server is not given', async () => {
  api.on('GET /api/v1/auth/me', { body: me });
  const run = await runCli(['whoami'], { env: { WRIT_CREDENTIALS: `${creds.file}.none`, WRIT_SERVER: `${api.url}/`, WRIT_TOKEN: 't' } });
  assert.equal(run.code, 0, run.stderr);
  assert.equal(api.requests.length, 1);
});

test('an expired stored login is reported without asking the server', async () => {
  writeCredentials(creds.file, { server: api.url, token: 'old', tokenId: 'tok-1', username: 'alice', expiresAt: '2026-11-25T13:00:00.000Z' });
  const run = await runCli(['whoami'], { env: creds.env });
  assert.equal(run.code, 77);
  assert.match(run.stderr, /expired at 2026-11-25T13:00:00.000Z: run writ login/);
  assert.equal(api.requests.length, 0);
});
