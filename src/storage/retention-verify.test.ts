// writ verify over a log with many removed runs (at index 0, across tile and read-block boundaries, at the end), with and without the hashing worker.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import pino from 'pino';
import { openApp, type WritApp } from '../app.ts';
import { runCli } from '../cli/testing/cli-harness.ts';
import { loadConfig } from '../config/load-config.ts';
import { receiptFor } from '../ledger/log-reader.ts';
import { verifyLog } from '../ledger/log-verifier.ts';
import { runRetention } from '../ledger/retention-run.ts';
import { integratePending } from '../ledger/sequencer.ts';
import { createVerifier } from '../ledger/signed-note.ts';
import { createManualClock } from '../shared/clock.ts';
import { createTestDatabase, testBackends } from './testing/test-databases.ts';

const DAY_MS = 86_400_000;
const T0 = Date.UTC(2025, 0, 1);
const ENTRIES = 700;

/** Which entries are old (removable): index 0, a run across the tile boundary at 256, scattered ones, and the last ones. */
function isOld(i: number): boolean {
  return i === 0 || (i >= 250 && i < 270) || i % 7 === 3 || i >= ENTRIES - 5;
}

async function fill(app: WritApp, clock: ReturnType<typeof createManualClock>): Promise<void> {
  const entries = [];
  for (let i = 0; i < ENTRIES; i++) {
    const time = new Date(isOld(i) ? T0 : clock.nowMs()).toISOString();
    entries.push(app.auditEntry({ type: isOld(i) ? 'app.old.seen' : 'app.kept.seen', time, actor: { kind: 'user', id: `u${i % 5}` }, outcome: 'success', data: { i } }));
  }
  for (let at = 0; at < entries.length; at += 100) {
    const part = entries.slice(at, at + 100);
    await app.transactions.run((_trx, ledger) => ledger.appendPending(part));
    await integratePending({ store: app.store, signer: app.signer, clock: app.clock, batchSize: 37 });
    await integratePending({ store: app.store, signer: app.signer, clock: app.clock, batchSize: 1000 });
  }
}

for (const backend of testBackends) {
  test(`on ${backend}: writ verify passes over many removed runs, with and without the hashing worker, and keeps receipts`, async () => {
    const db = await createTestDatabase(backend);
    const config = loadConfig({ dataDir: db.dataDir, pgUrl: db.pgUrl, logOrigin: 'test.writ/log' }, { WRIT_RETENTION: JSON.stringify({ rules: [{ typePrefix: 'app.old.', keepDays: 30 }] }) }, undefined);
    const clock = createManualClock(T0 + 100 * DAY_MS);
    const app = await openApp(config, { clock, logger: pino({ level: 'silent' }) });
    try {
      await fill(app, clock);
      const before = await app.store.latestCheckpoint();
      assert.equal(before?.size, ENTRIES, 'the log holds only the test entries');
      const report = await runRetention(app.retention, { actor: { kind: 'system', id: 'writ' }, trigger: 'admin', dryRun: false });
      const expected = Array.from({ length: ENTRIES }, (_, i) => i).filter(isOld);
      assert.equal(report.removedCount, expected.length);
      await integratePending({ store: app.store, signer: app.signer, clock: app.clock, batchSize: 1000 });
      const verifier = createVerifier(app.signer.verifierKey);
      for (const leafHashWorkerFromEntries of [0, Number.MAX_SAFE_INTEGER]) {
        const verified = await verifyLog(app.store, verifier, { leafHashWorkerFromEntries });
        assert.equal(verified.ok, true, JSON.stringify(verified.problems));
        assert.equal(verified.entriesRemoved, expected.length);
        assert.equal(verified.entriesChecked + verified.entriesRemoved, verified.treeSize);
      }
      const entry = await runCli(['log', 'entry', '3', '--data', db.dataDir, ...(db.pgUrl === undefined ? [] : ['--pg', db.pgUrl])]);
      assert.equal(entry.code, 66);
      assert.match(entry.stderr, /entry 3 was removed by retention/);
      assert.match(await receiptFor(app.store, 3), /^c2sp\.org\/tlog-proof@v1\nindex 3\n/, 'a removed entry still has its receipt');
    } finally {
      await app.close();
      await db.dispose();
    }
  });
}

test('on sqlite: a removed run longer than one read block (16,384 entries) is followed to its end', async () => {
  const db = await createTestDatabase('sqlite');
  const config = loadConfig({ dataDir: db.dataDir, logOrigin: 'test.writ/log' }, { WRIT_RETENTION: JSON.stringify({ rules: [{ typePrefix: 'app.old.', keepDays: 30 }], batchSize: 1000 }) }, undefined);
  const clock = createManualClock(T0 + 100 * DAY_MS);
  const app = await openApp(config, { clock, logger: pino({ level: 'silent' }) });
  try {
    const old = 16_500;
    for (let at = 0; at < old + 50; at += 1000) {
      const part = Array.from({ length: Math.min(1000, old + 50 - at) }, (_, k) => {
        const i = at + k;
        const time = new Date(i < old ? T0 : clock.nowMs()).toISOString();
        return app.auditEntry({ type: i < old ? 'app.old.seen' : 'app.kept.seen', time, actor: { kind: 'user', id: 'u' }, outcome: 'success', data: { i } });
      });
      await app.transactions.run((_trx, ledger) => ledger.appendPending(part));
    }
    await integratePending({ store: app.store, signer: app.signer, clock: app.clock, batchSize: 20_000 });
    const report = await runRetention(app.retention, { actor: { kind: 'system', id: 'writ' }, trigger: 'admin', dryRun: false });
    assert.equal(report.removedCount, old);
    await integratePending({ store: app.store, signer: app.signer, clock: app.clock, batchSize: 1000 });
    const verified = await verifyLog(app.store, createVerifier(app.signer.verifierKey));
    assert.equal(verified.ok, true, JSON.stringify(verified.problems));
    assert.equal(verified.entriesRemoved, old);
    assert.equal(verified.entriesChecked, verified.treeSize - old);
  } finally {
    await app.close();
    await db.dispose();
  }
});

for (const backend of testBackends) {
  test(`on ${backend}: two runs at once remove each entry once and both finish`, async () => {
    const db = await createTestDatabase(backend);
    const config = loadConfig({ dataDir: db.dataDir, pgUrl: db.pgUrl, logOrigin: 'test.writ/log' }, { WRIT_RETENTION: JSON.stringify({ rules: [{ typePrefix: 'app.old.', keepDays: 30 }], batchSize: 10 }) }, undefined);
    const clock = createManualClock(T0 + 100 * DAY_MS);
    const app = await openApp(config, { clock, logger: pino({ level: 'silent' }) });
    try {
      await fill(app, clock);
      const expected = Array.from({ length: ENTRIES }, (_, i) => i).filter(isOld).length;
      const run = () => runRetention(app.retention, { actor: { kind: 'system', id: 'writ' }, trigger: 'admin', dryRun: false });
      const [first, second] = await Promise.all([run(), run()]);
      assert.equal(first.removedCount + second.removedCount, expected);
      await integratePending({ store: app.store, signer: app.signer, clock: app.clock, batchSize: 1000 });
      const verified = await verifyLog(app.store, createVerifier(app.signer.verifierKey));
      assert.equal(verified.ok, true, JSON.stringify(verified.problems));
      assert.equal(verified.entriesRemoved, expected);
    } finally {
      await app.close();
      await db.dispose();
    }
  });
}
