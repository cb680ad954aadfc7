// Expiry across a restart: grants and pending requests whose time passed while Writ was down end on the next start.
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { test } from 'node:test';
import pino from 'pino';
import { runDueWork } from '../access/access-scheduler.ts';
import { applyPolicy } from '../access/apply-policy.ts';
import { grantState } from '../access/access-types.ts';
import { createRequest } from '../access/request-commands.ts';
import { decideRequest } from '../access/review-commands.ts';
import { openApp, type WritApp } from '../app.ts';
import { loadConfig } from '../config/load-config.ts';
import { createManualClock } from '../shared/clock.ts';
import { actor } from './testing/access-fixture.ts';
import { createTestDatabase, testBackends } from './testing/test-databases.ts';

const HOUR_MS = 3_600_000;
const MONDAY_7_UTC = Date.UTC(2026, 10, 23, 6, 0, 0);
const alice = actor('alice', ['engineers']);
const bob = actor('bob', ['db-leads']);

for (const backend of testBackends) {
  test(`on ${backend}: what ended while Writ was down is ended after the restart, and nothing is lost`, async () => {
    const db = await createTestDatabase(backend);
    const clock = createManualClock(MONDAY_7_UTC);
    const config = loadConfig({ dataDir: db.dataDir, pgUrl: db.pgUrl, logOrigin: 'test.writ/log' }, {}, undefined);
    const open = (): Promise<WritApp> => openApp(config, { clock, logger: pino({ level: 'silent' }) });
    let app = await open();
    try {
      await applyPolicy(app.access, app.policy, 'system', { text: readFileSync(new URL('../../examples/writ.policy.yaml', import.meta.url), 'utf8'), source: 'file', fileName: 'writ.policy.yaml' });
      const ask = { resourceId: 'pg-dev', level: 'read-write', durationSeconds: 2 * 3600, reason: 'migration', ticket: undefined, startAtMs: undefined };
      const scheduled = await createRequest(app.access, alice, ask);
      const { grant } = await decideRequest(app.access, bob, scheduled.request.id, { verdict: 'approve', comment: undefined, durationSeconds: undefined, startAtMs: MONDAY_7_UTC + HOUR_MS });
      assert.ok(grant !== undefined);
      assert.equal(grantState(grant, clock.nowMs()), 'scheduled');
      const pending = await createRequest(app.access, alice, ask);
      await app.close();

      clock.advanceMs(10 * HOUR_MS);
      app = await open();
      assert.equal(app.policy.version(), 1, 'the applied policy is back in force after the restart');
      const stored = await app.access.store.getGrant(grant.id);
      assert.ok(stored !== undefined);
      assert.equal(grantState(stored, clock.nowMs()), 'ended', 'ended by its stored time even before the scheduler runs');
      const run = await runDueWork(app.access);
      assert.deepEqual([run.endedGrants, run.expiredRequests], [1, 1]);
      assert.equal((await app.access.store.getGrant(grant.id))?.endReason, 'expired');
      assert.equal((await app.access.store.getRequest(pending.request.id))?.status, 'expired');
      assert.deepEqual(await runDueWork(app.access), { expiredRequests: 0, startedGrants: 0, endedGrants: 0, expiryNotices: 0 });
    } finally {
      await app.close();
      await db.dispose();
    }
  });
}
