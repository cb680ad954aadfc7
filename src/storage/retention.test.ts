// Retention and legal holds on both backends: exactly the right entries lose their content, every proof and writ verify still pass, the ledger says so.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import pino from 'pino';
import { openApp, type WritApp } from '../app.ts';
import { loadConfig } from '../config/load-config.ts';
import { readEntry } from '../events/event-preparation.ts';
import type { EventInput } from '../events/event-schema.ts';
import { listHolds, placeHold, releaseHold, runRetentionAsAdmin } from '../identity/retention-commands.ts';
import type { Principal } from '../identity/principal.ts';
import { eraseSubject } from '../identity/subject-erasure.ts';
import { hashesEqual, leafHash } from '../ledger/hash.ts';
import { inclusionProof } from '../ledger/log-reader.ts';
import { verifyLog } from '../ledger/log-verifier.ts';
import { verifyInclusion } from '../ledger/proof-verify.ts';
import { startRetentionLoop } from '../ledger/retention-loop.ts';
import type { RetentionReport } from '../ledger/retention-run.ts';
import type { RetentionSettings } from '../ledger/retention-rules.ts';
import { integratePending } from '../ledger/sequencer.ts';
import { createVerifier } from '../ledger/signed-note.ts';
import { isAppError } from '../shared/app-error.ts';
import { createManualClock } from '../shared/clock.ts';
import { openDatabase } from './open-database.ts';
import { createTestDatabase, testBackends, type TestDatabase } from './testing/test-databases.ts';

const DAY_MS = 86_400_000;
const T0 = Date.UTC(2025, 0, 1, 9, 0, 0);
const PASSWORD = 'retention test root 2026';
const settings: Partial<RetentionSettings> = {
  rules: [
    { typePrefix: 'app.session.', keepDays: 30 },
    { typePrefix: 'app.keep.', keepDays: 'forever' },
    { typePrefix: 'app.document.', keepDays: 365 },
  ],
  defaultKeepDays: 'forever',
  batchSize: 2,
};

type Actor = EventInput['actor'];
const sam: Actor = { kind: 'user', id: 'subject-sam', name: 'Sam Person', ip: '192.0.2.7' };
const kim: Actor = { kind: 'user', id: 'subject-kim', name: 'Kim Other' };

interface Harness {
  readonly app: WritApp;
  readonly clock: ReturnType<typeof createManualClock>;
  readonly db: TestDatabase;
}

async function openHarness(backend: (typeof testBackends)[number]): Promise<Harness> {
  const db = await createTestDatabase(backend);
  const config = loadConfig({ dataDir: db.dataDir, pgUrl: db.pgUrl, logOrigin: 'test.writ/log' }, { WRIT_RETENTION: JSON.stringify(settings) }, undefined);
  const clock = createManualClock(T0);
  const app = await openApp(config, { clock, logger: pino({ level: 'silent' }) });
  return { app, clock, db };
}

async function append(app: WritApp, type: string, actor: Actor, resourceId?: string): Promise<string> {
  const entry = app.auditEntry({
    type,
    actor,
    outcome: 'success',
    targets: resourceId === undefined ? [] : [{ kind: 'resource', id: resourceId }],
    reason: `reason of ${type}`,
    data: { note: type },
    personal: { email: `${actor.id}@example.test` },
  });
  await app.transactions.run((_trx, ledger) => ledger.appendPending([entry]));
  return entry.eventId;
}

async function sequenceAll(app: WritApp): Promise<void> {
  const result = await integratePending({ store: app.store, signer: app.signer, clock: app.clock, batchSize: 1000 });
  assert.ok(result.kind === 'integrated' || result.kind === 'idle', result.kind);
}

async function signInAdmin(app: WritApp): Promise<Principal> {
  await app.identity.bootstrapAdmin({ password: PASSWORD });
  const result = await app.identity.login({ username: 'admin', password: PASSWORD, ip: '192.0.2.1', userAgent: 'test' });
  if (result.kind !== 'signed-in') throw new Error(`admin sign-in failed: ${result.kind}`);
  return result.principal;
}

async function indexOf(app: WritApp, eventId: string): Promise<number> {
  const index = (await app.eventSearch.indicesOf([eventId])).get(eventId) ?? (await app.store.removed?.findRemoved(eventId))?.index;
  assert.ok(index !== undefined, `event ${eventId} was sequenced`);
  return index;
}

/** Every index of the tree proves against the latest checkpoint, with the leaf hash of its tile. */
async function assertEveryProof(app: WritApp): Promise<void> {
  const checkpoint = await app.store.latestCheckpoint();
  assert.ok(checkpoint !== undefined);
  const [tile] = await app.store.readTiles([{ level: 0, index: 0, width: 1 }]);
  assert.ok(tile !== undefined);
  for (let index = 0; index < checkpoint.size; index++) {
    const leaf: Uint8Array = tile.hashes.subarray(index * 32, index * 32 + 32);
    const proof = await inclusionProof(app.store, index, checkpoint.size);
    assert.equal(verifyInclusion(leaf, index, checkpoint.size, proof, checkpoint.rootHash), true, `index ${index} proves`);
  }
  const present = await app.store.readEntries(0, checkpoint.size);
  for (const row of present) assert.ok(hashesEqual(leafHash(row.entry), tile.hashes.subarray(row.index * 32, row.index * 32 + 32)), `entry ${row.index} hashes to its leaf`);
}

async function retentionEvents(app: WritApp): Promise<Record<string, unknown>[]> {
  const page = await app.eventSearch.search({ filter: { type: { kind: 'exact', type: 'ledger.retention.ran' } }, order: 'asc', limit: 100 });
  return page.entries.map((e) => readEntry(e.entry, e.personal).data as Record<string, unknown>);
}

for (const backend of testBackends) {
  test(`on ${backend}: retention removes exactly the entries past their rule and not held, keeps every proof, and records it`, async () => {
    const { app, clock, db } = await openHarness(backend);
    try {
      const oldSession = await append(app, 'app.session.started', sam);
      const heldBySubject = await append(app, 'app.session.started', kim);
      const oldDocument = await append(app, 'app.document.viewed', sam, 'db-prod');
      const heldByResource = await append(app, 'app.document.viewed', sam, 'db-held');
      const kept = await append(app, 'app.keep.signed', sam);
      await sequenceAll(app);
      clock.advanceMs(10 * DAY_MS);
      const heldByTime = await append(app, 'app.session.started', sam);
      await sequenceAll(app);
      clock.advanceMs(390 * DAY_MS);
      const recent = await append(app, 'app.session.started', sam);
      const admin = await signInAdmin(app);
      await placeHold(app.retention, admin, { kind: 'subject', subjectId: 'subject-kim' }, 'Matter 17');
      await placeHold(app.retention, admin, { kind: 'resource', resourceId: 'db-held' }, 'Matter 18');
      await placeHold(app.retention, admin, { kind: 'time', from: new Date(T0 + 9 * DAY_MS).toISOString(), to: new Date(T0 + 11 * DAY_MS).toISOString() }, 'Audit 2025');
      await sequenceAll(app);
      const before = await app.store.readEntries(0, 10_000);
      const checkpointBefore = await app.store.latestCheckpoint();

      const preview = await runRetentionAsAdmin(app.retention, admin, { dryRun: true });
      assert.equal(preview.removedCount, 2);
      assert.equal(preview.heldCount, 3);
      assert.equal(preview.runId, undefined);
      assert.deepEqual(await app.store.readEntries(0, 10_000), before, 'a dry run changes no entry');
      assert.equal(await app.store.countPending(), 0, 'a dry run records nothing');
      assert.deepEqual(await app.store.latestCheckpoint(), checkpointBefore);

      const report = await runRetentionAsAdmin(app.retention, admin, { dryRun: false });
      assert.equal(report.removedCount, 2);
      assert.equal(report.heldCount, 3);
      const removedIndices = [await indexOf(app, oldSession), await indexOf(app, oldDocument)];
      assert.deepEqual(report.ranges.flatMap(([first, last]) => Array.from({ length: last - first + 1 }, (_, i) => first + i)), removedIndices);
      for (const id of [oldSession, oldDocument]) {
        assert.equal(await app.eventSearch.findEvent(id), undefined, 'a removed entry is not found as an event');
        assert.ok((await app.store.removed?.findRemoved(id)) !== undefined, 'its stub says retention removed it');
      }
      for (const id of [heldBySubject, heldByResource, heldByTime, kept, recent]) {
        const found = await app.eventSearch.findEvent(id);
        assert.ok(found !== undefined, `event ${id} is kept`);
        assert.ok(found.personal !== undefined, 'with its personal part');
      }
      const byResource = await app.eventSearch.search({ filter: { target: { kind: 'resource', id: 'db-prod' } }, order: 'asc', limit: 10 });
      assert.equal(byResource.entries.length, 0, 'the search rows of a removed entry are gone');
      const after = await app.store.readEntries(0, 10_000);
      assert.deepEqual(after, before.filter((row) => !removedIndices.includes(row.index)), 'other entries are byte for byte unchanged');
      assert.equal((await app.store.removed?.floor()) ?? 0, Math.max(...removedIndices) + 1);

      await sequenceAll(app);
      const verified = await verifyLog(app.store, createVerifier(app.signer.verifierKey));
      assert.equal(verified.ok, true, JSON.stringify(verified.problems));
      assert.equal(verified.entriesRemoved, 2);
      await assertEveryProof(app);

      const recorded = await retentionEvents(app);
      const batches = recorded.filter((data) => data.kind === 'batch');
      const summary = recorded.filter((data) => data.kind === 'summary');
      assert.equal(summary.length, 1);
      const [done] = summary;
      assert.ok(done !== undefined);
      assert.equal(done.removedCount, 2);
      assert.equal(done.heldCount, 3);
      assert.equal(batches.reduce((sum, data) => sum + Number(data.removedCount), 0), 2);
      assert.deepEqual(batches.flatMap((data) => data.ranges as number[][]).flatMap(([a = 0, b = 0]) => Array.from({ length: b - a + 1 }, (_, i) => a + i)), removedIndices);
      assert.deepEqual(done.rules, settings.rules);

      const again = await runRetentionAsAdmin(app.retention, admin, { dryRun: false });
      assert.equal(again.removedCount, 0, 'nothing more is past its period');
      const [kimHold] = (await listHolds(app.retention, admin, { includeReleased: false })).filter((h) => h.scope.kind === 'subject');
      assert.ok(kimHold !== undefined);
      await releaseHold(app.retention, admin, kimHold.id, 'Matter 17 closed');
      const afterRelease = await runRetentionAsAdmin(app.retention, admin, { dryRun: false });
      assert.equal(afterRelease.removedCount, 1, 'a released hold no longer keeps the entry');
      assert.equal(await app.eventSearch.findEvent(heldBySubject), undefined);
      await sequenceAll(app);
      const verifiedAgain = await verifyLog(app.store, createVerifier(app.signer.verifierKey));
      assert.equal(verifiedAgain.ok, true, JSON.stringify(verifiedAgain.problems));
      assert.equal(verifiedAgain.entriesRemoved, 3);

      const erased = await eraseSubject(app.subjectErasure, admin, 'subject-sam', 'erasure request after retention');
      assert.ok(erased.erasedCount > 0, 'erasure reaches the kept entries of the subject');
      await sequenceAll(app);
      const afterErasure = await verifyLog(app.store, createVerifier(app.signer.verifierKey));
      assert.equal(afterErasure.ok, true, JSON.stringify(afterErasure.problems));
      await assertEveryProof(app);
    } finally {
      await app.close();
      await db.dispose();
    }
  });

  test(`on ${backend}: after retention, a changed leaf hash of a removed entry and a changed kept entry are both caught`, async () => {
    const { app, clock, db } = await openHarness(backend);
    try {
      await append(app, 'app.session.started', sam);
      const removedId = await append(app, 'app.session.started', sam);
      const keptId = await append(app, 'app.keep.signed', sam);
      await sequenceAll(app);
      clock.advanceMs(40 * DAY_MS);
      const admin = await signInAdmin(app);
      assert.equal((await runRetentionAsAdmin(app.retention, admin, { dryRun: false })).removedCount, 2);
      await sequenceAll(app);
      assert.equal((await verifyLog(app.store, createVerifier(app.signer.verifierKey))).ok, true);
      const removedIndex = await indexOf(app, removedId);
      const keptIndex = await indexOf(app, keptId);
      const other = await openDatabase({ dataDir: db.dataDir, pgUrl: db.pgUrl, durability: 'normal' });
      try {
        const tile = await other.db.selectFrom('log_tiles').select('hashes').where('level', '=', 0).where('tile_index', '=', 0).executeTakeFirstOrThrow();
        const changed = Buffer.from(tile.hashes);
        changed[removedIndex * 32] = (changed[removedIndex * 32] ?? 0) ^ 1;
        await other.db.updateTable('log_tiles').set({ hashes: changed }).where('level', '=', 0).where('tile_index', '=', 0).execute();
        const report = await verifyLog(app.store, createVerifier(app.signer.verifierKey));
        assert.equal(report.ok, false, 'a changed leaf hash of a removed entry fails the signed roots');
        await other.db.updateTable('log_tiles').set({ hashes: tile.hashes }).where('level', '=', 0).where('tile_index', '=', 0).execute();
        assert.equal((await verifyLog(app.store, createVerifier(app.signer.verifierKey))).ok, true);

        const row = await other.db.selectFrom('log_entries').select('entry').where('idx', '=', keptIndex).executeTakeFirstOrThrow();
        const altered = Buffer.from(row.entry.toString('utf8').replace('app.keep.signed', 'app.keep.signet'), 'utf8');
        await other.db.updateTable('log_entries').set({ entry: altered }).where('idx', '=', keptIndex).execute();
        const tampered = await verifyLog(app.store, createVerifier(app.signer.verifierKey));
        assert.equal(tampered.ok, false);
        assert.equal(tampered.firstBadIndex, keptIndex);

        await other.db.deleteFrom('log_entries').where('idx', '=', keptIndex).execute();
        const deleted = await verifyLog(app.store, createVerifier(app.signer.verifierKey));
        assert.equal(deleted.ok, false, 'an entry deleted outside retention is still reported missing');
        assert.match(deleted.problems[0]?.message ?? '', /missing/);
      } finally {
        await other.close();
      }
    } finally {
      await app.close();
      await db.dispose();
    }
  });

  test(`on ${backend}: a run works in batches of at most batchSize indices, each with its own ledger entry; the schedule runs it too`, async () => {
    const { app, clock, db } = await openHarness(backend);
    try {
      const ids: string[] = [];
      for (let i = 0; i < 7; i++) ids.push(await append(app, 'app.session.started', sam));
      await sequenceAll(app);
      clock.advanceMs(40 * DAY_MS);
      const indices = await Promise.all(ids.map((id) => indexOf(app, id)));
      const windows = new Set(indices.map((index) => Math.floor(index / 2)));
      let finished: (report: RetentionReport) => void = () => undefined;
      let failed: (error: unknown) => void = () => undefined;
      const ran = new Promise<RetentionReport>((resolve, reject) => {
        finished = resolve;
        failed = reject;
      });
      // The schedule's timer does not keep a process alive (writ serve's server does); here this one does.
      const keepAlive = setInterval(() => undefined, 1000);
      const loop = startRetentionLoop(app.retention, { firstRunDelayMs: 0, onRan: (r) => { finished(r); }, onError: (error) => { failed(error); } });
      const report = await ran.finally(() => { clearInterval(keepAlive); });
      await loop.stop();
      assert.equal(report.removedCount, 7);
      assert.equal(report.batches, windows.size, 'one transaction per window of batchSize (2) indices');
      await sequenceAll(app);
      const recorded = await retentionEvents(app);
      const batches = recorded.filter((data) => data.kind === 'batch');
      assert.equal(batches.length, windows.size);
      for (const data of batches) {
        const covered = (data.ranges as [number, number][]).flatMap(([a, b]) => [a, b]);
        assert.ok(Math.max(...covered) - Math.min(...covered) < 2, `a batch spans at most 2 indices: ${JSON.stringify(data.ranges)}`);
        assert.equal(data.trigger, 'schedule');
      }
      assert.equal(recorded.filter((data) => data.kind === 'summary').length, 1);
      const verified = await verifyLog(app.store, createVerifier(app.signer.verifierKey));
      assert.equal(verified.ok, true, JSON.stringify(verified.problems));
      assert.equal(verified.entriesRemoved, 7);
    } finally {
      await app.close();
      await db.dispose();
    }
  });

  test(`on ${backend}: holds and runs need an administrator, a reason and a valid scope`, async () => {
    const { app, db } = await openHarness(backend);
    try {
      const admin = await signInAdmin(app);
      const user: Principal = { ...admin, roles: ['user'] };
      const forbidden = (error: unknown): boolean => isAppError(error, 'forbidden');
      const invalid = (error: unknown): boolean => isAppError(error, 'invalid_input');
      await assert.rejects(runRetentionAsAdmin(app.retention, user, { dryRun: true }), forbidden);
      await assert.rejects(placeHold(app.retention, user, { kind: 'subject', subjectId: 'x' }, 'because'), forbidden);
      await assert.rejects(listHolds(app.retention, user, { includeReleased: true }), forbidden);
      await assert.rejects(placeHold(app.retention, admin, { kind: 'subject', subjectId: 'x' }, '  '), invalid);
      await assert.rejects(placeHold(app.retention, admin, { kind: 'subject', subjectId: '' }, 'because'), invalid);
      await assert.rejects(placeHold(app.retention, admin, { kind: 'planet', id: 'x' }, 'because'), invalid);
      await assert.rejects(placeHold(app.retention, admin, { kind: 'time', from: '2026-02-01T00:00:00Z', to: '2026-01-01T00:00:00Z' }, 'because'), invalid);
      await assert.rejects(placeHold(app.retention, admin, { kind: 'time', from: 'yesterday', to: '2026-01-01T00:00:00Z' }, 'because'), invalid);
      await assert.rejects(releaseHold(app.retention, admin, 'not-an-id', 'because'), invalid);
      await assert.rejects(releaseHold(app.retention, admin, '0193f1e2-7c1a-7b3e-9f00-1c2d3e4f5a6b', 'because'), (error: unknown) => isAppError(error, 'not_found'));
      assert.deepEqual(await listHolds(app.retention, admin, { includeReleased: true }), [], 'a refused hold stores nothing');

      const hold = await placeHold(app.retention, admin, { kind: 'time', from: '2025-01-01T01:00:00+01:00', to: '2025-02-01T00:00:00Z' }, 'Audit 2025');
      assert.deepEqual(hold.scope, { kind: 'time', from: '2025-01-01T00:00:00.000Z', to: '2025-02-01T00:00:00.000Z' });
      const released = await releaseHold(app.retention, admin, hold.id, 'audit done');
      assert.equal(released.released?.reason, 'audit done');
      const twice = await releaseHold(app.retention, admin, hold.id, 'again');
      assert.equal(twice.released?.reason, 'audit done', 'releasing twice changes nothing');
      await sequenceAll(app);
      const placed = await app.eventSearch.search({ filter: { type: { kind: 'prefix', prefix: 'ledger.hold.' } }, order: 'asc', limit: 10 });
      const events = placed.entries.map((e) => readEntry(e.entry, e.personal));
      assert.deepEqual(events.map((e) => e.type), ['ledger.hold.placed', 'ledger.hold.released']);
      const [placedEvent, releasedEvent] = events;
      assert.ok(placedEvent !== undefined && releasedEvent !== undefined);
      assert.equal(placedEvent.reason, 'Audit 2025');
      assert.equal(releasedEvent.reason, 'audit done');
      assert.deepEqual(releasedEvent.data, { holdId: hold.id, scope: hold.scope });
    } finally {
      await app.close();
      await db.dispose();
    }
  });
}
