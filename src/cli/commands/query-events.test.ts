import assert from 'node:assert/strict';
import { after, before, beforeEach, test } from 'node:test';
import { runAgainst } from '../testing/cli-harness.ts';
import { problem, startFakeApi, type FakeApi } from '../testing/fake-api.ts';

const event = {
  v: 1,
  id: 'ev-1',
  time: '2026-11-25T13:59:00.123Z',
  type: 'access.request.approved',
  actor: { kind: 'user', id: 'u-dana', name: 'dana' },
  targets: [{ kind: 'request', id: 'req-1' }, { kind: 'resource', id: 'pg-prod' }],
  outcome: 'success',
  reason: 'looks fine',
  context: { requestId: 'req-1' },
  data: {},
};
let api: FakeApi;
before(async () => {
  api = await startFakeApi();
});
after(() => api.close());
beforeEach(() => {
  api.requests.length = 0;
  api.on('GET /api/v1/events', { body: { events: [{ index: 41, event }], next: 'n1' } });
});

test('events query maps its options to the API query names', async () => {
  const run = await runAgainst(api.url, ['events', 'query', '--from', '-1h', '--to', '2026-11-25T14:00:00Z', '--actor', 'u-dana', '--type', 'access.*', '--target', 'resource:pg-prod', '--outcome', 'success', '--request', 'req-1', '--grant', 'g-1', '--text', 'fine', '--limit', '10', '--cursor', 'c0']);
  assert.equal(run.code, 0, run.stderr);
  assert.deepEqual(Object.fromEntries(api.requests[0]?.query ?? []), {
    from: '2026-11-25T13:00:00.000Z',
    to: '2026-11-25T14:00:00.000Z',
    actor: 'u-dana',
    type: 'access.*',
    target: 'resource:pg-prod',
    outcome: 'success',
    requestId: 'req-1',
    grantId: 'g-1',
    reason: 'fine',
    limit: '10',
    cursor: 'c0',
  });
  assert.match(run.stdout, /^41 +2026-11-25T13:59:00Z +access\.request\.approved +dana +success +request:req-1 resource:pg-prod +looks fine$/m);
  assert.match(run.stdout, /^\(more: add --cursor n1\)$/m);
});

test('--json prints the page as sent', async () => {
  const run = await runAgainst(api.url, ['events', 'query', '--json']);
  assert.deepEqual(JSON.parse(run.stdout), { events: [{ index: 41, event }], next: 'n1' });
});

test('without the auditor role the refusal exits 77', async () => {
  api.on('GET /api/v1/events', problem(403, 'forbidden', 'this needs the auditor role or a log:read token'));
  const run = await runAgainst(api.url, ['events', 'query']);
  assert.equal(run.code, 77);
  assert.equal(run.stderr, 'writ: this needs the auditor role or a log:read token\n');
});
