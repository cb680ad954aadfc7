// Erasing a data subject on both backends: personal parts gone for that subject only, entries and proofs unchanged, the erasure on the ledger.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import pino from 'pino';
import { openApp, type WritApp } from '../app.ts';
import { loadConfig } from '../config/load-config.ts';
import { readEntry } from '../events/event-preparation.ts';
import type { EventInput } from '../events/event-schema.ts';
import { eraseSubject, type SubjectErasureDeps } from '../identity/subject-erasure.ts';
import type { Principal } from '../identity/principal.ts';
import { verifyLog } from '../ledger/log-verifier.ts';
import { integratePending } from '../ledger/sequencer.ts';
import { createVerifier } from '../ledger/signed-note.ts';
import { isAppError } from '../shared/app-error.ts';
import { createManualClock } from '../shared/clock.ts';
import { createKyselyPersonalDataEraser } from './kysely-personal-data-eraser.ts';
import { createTestDatabase, testBackends } from './testing/test-databases.ts';

type EventActor = EventInput['actor'];

const PASSWORD = 'erasure test root 2026';
const sam: EventActor = { kind: 'user', id: 'subject-sam', name: 'Sam Person', ip: '192.0.2.7', userAgent: 'browser' };
const kim: EventActor = { kind: 'user', id: 'subject-kim', name: 'Kim Other', ip: '192.0.2.8' };

async function append(app: WritApp, actor: EventActor, note: string): Promise<string> {
  const entry = app.auditEntry({ type: 'app.document.viewed', actor, outcome: 'success', data: { note }, personal: { email: `${actor.id}@example.test` } });
  await app.transactions.run((_trx, ledger) => ledger.appendPending([entry]));
  return entry.eventId;
}

async function sequenceAll(app: WritApp): Promise<void> {
  const result = await integratePending({ store: app.store, signer: app.signer, clock: app.clock, batchSize: 1000 });
  assert.equal(result.kind, 'integrated');
}

async function signInAdmin(app: WritApp): Promise<Principal> {
  await app.identity.bootstrapAdmin({ password: PASSWORD });
  const result = await app.identity.login({ username: 'admin', password: PASSWORD, ip: '192.0.2.1', userAgent: 'test' });
  if (result.kind !== 'signed-in') throw new Error(`admin sign-in failed: ${result.kind}`);
  return result.principal;
}

async function read(app: WritApp, eventId: string): Promise<ReturnType<typeof readEntry>> {
  const found = await app.eventSearch.findEvent(eventId);
  assert.ok(found !== undefined, `event ${eventId} is found`);
  return readEntry(found.entry, found.personal);
}

for (const backend of testBackends) {
  test(`on ${backend}: erasing a subject erases only its personal parts, keeps every proof and records the erasure`, async () => {
    const db = await createTestDatabase(backend);
    const config = loadConfig({ dataDir: db.dataDir, pgUrl: db.pgUrl, logOrigin: 'test.writ/log' }, {}, undefined);
    const app = await openApp(config, { clock: createManualClock(Date.UTC(2026, 10, 26, 9, 0, 0)), logger: pino({ level: 'silent' }) });
    try {
      const admin = await signInAdmin(app);
      const deps: SubjectErasureDeps = { eraser: createKyselyPersonalDataEraser(app.transactions), auditEntry: app.auditEntry };
      const samSequenced = [await append(app, sam, 'one'), await append(app, sam, 'two')];
      const kimSequenced = await append(app, kim, 'three');
      await sequenceAll(app);
      const samPending = await append(app, sam, 'four');
      const before = await app.store.readEntries(0, 1000);
      const beforeCheckpoint = await app.store.latestCheckpoint();

      const result = await eraseSubject(deps, admin, 'subject-sam', 'erasure request 2026-114');
      assert.deepEqual(result, { subjectId: 'subject-sam', erasedCount: 3 });

      for (const id of [...samSequenced, samPending]) {
        const event = await read(app, id);
        assert.equal(event.personalErased, true);
        assert.equal(event.actor.name, undefined);
        assert.equal(event.actor.ip, undefined);
        assert.equal(event.personal, undefined);
        assert.equal(event.actor.id, 'subject-sam', 'the pseudonymous id stays in the entry');
      }
      const kept = await read(app, kimSequenced);
      assert.equal(kept.personalErased, undefined);
      assert.equal(kept.actor.name, 'Kim Other');
      assert.deepEqual(kept.personal, { email: 'subject-kim@example.test' });

      assert.deepEqual(await app.store.readEntries(0, 1000), before, 'sequenced entries are byte for byte unchanged');
      assert.deepEqual(await app.store.latestCheckpoint(), beforeCheckpoint);
      await sequenceAll(app);
      const report = await verifyLog(app.store, createVerifier(app.signer.verifierKey));
      assert.equal(report.ok, true, JSON.stringify(report.problems));

      const page = await app.eventSearch.search({ filter: { type: { kind: 'exact', type: 'ledger.subject.erased' } }, order: 'asc', limit: 10 });
      assert.equal(page.entries.length, 1);
      const [erasure] = page.entries;
      assert.ok(erasure !== undefined);
      const recorded = readEntry(erasure.entry, erasure.personal);
      assert.deepEqual(recorded.data, { subjectId: 'subject-sam', erasedCount: 3 });
      assert.equal(recorded.reason, 'erasure request 2026-114');
      assert.equal(recorded.actor.id, admin.userId);

      const again = await eraseSubject(deps, admin, 'subject-sam', 'repeat');
      assert.equal(again.erasedCount, 0, 'nothing is left to erase');
    } finally {
      await app.close();
      await db.dispose();
    }
  });

  test(`on ${backend}: only an administrator may erase, and only with a reason`, async () => {
    const db = await createTestDatabase(backend);
    const config = loadConfig({ dataDir: db.dataDir, pgUrl: db.pgUrl, logOrigin: 'test.writ/log' }, {}, undefined);
    const app = await openApp(config, { logger: pino({ level: 'silent' }) });
    try {
      const admin = await signInAdmin(app);
      const deps: SubjectErasureDeps = { eraser: createKyselyPersonalDataEraser(app.transactions), auditEntry: app.auditEntry };
      const id = await append(app, sam, 'one');
      const notAdmin: Principal = { ...admin, roles: ['user'] };
      await assert.rejects(eraseSubject(deps, notAdmin, 'subject-sam', 'because'), (error: unknown) => isAppError(error, 'forbidden'));
      await assert.rejects(eraseSubject(deps, admin, 'subject-sam', '  '), (error: unknown) => isAppError(error, 'invalid_input'));
      await assert.rejects(eraseSubject(deps, admin, 'subject-sam', undefined), (error: unknown) => isAppError(error, 'invalid_input'));
      await assert.rejects(eraseSubject(deps, admin, '', 'because'), (error: unknown) => isAppError(error, 'invalid_input'));
      assert.equal((await read(app, id)).actor.name, 'Sam Person', 'a refused erasure erases nothing');
    } finally {
      await app.close();
      await db.dispose();
    }
  });
}
