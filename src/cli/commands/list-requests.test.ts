import assert from 'node:assert/strict';
import { after, before, beforeEach, test } from 'node:test';
import { aRequest } from '../testing/access-fixtures.ts';
import { runAgainst } from '../testing/cli-harness.ts';
import { startFakeApi, type FakeApi } from '../testing/fake-api.ts';

let api: FakeApi;
before(async () => {
  api = await startFakeApi();
});
after(() => api.close());
beforeEach(() => {
  api.requests.length = 0;
  api.on('GET /api/v1/requests', { body: { items: [aRequest(), aRequest({ id: 'req-2', requester: { id: 'u-bob', username: 'bob' }, status: 'approved', currentStage: null, reason: null })], nextCursor: 'c2' } });
});

test('lists my requests by default as a table, with the way to the next page', async () => {
  const run = await runAgainst(api.url, ['requests']);
  assert.equal(run.code, 0, run.stderr);
  const sent = api.requests[0];
  assert.equal(sent?.query.get('view'), 'mine');
  assert.equal(sent.query.get('limit'), '50');
  const lines = run.stdout.split('\n');
  assert.match(lines[0] ?? '', /^ID +REQUESTER +RESOURCE +LEVEL +FOR +STATUS +STAGE +ASKED +REASON$/);
  assert.match(lines[1] ?? '', /^req-1 +alice +pg-prod +read-write +2h +pending +team-lead 0\/1 +10m ago +fix the invoice job$/);
  assert.match(lines[2] ?? '', /^req-2 +bob +pg-prod +read-write +2h +approved +10m ago$/);
  assert.equal(lines[3], '(more: add --cursor c2)');
});

test('--to-review, --status, --limit and --cursor go into the query', async () => {
  const run = await runAgainst(api.url, ['requests', '--to-review', '--status', 'pending', '--limit', '5', '--cursor', 'c2']);
  assert.equal(run.code, 0, run.stderr);
  const query = api.requests[0]?.query;
  assert.deepEqual([query?.get('view'), query?.get('status'), query?.get('limit'), query?.get('cursor')], ['to-review', 'pending', '5', 'c2']);
});

test('refuses two views at once and unknown statuses', async () => {
  const both = await runAgainst(api.url, ['requests', '--mine', '--all']);
  assert.equal(both.code, 64);
  assert.match(both.stderr, /only one of --mine, --to-review and --all/);
  const status = await runAgainst(api.url, ['requests', '--status', 'open']);
  assert.equal(status.code, 64);
  assert.match(status.stderr, /--status "open" is not one of: pending, approved, denied, cancelled, expired/);
  assert.equal(api.requests.length, 0);
});

test('an empty review queue says so', async () => {
  api.on('GET /api/v1/requests', { body: { items: [], nextCursor: null } });
  const run = await runAgainst(api.url, ['requests', '--to-review']);
  assert.equal(run.stdout, 'Nothing is waiting for your review.\n');
});
