import assert from 'node:assert/strict';
import { after, before, beforeEach, test } from 'node:test';
import { runAgainst } from '../testing/cli-harness.ts';
import { problem, startFakeApi, type FakeApi } from '../testing/fake-api.ts';
import { formatPolicyTest } from './test-policy.ts';

const version = { version: 2, digest: 'sha256:0123456789abcdef0123', source: 'cli', appliedBy: 'admin', appliedAt: '2026-11-25T12:00:00.000Z' };
let api: FakeApi;
before(async () => {
  api = await startFakeApi();
});
after(() => api.close());
beforeEach(() => {
  api.requests.length = 0;
});

test('policy show prints the YAML exactly on stdout and the version on stderr', async () => {
  api.on('GET /api/v1/policy', { body: { ...version, text: 'resources: []\n' } });
  const run = await runAgainst(api.url, ['policy', 'show']);
  assert.equal(run.code, 0, run.stderr);
  assert.equal(run.stdout, 'resources: []\n');
  assert.equal(run.stderr, '# policy version 2 (sha256:0123456789abcdef0123), applied 2h ago by admin\n');
});

test('policy show --version N --diff prints the changes of that version', async () => {
  api.on('GET /api/v1/policy/versions/1', { body: { ...version, version: 1, text: 'a\n', diff: '+a\n' } });
  const run = await runAgainst(api.url, ['policy', 'show', '--version', '1', '--diff']);
  assert.equal(run.code, 0, run.stderr);
  assert.equal(run.stdout, '+a\n');
});

test('policy show before any policy exits 66 with the server words', async () => {
  api.on('GET /api/v1/policy', problem(404, 'not_found', 'no policy has been applied yet (writ policy apply FILE)'));
  const run = await runAgainst(api.url, ['policy', 'show']);
  assert.equal(run.code, 66);
  assert.equal(run.stderr, 'writ: no policy has been applied yet (writ policy apply FILE)\n');
});

test('policy versions lists the history', async () => {
  api.on('GET /api/v1/policy/versions', { body: { items: [version], nextCursor: null } });
  const run = await runAgainst(api.url, ['policy', 'versions']);
  assert.equal(run.code, 0, run.stderr);
  assert.equal(api.requests[0]?.query.get('limit'), '20');
  assert.match(run.stdout, /^VERSION +DIGEST +SOURCE +APPLIED BY +APPLIED$/m);
  assert.match(run.stdout, /^2 +sha256:0123456789ab +cli +admin +2h ago$/m);
});

test('policy test sends the question and prints the decision and who could approve', async () => {
  const answer = {
    decision: { kind: 'needs-approval', policy: 'prod-databases', matchedPolicies: ['prod-databases'], resourceId: 'pg-prod', level: 'read-write', durationSeconds: 7200, maxDurationSeconds: 14_400, stages: [], onDenial: 'deny', selfApproval: 'forbidden', pendingTtlSeconds: 86_400 },
    breakGlass: { kind: 'deny', reasons: ['break-glass is not allowed on pg-prod'] },
    stages: [
      { name: 'team-lead', count: 1, groups: ['db-leads'], users: [], approvers: [{ user: 'dana', flags: [] }], satisfiable: true },
      { name: 'dba', count: 2, groups: ['dbas'], users: [], approvers: [{ user: 'erin', flags: [] }], satisfiable: false },
    ],
  };
  api.on('POST /api/v1/policy/test', { body: answer });
  const run = await runAgainst(api.url, ['policy', 'test', '--user', 'alice', '--resource', 'pg-prod', '--level', 'read-write', '--for', '2h', '--at', '+1h']);
  assert.equal(run.code, 0, run.stderr);
  assert.deepEqual(api.requests[0]?.body, { username: 'alice', resourceId: 'pg-prod', level: 'read-write', durationSeconds: 7200, at: '2026-11-25T15:00:00.000Z' });
  assert.equal(
    run.stdout,
    'NEEDS APPROVAL under policy prod-databases (up to 4h)\n' +
      'approval stages:\n' +
      '  1. team-lead: 1 approval from group db-leads\n      could approve: dana\n' +
      '  2. dba: 2 approvals from group dbas\n      could approve: erin\n      WARNING: fewer people can approve than this stage needs\n' +
      'break-glass: not allowed (break-glass is not allowed on pg-prod)\n',
  );
});

test('a denial lists its reasons', () => {
  const text = formatPolicyTest({ decision: { kind: 'deny', reasons: ['no policy lets alice request pg-prod'] }, breakGlass: { kind: 'break-glass', policy: 'p', durationSeconds: 60, maxDurationSeconds: 60, notify: ['sec'] }, stages: [] });
  assert.equal(text, 'DENIED\n  - no policy lets alice request pg-prod\nbreak-glass: allowed (tells sec)\n');
});
