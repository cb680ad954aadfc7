import assert from 'node:assert/strict';
import { after, before, beforeEach, test } from 'node:test';
import { runAgainst, TEST_NOW_MS } from '../testing/cli-harness.ts';
import { problem, startFakeApi, type FakeApi } from '../testing/fake-api.ts';
import { formatUntil } from './connect-resource.ts';

const PASSWORD = 'q3Zr0XcS8d0bKx1m3eQp5r7tV9wY2aC4eG6iK8mO0qS';
const URI = `postgresql://alice:${PASSWORD}@127.0.0.1:7432/pg-prod?sslmode=prefer`;
const issued = {
  credentialId: 'cred-1',
  resourceId: 'pg-prod',
  level: 'read-only',
  grantId: 'grant-1',
  user: 'alice',
  password: PASSWORD,
  expiresAt: '2026-11-25T14:05:00.000Z',
  host: '127.0.0.1',
  port: 7432,
  database: 'pg-prod',
  connectionString: URI,
  psqlCommand: `psql "${URI}"`,
};

let api: FakeApi;
before(async () => {
  api = await startFakeApi();
});
after(() => api.close());
beforeEach(() => {
  api.requests.length = 0;
});

test('connect asks for a credential on the resource and prints the psql command, the parts, the end and a shown-once warning', async () => {
  api.on('POST /api/v1/gateway/credentials', { status: 201, body: issued });
  const run = await runAgainst(api.url, ['connect', 'pg-prod']);
  assert.equal(run.code, 0, run.stderr);
  const [sent] = api.requests;
  assert.equal(sent?.authorization, 'Bearer test-token');
  assert.deepEqual(sent.body, { resourceId: 'pg-prod' });
  assert.match(run.stdout, /^Connect to pg-prod \(read-only\) with:$/m);
  assert.ok(run.stdout.includes(`\n  psql "${URI}"\n`), run.stdout);
  assert.ok(run.stdout.includes(`connection string: ${URI}\n`), run.stdout);
  assert.match(run.stdout, /^host: {5}127\.0\.0\.1$/m);
  assert.match(run.stdout, /^port: {5}7432$/m);
  assert.match(run.stdout, /^database: pg-prod$/m);
  assert.match(run.stdout, /^user: {5}alice$/m);
  assert.match(run.stdout, new RegExp(`^password: ${PASSWORD}$`, 'm'));
  assert.match(run.stdout, /^Valid until 14:05 UTC \(in 5m\), when your grant ends\.$/m);
  assert.match(run.stderr, /shown only this once/);
});

test('--level is sent; --json prints the answer as the server sent it', async () => {
  api.on('POST /api/v1/gateway/credentials', { status: 201, body: { ...issued, level: 'read-write' } });
  const run = await runAgainst(api.url, ['connect', 'pg-prod', '--level', 'read-write', '--json']);
  assert.equal(run.code, 0, run.stderr);
  assert.deepEqual(api.requests[0]?.body, { resourceId: 'pg-prod', level: 'read-write' });
  assert.deepEqual(JSON.parse(run.stdout), { ...issued, level: 'read-write' });
  assert.match(run.stderr, /shown only this once/);
});

test('without an active grant the server says what to do, and the CLI exits 77 with that line', async () => {
  const detail = 'no active grant for pg-prod; run writ request pg-prod --level <read-only|read-write> --for 1h --reason "..."';
  api.on('POST /api/v1/gateway/credentials', problem(403, 'forbidden', detail));
  const run = await runAgainst(api.url, ['connect', 'pg-prod']);
  assert.equal(run.code, 77);
  assert.equal(run.stdout, '');
  assert.equal(run.stderr, `writ: ${detail}\n`);
});

test('several levels held: the server asks for --level and the CLI exits 64', async () => {
  api.on('POST /api/v1/gateway/credentials', problem(400, 'invalid_input', 'you hold active grants for pg-prod at read-only and read-write; choose one with --level'));
  const run = await runAgainst(api.url, ['connect', 'pg-prod']);
  assert.equal(run.code, 64);
  assert.match(run.stderr, /choose one with --level/);
});

test('terminal control characters from the server are not printed as they came', async () => {
  api.on('POST /api/v1/gateway/credentials', { status: 201, body: { ...issued, resourceId: 'pg-prod\u001b[2J' } });
  const run = await runAgainst(api.url, ['connect', 'pg-prod']);
  assert.equal(run.code, 0, run.stderr);
  assert.ok(!run.stdout.includes('\u001b'), JSON.stringify(run.stdout));
});

test('the end shows the date when it is not today', () => {
  assert.equal(formatUntil('2026-11-25T14:05:00Z', TEST_NOW_MS), '14:05 UTC (in 5m)');
  assert.equal(formatUntil('2026-11-26T02:30:00Z', TEST_NOW_MS), '2026-11-26 02:30 UTC (in 12h 30m)');
});
