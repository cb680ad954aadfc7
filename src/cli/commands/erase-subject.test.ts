// `writ erase`: posts the reason to the subject's erase route and reports the count.
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { runAgainst } from '../testing/cli-harness.ts';
import { startFakeApi, type FakeApi } from '../testing/fake-api.ts';

let api: FakeApi;
before(async () => {
  api = await startFakeApi();
});
after(() => api.close());

test('erase posts the reason and prints the count', async () => {
  api.on('POST /api/v1/subjects/subject-sam/erase', { body: { subjectId: 'subject-sam', erasedCount: 3 } });
  const run = await runAgainst(api.url, ['erase', '--subject', 'subject-sam', '--reason', 'erasure request 2026-114']);
  assert.equal(run.stdout, 'Erased the personal data of 3 event(s) of subject subject-sam.\n');
  assert.deepEqual(api.requests.map((r) => [r.method, r.path, r.body]), [['POST', '/api/v1/subjects/subject-sam/erase', { reason: 'erasure request 2026-114' }]]);
});

test('erase without a reason is refused before calling the server', async () => {
  api.requests.length = 0;
  const run = await runAgainst(api.url, ['erase', '--subject', 'subject-sam']);
  assert.notEqual(run.code, 0);
  assert.equal(api.requests.length, 0);
});
