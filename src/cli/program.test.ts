import assert from 'node:assert/strict';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { after, before, test } from 'node:test';
import { tokenEnv } from './testing/cli-harness.ts';
import { problem, startFakeApi, type FakeApi } from './testing/fake-api.ts';
import { runWrit } from './testing/run-writ.ts';

// The real binary, once per failure kind: main.ts must map them to the same exit codes the in-process tests assume.
let api: FakeApi;
before(async () => {
  api = await startFakeApi();
  api.on('GET /api/v1/auth/me', problem(401, 'unauthorized', 'this needs credentials'));
});
after(() => api.close());

test('writ whoami with a refused token exits 77 and says to run writ login', async () => {
  const run = await runWrit(['--server', api.url, 'whoami'], { env: tokenEnv('bad') });
  assert.equal(run.code, 77);
  assert.equal(run.stdout, '');
  assert.equal(run.stderr, 'writ: this needs credentials (run writ login)\n');
  assert.equal(api.requests[0]?.authorization, 'Bearer bad');
});

test('writ requests against a server that is down exits 69 with one line', async () => {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  await new Promise((resolve) => server.close(resolve));
  const run = await runWrit(['--server', `http://127.0.0.1:${port}`, 'requests'], { env: tokenEnv() });
  assert.equal(run.code, 69);
  assert.match(run.stderr, /^writ: cannot reach the Writ server at http:\/\/127\.0\.0\.1:\d+: connection refused; is writ serve running there\? \(--server URL or WRIT_SERVER\)\n$/);
});
