// The retention API on both backends: admin only, dry run and run, holds, and the 410 answers for removed events and entry bundles.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { integratePending } from '../ledger/sequencer.ts';
import { entriesPath, tilePath, TILE_WIDTH } from '../ledger/tiles.ts';
import { testBackends } from '../storage/testing/test-databases.ts';
import { createApiHarness, type ApiHarness } from './testing/api-harness.ts';

const DAY_MS = 86_400_000;
const READ_TOKEN = 'retention-read-token-0123456789';
const env = { WRIT_RETENTION: JSON.stringify({ rules: [{ typePrefix: 'app.session.', keepDays: 1 }] }) };

async function appendSession(h: ApiHarness, actorId: string): Promise<string> {
  const time = new Date(h.clock.nowMs() - 2 * DAY_MS).toISOString();
  const entry = h.app.auditEntry({ type: 'app.session.started', time, actor: { kind: 'user', id: actorId }, outcome: 'success', data: {} });
  await h.app.transactions.run((_trx, ledger) => ledger.appendPending([entry]));
  return entry.eventId;
}

async function sequenceAll(h: ApiHarness): Promise<void> {
  await integratePending({ store: h.app.store, signer: h.app.signer, clock: h.app.clock, batchSize: 10_000 });
}

for (const backend of testBackends) {
  test(`on ${backend}: the retention and hold routes, and what readers of removed entries are told`, async () => {
    const h = await createApiHarness(backend, { env, readToken: READ_TOKEN });
    try {
      const removedId = await appendSession(h, 'subject-sam');
      const heldId = await appendSession(h, 'subject-kim');
      await sequenceAll(h);
      const { admin, alice, carol } = h.tokens;

      for (const token of [alice, carol]) {
        assert.equal((await h.call('GET', '/api/v1/retention', { token })).status, 403);
        assert.equal((await h.call('POST', '/api/v1/retention/run', { token, body: { dryRun: true } })).status, 403);
        assert.equal((await h.call('GET', '/api/v1/holds', { token })).status, 403);
        assert.equal((await h.call('POST', '/api/v1/holds', { token, body: { scope: { kind: 'subject', subjectId: 'x' }, reason: 'r' } })).status, 403);
      }
      assert.equal((await h.call('GET', '/api/v1/retention')).status, 401);

      const shown = await h.call('GET', '/api/v1/retention', { token: admin });
      assert.equal(shown.status, 200, JSON.stringify(shown.body));
      assert.deepEqual(shown.body.rules, [{ typePrefix: 'app.session.', keepDays: 1 }]);
      assert.equal(shown.body.defaultKeepDays, 'forever');
      assert.equal(shown.body.retentionFloor, 0);

      const badScope = await h.call('POST', '/api/v1/holds', { token: admin, body: { scope: { kind: 'time', from: 'soon', to: '2026-01-01T00:00:00Z' }, reason: 'r' } });
      assert.equal(badScope.status, 400);
      assert.match(String(badScope.body.detail), /from/);
      assert.equal((await h.call('POST', '/api/v1/holds', { token: admin, body: { scope: { kind: 'subject', subjectId: 'x' } } })).status, 400);
      const placed = await h.call('POST', '/api/v1/holds', { token: admin, body: { scope: { kind: 'subject', subjectId: 'subject-kim' }, reason: 'Matter 17' } });
      assert.equal(placed.status, 201, JSON.stringify(placed.body));
      const listed = await h.call('GET', '/api/v1/holds', { token: admin });
      assert.deepEqual((listed.body.holds as { id: string }[]).map((hold) => hold.id), [placed.body.id]);

      const dry = await h.call('POST', '/api/v1/retention/run', { token: admin, body: { dryRun: true } });
      assert.equal(dry.status, 200, JSON.stringify(dry.body));
      assert.equal(dry.body.removedCount, 1);
      assert.equal(dry.body.heldCount, 1);
      assert.equal(dry.body.runId, null);
      assert.equal((await h.call('GET', `/api/v1/events/${removedId}`, { token: admin })).status, 200, 'a dry run removes nothing');

      const run = await h.call('POST', '/api/v1/retention/run', { token: admin, body: {} });
      assert.equal(run.status, 200, JSON.stringify(run.body));
      assert.equal(run.body.removedCount, 1);
      await sequenceAll(h);

      const gone = await h.call('GET', `/api/v1/events/${removedId}`, { token: admin });
      assert.equal(gone.status, 410, JSON.stringify(gone.body));
      assert.match(String(gone.body.detail), /removed by retention/);
      const index = Number(gone.body.index);
      const kept = await h.call('GET', `/api/v1/events/${heldId}`, { token: admin });
      assert.equal(kept.status, 200, 'the held event is still read, with its proof');
      assert.equal(typeof kept.body.receipt, 'string');

      const size = (await h.app.store.latestCheckpoint())?.size ?? 0;
      const tile = Math.floor(index / TILE_WIDTH);
      const width = Math.min(TILE_WIDTH, size - tile * TILE_WIDTH);
      const bundle = await h.call('GET', `/log/${entriesPath(tile, width)}`, { headers: { authorization: `Bearer ${READ_TOKEN}` } });
      assert.equal(bundle.status, 410, JSON.stringify(bundle.body));
      assert.equal(bundle.body.retentionFloor, index + 1);
      assert.match(String(bundle.body.detail), /retention/);
      assert.deepEqual(bundle.body.removed, [[index, index]]);
      const hashTile = await h.server.inject({ method: 'GET', url: `/log/${tilePath({ level: 0, index: tile, width })}` });
      assert.equal(hashTile.statusCode, 200, 'hash tiles of removed entries are still served');
      assert.equal(hashTile.rawPayload.length, width * 32);

      const release = await h.call('POST', `/api/v1/holds/${String(placed.body.id)}/release`, { token: admin, body: { reason: 'closed' } });
      assert.equal(release.status, 200, JSON.stringify(release.body));
      assert.equal((release.body.released as { reason: string }).reason, 'closed');
      assert.equal((await h.call('POST', '/api/v1/holds/not-a-hold/release', { token: admin, body: { reason: 'closed' } })).status, 400);
      const after = await h.call('GET', '/api/v1/retention', { token: admin });
      assert.equal(after.body.removedCount, 1);
      assert.equal(after.body.activeHolds, 0);
    } finally {
      await h.close();
    }
  });
}
