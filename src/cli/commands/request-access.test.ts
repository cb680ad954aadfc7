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

test('request sends the resource, level, duration, reason, ticket and start, and shows who must approve', async () => {
  api.on('POST /api/v1/requests', { status: 201, body: { request: aRequest({ ticket: 'INC-7', startAt: '2026-11-25T14:30:00.000Z' }), grant: null } });
  const run = await runAgainst(api.url, ['request', 'pg-prod', '--level', 'read-write', '--for', '2h', '--reason', 'fix the invoice job', '--ticket', 'INC-7', '--start', '+30m']);
  assert.equal(run.code, 0, run.stderr);
  const [sent] = api.requests;
  assert.equal(sent?.method, 'POST');
  assert.equal(sent.authorization, 'Bearer test-token');
  assert.deepEqual(sent.body, { resourceId: 'pg-prod', level: 'read-write', durationSeconds: 7200, reason: 'fix the invoice job', ticket: 'INC-7', startAt: '2026-11-25T14:30:00.000Z' });
  assert.match(run.stdout, /^request: req-1$/m);
  assert.match(run.stdout, /^status: {2}pending$/m);
  assert.match(run.stdout, /^asks: {4}alice: read-write on pg-prod for 2h$/m);
  assert.match(run.stdout, /^starts: {2}2026-11-25T14:30:00Z \(in 30m\)$/m);
  assert.match(run.stdout, /1\. team-lead: 0 of 1 approvals, from group db-leads {3}<- waiting here/);
  assert.match(run.stdout, /2\. dba: 0 of 2 approvals, from group dbas, user dana\n/);
});

test('an auto-approved request shows the grant and its end', async () => {
  const request = aRequest({ status: 'approved', autoApprovedBy: 'office-hours', currentStage: null, grantId: 'grant-1', decidedAt: '2026-11-25T14:00:00.000Z' });
  api.on('POST /api/v1/requests', { status: 201, body: { request, grant: aGrant() } });
  const run = await runAgainst(api.url, ['request', 'pg-prod', '--level', 'read-only', '--for', '80m']);
  assert.equal(run.code, 0, run.stderr);
  assert.equal((api.requests[0]?.body as { reason?: string }).reason, undefined);
  assert.match(run.stdout, /^status: {2}approved automatically \(rule office-hours\)$/m);
  assert.match(run.stdout, /^grant: {2}grant-1$/m);
  assert.match(run.stdout, /^ends: {3}2026-11-25T15:20:00Z \(in 1h 20m\)$/m);
  assert.doesNotMatch(run.stdout, /approvals needed/);
});

test('a bad duration is refused before anything is sent', async () => {
  const run = await runAgainst(api.url, ['request', 'pg-prod', '--level', 'read-write', '--for', '2 hours']);
  assert.equal(run.code, 64);
  assert.match(run.stderr, /^writ: --for "2 hours" is not a duration/);
  assert.equal(api.requests.length, 0);
});

test('a policy refusal comes back as one line with the exit code of its error', async () => {
  api.on('POST /api/v1/requests', problem(403, 'forbidden', 'no policy lets alice request read-write on pg-prod'));
  const run = await runAgainst(api.url, ['request', 'pg-prod', '--level', 'read-write', '--for', '2h', '--reason', 'x']);
  assert.equal(run.code, 77);
  assert.equal(run.stderr, 'writ: no policy lets alice request read-write on pg-prod\n');
});

test('--json prints the server answer', async () => {
  const body = { request: aRequest(), grant: null };
  api.on('POST /api/v1/requests', { status: 201, body });
  const run = await runAgainst(api.url, ['request', 'pg-prod', '--level', 'read-write', '--for', '1d', '--json']);
  assert.equal(run.code, 0, run.stderr);
  assert.deepEqual(JSON.parse(run.stdout), body);
  assert.equal((api.requests[0]?.body as { durationSeconds: number }).durationSeconds, 86_400);
});

test('break-glass requires a reason and says the grant is flagged', async () => {
  const missing = await runAgainst(api.url, ['break-glass', 'pg-prod', '--level', 'read-write', '--for', '30m']);
  assert.equal(missing.code, 64);
  assert.match(missing.stderr, /--reason/);
  const request = aRequest({ breakGlass: true, status: 'approved', currentStage: null, stages: [] });
  api.on('POST /api/v1/break-glass', { status: 201, body: { request, grant: aGrant({ breakGlass: true }) } });
  const run = await runAgainst(api.url, ['break-glass', 'pg-prod', '--level', 'read-write', '--for', '30m', '--reason', 'outage INC-9']);
  assert.equal(run.code, 0, run.stderr);
  assert.deepEqual(api.requests.at(-1)?.body, { resourceId: 'pg-prod', level: 'read-write', durationSeconds: 1800, reason: 'outage INC-9' });
  assert.match(run.stdout, /^BREAK-GLASS/);
  assert.match(run.stdout, /^state: {2}active \(break-glass\)$/m);
});
