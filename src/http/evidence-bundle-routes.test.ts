// GET /api/v1/evidence-bundles: auditors and admins get a tar that verifies offline; others are refused; the export is on the ledger.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { readEntry } from '../events/event-preparation.ts';
import { verifyEvidenceBundle } from '../events/evidence-bundle-verifier.ts';
import { integratePending } from '../ledger/sequencer.ts';
import { readBundleTar } from '../reports/evidence-bundle-tar.ts';
import { testBackends } from '../storage/testing/test-databases.ts';
import { createApiHarness } from './testing/api-harness.ts';

for (const backend of testBackends) {
  test(`on ${backend}: GET /api/v1/evidence-bundles`, async () => {
    const h = await createApiHarness(backend);
    try {
      for (let i = 0; i < 12; i++) {
        const entry = h.app.auditEntry({ type: 'app.document.viewed', actor: { kind: 'user', id: 'subject-sam', name: 'Sam Person', ip: '192.0.2.7' }, outcome: 'success', data: { i } });
        await h.app.transactions.run((_trx, ledger) => ledger.appendPending([entry]));
      }
      await integratePending({ store: h.app.store, signer: h.app.signer, clock: h.app.clock, batchSize: 1000 });
      const get = (url: string, token?: string) => h.server.inject({ method: 'GET', url, headers: token === undefined ? {} : { authorization: `Bearer ${token}` } });
      const url = '/api/v1/evidence-bundles?type=app.document.*';

      assert.equal((await get(url)).statusCode, 401);
      assert.equal((await get(url, h.tokens.alice)).statusCode, 403, 'a user without the auditor role is refused');
      assert.equal((await get(url, h.tokens.dave)).statusCode, 403);
      assert.equal((await get('/api/v1/evidence-bundles?type=Not%20A%20Type', h.tokens.carol)).statusCode, 400);
      const badFrom = await get('/api/v1/evidence-bundles?from=yesterday', h.tokens.carol);
      assert.equal(badFrom.statusCode, 400);
      assert.match(badFrom.body, /from \\"yesterday\\" is neither a log index/);

      const answer = await get(url, h.tokens.carol);
      assert.equal(answer.statusCode, 200, answer.body);
      assert.equal(answer.headers['content-type'], 'application/x-tar');
      assert.match(String(answer.headers['content-disposition']), /^attachment; filename="evidence-\d+-0-\d+\.tar"$/);
      const report = verifyEvidenceBundle(readBundleTar(answer.rawPayload), { verifierKeys: [h.app.signer.verifierKey] });
      assert.equal(report.ok, true, JSON.stringify(report.problems));
      assert.equal(report.entriesChecked, 12);
      assert.equal(report.personal.included, 12);
      assert.ok(answer.rawPayload.includes('Sam Person'));

      const redacted = await get('/api/v1/evidence-bundles?from=0&to=5&redact=true', h.tokens.admin);
      assert.equal(redacted.statusCode, 200);
      const redactedReport = verifyEvidenceBundle(readBundleTar(redacted.rawPayload), { verifierKeys: [h.app.signer.verifierKey] });
      assert.equal(redactedReport.ok, true, JSON.stringify(redactedReport.problems));
      assert.equal(redactedReport.entriesChecked, 5);
      assert.equal(redacted.rawPayload.includes('Sam Person'), false);

      await integratePending({ store: h.app.store, signer: h.app.signer, clock: h.app.clock, batchSize: 1000 });
      const page = await h.app.eventSearch.search({ filter: { type: { kind: 'exact', type: 'ledger.bundle.exported' } }, order: 'asc', limit: 10 });
      const [first, second, ...more] = page.entries.map((e) => readEntry(e.entry, e.personal));
      assert.ok(first !== undefined && second !== undefined && more.length === 0, 'each download is on the ledger');
      assert.equal(first.actor.name, 'carol');
      assert.deepEqual(first.data, { via: 'api', checkpointSize: report.checkpoint?.size, selection: { fromIndex: 0, toIndex: report.checkpoint?.size, type: 'app.document.*' }, entryCount: 12, redacted: false });
      assert.equal(second.actor.name, 'admin');
      assert.equal((second.data as { redacted?: boolean }).redacted, true);

      const openapi = JSON.parse((await h.server.inject({ method: 'GET', url: '/api/openapi.json' })).body) as { paths: Record<string, unknown> };
      assert.ok('/api/v1/evidence-bundles' in openapi.paths, 'the route is in the OpenAPI document');
    } finally {
      await h.close();
    }
  });
}
