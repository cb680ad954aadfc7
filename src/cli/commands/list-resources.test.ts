import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { runAgainst } from '../testing/cli-harness.ts';
import { startFakeApi, type FakeApi } from '../testing/fake-api.ts';

let api: FakeApi;
before(async () => {
  api = await startFakeApi();
  api.on('GET /api/v1/resources', { body: { items: [{ id: 'pg-prod', kind: 'postgres', name: 'Production DB', labels: { env: 'prod', team: 'billing' }, levels: ['read-only', 'read-write'] }], nextCursor: null } });
});
after(() => api.close());

test('resources sends the search and every label, and prints a table', async () => {
  const run = await runAgainst(api.url, ['resources', '--search', 'prod', '--label', 'env=prod', '--label', 'team=billing']);
  assert.equal(run.code, 0, run.stderr);
  const query = api.requests[0]?.query;
  assert.equal(query?.get('q'), 'prod');
  assert.deepEqual(query.getAll('label'), ['env=prod', 'team=billing']);
  assert.match(run.stdout, /^ID +KIND +NAME +LEVELS +LABELS$/m);
  assert.match(run.stdout, /^pg-prod +postgres +Production DB +read-only, read-write +env=prod team=billing$/m);
});

test('a malformed label is refused', async () => {
  const run = await runAgainst(api.url, ['resources', '--label', '=prod']);
  assert.equal(run.code, 64);
  assert.match(run.stderr, /--label "=prod" must be key=value/);
});
