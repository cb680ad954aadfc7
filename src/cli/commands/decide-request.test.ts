import assert from 'node:assert/strict';
import { after, before, beforeEach, test } from 'node:test';
import { aGrant, aRequest } from '../testing/access-fixtures.ts';
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

const decision = { reviewer: { id: 'u-dana', username: 'dana' }, stage: 0, verdict: 'approve' as const, comment: 'ok', durationSeconds: 3600, startAt: null, selfApproval: false, at: '2026-11-25T14:00:00.000Z' };

test('approve sends a shorter duration, a later start and a comment, and says what is still needed', async () => {
  const request = aRequest({ currentStage: 1, stages: [{ name: 'team-lead', count: 1, approvals: 1, groups: ['db-leads'], users: [] }, { name: 'dba', count: 2, approvals: 0, groups: ['dbas'], users: [] }], decisions: [decision] });
  api.on('POST /api/v1/requests/req%2F1/approve', { body: { request, grant: null } });
  const run = await runAgainst(api.url, ['approve', 'req/1', '--for', '1h', '--start', '2026-11-25T15:00:00+01:00', '--comment', 'ok']);
  assert.equal(run.code, 0, run.stderr);
  assert.deepEqual(api.requests[0]?.body, { comment: 'ok', durationSeconds: 3600, startAt: '2026-11-25T14:00:00.000Z' });
  assert.match(run.stdout, /^You approved request req-1; it is still pending: stage dba has 0 of 2 approvals\.$/m);
  assert.match(run.stdout, /approved by dana \(for 1h\): "ok"/);
});

test('the last approval shows the grant', async () => {
  const request = aRequest({ status: 'approved', currentStage: null, decisions: [decision], grantId: 'grant-1' });
  api.on('POST /api/v1/requests/req-1/approve', { body: { request, grant: aGrant() } });
  const run = await runAgainst(api.url, ['approve', 'req-1']);
  assert.equal(run.code, 0, run.stderr);
  assert.deepEqual(api.requests[0]?.body, {});
  assert.match(run.stdout, /it is now approved/);
  assert.match(run.stdout, /^grant: {2}grant-1$/m);
});

test('approving your own request is refused with the server words and exit 77', async () => {
  api.on('POST /api/v1/requests/req-1/approve', problem(403, 'forbidden', 'you may not approve your own request'));
  const run = await runAgainst(api.url, ['approve', 'req-1']);
  assert.equal(run.code, 77);
  assert.equal(run.stderr, 'writ: you may not approve your own request\n');
});

test('deny needs a comment and sends it', async () => {
  const missing = await runAgainst(api.url, ['deny', 'req-1']);
  assert.equal(missing.code, 64);
  assert.equal(api.requests.length, 0);
  api.on('POST /api/v1/requests/req-1/deny', { body: { request: aRequest({ status: 'denied', currentStage: null, decisions: [{ ...decision, verdict: 'deny', comment: 'use the replica', durationSeconds: null }] }), grant: null } });
  const run = await runAgainst(api.url, ['deny', 'req-1', '--comment', 'use the replica']);
  assert.equal(run.code, 0, run.stderr);
  assert.deepEqual(api.requests[0]?.body, { comment: 'use the replica' });
  assert.match(run.stdout, /You denied request req-1; it is now denied/);
  assert.match(run.stdout, /denied by dana: "use the replica"/);
});

test('cancel posts to the request and a missing one exits 66', async () => {
  api.on('POST /api/v1/requests/req-1/cancel', { body: aRequest({ status: 'cancelled', currentStage: null }) });
  const run = await runAgainst(api.url, ['cancel', 'req-1']);
  assert.equal(run.code, 0, run.stderr);
  assert.equal(api.requests[0]?.method, 'POST');
  assert.match(run.stdout, /^Cancelled request req-1\./);
  const missing = await runAgainst(api.url, ['cancel', 'nope']);
  assert.equal(missing.code, 66);
});
