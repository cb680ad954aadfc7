// `writ verify --url --entries` against a real Writ server whose retention removed old entries: the removed bundles
// answer 410, the monitor checks them by the tiles' leaf hashes and re-hashes every entry still held.
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import pino from 'pino';
import { openApp } from '../../../app.ts';
import { loadConfig } from '../../../config/load-config.ts';
import { buildServer } from '../../../http/server.ts';
import { runRetention } from '../../../ledger/retention-run.ts';
import { generateSignerKey } from '../../../ledger/signed-note.ts';
import { createManualClock } from '../../../shared/clock.ts';
import { createTestDatabase } from '../../../storage/testing/test-databases.ts';
import { runWrit } from '../../testing/run-writ.ts';

const ORIGIN = 'retained.example.com/writ';
const READ_TOKEN = 'monitor-read-token-0123456789';
const DAY_MS = 86_400_000;

test('the monitor re-hashes the entries still held and checks the removed ones by their leaf hashes', async (t) => {
  const key = generateSignerKey(ORIGIN);
  const database = await createTestDatabase('sqlite');
  const scratch = mkdtempSync(join(tmpdir(), 'writ-monitor-retention-'));
  const clock = createManualClock(Date.UTC(2026, 0, 5, 9, 0, 0));
  const config = loadConfig(
    { dataDir: database.dataDir, logOrigin: ORIGIN, logKey: key.signerKey, logReadToken: READ_TOKEN, logLevel: 'silent' },
    { WRIT_RETENTION: JSON.stringify({ rules: [{ typePrefix: 'app.', keepDays: 1 }] }) },
    undefined,
  );
  const logger = pino({ level: 'silent' });
  const app = await openApp(config, { logger, clock });
  const loop = app.startSequencer();
  const server = buildServer({ store: app.store, logger, readToken: READ_TOKEN, tileCache: app.tileCache });
  await server.listen({ host: '127.0.0.1', port: 0 });
  t.after(async () => {
    await server.close();
    await loop.stop();
    await app.close();
    await database.dispose();
    rmSync(scratch, { recursive: true, force: true });
  });
  const record = async (from: number, count: number): Promise<void> => {
    const outcomes = await Promise.all(
      Array.from({ length: count }, (_, i) => app.recorder.record({ type: 'app.document.viewed', actor: { kind: 'user', id: `u${from + i}` }, outcome: 'success', data: { i: from + i } })),
    );
    assert.ok(outcomes.every((o) => o.kind === 'appended'));
    await loop.drain();
  };
  await record(0, 600);
  clock.advanceMs(3 * DAY_MS);
  const report = await runRetention(app.retention, { actor: { kind: 'system', id: 'retention' }, trigger: 'admin', dryRun: false });
  assert.equal(report.removedCount, 600);
  await record(600, 300);

  const url = `http://127.0.0.1:${(server.server.address() as AddressInfo).port}`;
  const removed = await fetch(`${url}/log/tile/entries/000`, { headers: { authorization: `Bearer ${READ_TOKEN}` } });
  assert.equal(removed.status, 410, 'the log refuses entry bundles it removed');
  const run = await runWrit(['verify', '--url', url, '--vkey', key.verifierKey, '--state', join(scratch, 'state.json'), '--entries', '--json'], { env: { WRIT_LOG_READ_TOKEN: READ_TOKEN } });
  assert.equal(run.code, 0, run.stderr + run.stdout);
  const line = JSON.parse(run.stdout) as { size: number; entriesChecked: number; entriesRemoved: number };
  const size = (await app.store.latestCheckpoint())?.size ?? 0;
  assert.equal(line.size, size);
  // Entries 0…599 were removed: bundles 0 and 1 wholly, bundle 2 (512…767) in part, so all three answer 410.
  assert.equal(line.entriesRemoved, 768, 'the bundles the log no longer serves were checked by the tiles');
  assert.equal(line.entriesChecked, size - 768, 'every entry in a bundle still served was re-hashed');
});
