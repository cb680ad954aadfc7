// POST /api/v1/subjects/:id/erase: admins erase a subject's personal data with a reason; others are refused.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { readEntry } from '../events/event-preparation.ts';
import { testBackends } from '../storage/testing/test-databases.ts';
import { createApiHarness } from './testing/api-harness.ts';

for (const backend of testBackends) {
  test(`on ${backend}: POST /api/v1/subjects/:id/erase`, async () => {
    const h = await createApiHarness(backend);
    try {
      const entry = h.app.auditEntry({ type: 'app.document.viewed', actor: { kind: 'user', id: 'subject-sam', name: 'Sam Person', ip: '192.0.2.7' }, outcome: 'success', data: {} });
      await h.app.transactions.run((_trx, ledger) => ledger.appendPending([entry]));
      const url = '/api/v1/subjects/subject-sam/erase';

      assert.equal((await h.call('POST', url, { token: h.tokens.alice, body: { reason: 'because' } })).status, 403);
      assert.equal((await h.call('POST', url, { token: h.tokens.admin, body: {} })).status, 400);
      assert.equal((await h.call('POST', url, { token: h.tokens.admin, body: { reason: '   ' } })).status, 400);
      assert.equal((await h.call('POST', url, { body: { reason: 'because' } })).status, 401);

      const answer = await h.call('POST', url, { token: h.tokens.admin, body: { reason: 'erasure request 2026-114' } });
      assert.equal(answer.status, 200, JSON.stringify(answer.body));
      assert.deepEqual(answer.body, { subjectId: 'subject-sam', erasedCount: 1 });
      const found = await h.app.eventSearch.findEvent(entry.eventId);
      assert.ok(found !== undefined);
      assert.equal(readEntry(found.entry, found.personal).personalErased, true);
    } finally {
      await h.close();
    }
  });
}
