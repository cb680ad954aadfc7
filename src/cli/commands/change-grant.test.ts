import assert from 'node:assert/strict';
import { after, before, beforeEach, test } from 'node:test';
import { aGrant, aRequest } from '../testing/access-fixtures.ts';
import { runAgainst } from '../testing/cli-harness.ts';
import { startFakeApi, type FakeApi } from '../testing/fake-api.ts';

let api: FakeApi;
before(async () => {
  api = await startFakeApi();
});
after(() => api.close());
beforeEach(() => {
  api.requests.length = 0;
});

test('grants lists mine by default with the time left', async () => {
  api.on('GET /api/v1/grants', { body: { items: [aGrant(), aGrant({ id: 'grant-2', state: 'ended', endedAt: '2026-11-25T13:00:00.000Z', endReason: 'revoked' })], nextCursor: null } });
  const run = await runAgainst(api.url, ['grants']);
  assert.equal(run.code, 0, run.stderr);
  assert.equal(api.requests[0]?.query.get('view'), 'mine');
  assert.match(run.stdout, /^grant-1 +alice +pg-prod +read-write +active +in 1h 20m$/m);
  assert.match(run.stdout, /^grant-2 +alice +pg-prod +read-write +ended +1h ago, revoked$/m);
});

test('grants --all --state ended asks for them', async () => {
  api.on('GET /api/v1/grants', { body: { items: [], nextCursor: null } });
  const run = await runAgainst(api.url, ['grants', '--all', '--state', 'ended']);
  assert.equal(run.stdout, 'No grants.\n');
  assert.equal(api.requests[0]?.query.get('view'), 'all');
  assert.equal(api.requests[0].query.get('state'), 'ended');
});

test('revoke sends the reason and shows the ended grant', async () => {
  api.on('POST /api/v1/grants/grant-1/revoke', { body: aGrant({ state: 'ended', endedAt: '2026-11-25T14:00:00.000Z', endReason: 'revoked', endedBy: 'dana' }) });
  const run = await runAgainst(api.url, ['revoke', 'grant-1', '--reason', 'done']);
  assert.equal(run.code, 0, run.stderr);
  assert.deepEqual(api.requests[0]?.body, { reason: 'done' });
  assert.match(run.stdout, /^Revoked grant grant-1\./);
  assert.match(run.stdout, /^ended: {2}2026-11-25T14:00:00Z \(now\): revoked by dana$/m);
});

test('extend asks for more time and shows the extension request', async () => {
  const request = aRequest({ id: 'req-9', kind: 'extension', extendsGrantId: 'grant-1', durationSeconds: 3600 });
  api.on('POST /api/v1/grants/grant-1/extend', { status: 201, body: { request, grant: null } });
  const run = await runAgainst(api.url, ['extend', 'grant-1', '--by', '1h', '--reason', 'migration runs long']);
  assert.equal(run.code, 0, run.stderr);
  assert.deepEqual(api.requests[0]?.body, { bySeconds: 3600, reason: 'migration runs long' });
  assert.match(run.stdout, /^Extension request req-9 is pending\./);
  assert.match(run.stdout, /alice: extend grant grant-1 by 1h/);
});
