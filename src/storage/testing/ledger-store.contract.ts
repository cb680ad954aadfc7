// The LedgerStore contract: every backend must pass these same tests.
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { randomUUID } from 'node:crypto';
import type { Kysely } from 'kysely';
import { createManualClock } from '../../shared/clock.ts';
import { isAppError } from '../../shared/app-error.ts';
import { leafHash } from '../../ledger/hash.ts';
import { parseCheckpoint } from '../../ledger/checkpoint.ts';
import type { LedgerStore, PendingEntry } from '../../ledger/ledger-store.ts';
import { consistencyProof, inclusionProof } from '../../ledger/log-reader.ts';
import { verifyConsistency, verifyInclusion } from '../../ledger/proof-verify.ts';
import { integratePending, type SequencerDeps } from '../../ledger/sequencer.ts';
import { createSigner, createVerifier, generateSignerKey, openNote } from '../../ledger/signed-note.ts';
import { verifyLog } from '../../ledger/log-verifier.ts';
import { blockEntry, blockEventId, packEntryBlock, type EntryBlock } from '../../ledger/entry-block.ts';
import { createKyselyLedgerStore } from '../kysely-ledger-store.ts';
import type { Database } from '../schema.ts';
import { openDatabase } from '../open-database.ts';
import { createTestDatabase } from './test-databases.ts';

export function pendingEntry(text: string, personal?: string): PendingEntry {
  const entry = new TextEncoder().encode(JSON.stringify({ id: randomUUID(), text }));
  const eventId = (JSON.parse(new TextDecoder().decode(entry)) as { id: string }).id;
  return {
    eventId,
    time: '2026-11-25T00:00:00.000Z',
    type: 'app.test.written',
    actorId: 'tester',
    outcome: 'success',
    entry,
    leafHash: leafHash(entry),
    personal: personal === undefined ? undefined : { salt: new Uint8Array(32).fill(7), value: new TextEncoder().encode(personal) },
  };
}

async function withStore(
  backend: 'sqlite' | 'postgres',
  work: (store: LedgerStore, deps: SequencerDeps, db: Kysely<Database>) => Promise<void>,
): Promise<void> {
  const database = await createTestDatabase(backend);
  const opened = await openDatabase({ dataDir: database.dataDir, pgUrl: database.pgUrl, durability: 'normal' });
  try {
    const store = createKyselyLedgerStore(opened.db, opened.capabilities, opened.entryBlockReader);
    const signer = createSigner(generateSignerKey('test.example/log').signerKey);
    await work(store, { store, signer, clock: createManualClock(1_700_000_000_000), batchSize: 100 }, opened.db);
  } finally {
    await opened.close();
    await database.dispose();
  }
}

async function sequenceAll(deps: SequencerDeps): Promise<void> {
  for (;;) {
    const result = await integratePending(deps);
    if (result.kind !== 'integrated' || result.count < deps.batchSize) return;
  }
}

/** A block's rows as plain values, to compare blocks read different ways. */
function blockRows(block: EntryBlock): { eventId: string; entry: string }[] {
  return Array.from({ length: block.count }, (_, i) => ({ eventId: blockEventId(block, i), entry: Buffer.from(blockEntry(block, i)).toString('base64') }));
}

/** Registers the contract tests for one backend. */
export function ledgerStoreContract(backend: 'sqlite' | 'postgres'): void {
  describe(`LedgerStore contract on ${backend}`, { concurrency: false }, () => {
    test('a fresh log gets a signed checkpoint of the empty tree', () =>
      withStore(backend, async (store, deps) => {
        assert.equal(await store.latestCheckpoint(), undefined);
        await integratePending(deps);
        const checkpoint = await store.latestCheckpoint();
        assert.ok(checkpoint !== undefined);
        assert.equal(checkpoint.size, 0);
        const text = openNote(checkpoint.note, [createVerifier(deps.signer.verifierKey)]).text;
        assert.equal(parseCheckpoint(text).size, 0);
      }));

    test('pending entries get contiguous indices in append order, with proofs that verify', () =>
      withStore(backend, async (store, deps) => {
        const entries = Array.from({ length: 330 }, (_, i) => pendingEntry(`entry ${i}`));
        await store.appendPending(entries.slice(0, 10));
        await sequenceAll(deps);
        const first = await store.latestCheckpoint();
        await store.appendPending(entries.slice(10));
        assert.equal(await store.countPending(), 320);
        await sequenceAll(deps);
        const latest = await store.latestCheckpoint();
        assert.ok(latest !== undefined && first !== undefined);
        assert.equal(latest.size, 330);
        assert.equal(await store.countPending(), 0);
        const stored = await store.readEntries(0, 1000);
        assert.deepEqual(stored.map((e) => e.index), entries.map((_, i) => i));
        assert.deepEqual(stored.map((e) => Buffer.from(e.entry).toString()), entries.map((e) => Buffer.from(e.entry).toString()));
        for (const index of [0, 1, 255, 256, 329]) {
          const proof = await inclusionProof(store, index, 330);
          assert.ok(verifyInclusion(entries[index]?.leafHash ?? new Uint8Array(), index, 330, proof, latest.rootHash));
        }
        const consistency = await consistencyProof(store, 10, 330);
        assert.ok(verifyConsistency(10, 330, first.rootHash, latest.rootHash, consistency));
        const report = await verifyLog(store, createVerifier(deps.signer.verifierKey));
        assert.deepEqual(report.problems, []);
        assert.equal(report.entriesChecked, 330);
        // The same audit with the leaves hashed on a worker thread, as on large logs.
        assert.deepEqual(await verifyLog(store, createVerifier(deps.signer.verifierKey), { leafHashWorkerFromEntries: 0 }), report);
      }));

    test('an append with a duplicate event id fails whole and changes nothing', () =>
      withStore(backend, async (store, deps) => {
        const a = pendingEntry('a');
        await store.appendPending([a]);
        await sequenceAll(deps);
        const b = pendingEntry('b');
        await assert.rejects(store.appendPending([b, { ...pendingEntry('c'), eventId: a.eventId }]), (error) => isAppError(error, 'conflict'));
        assert.equal(await store.countPending(), 0);
        await assert.rejects(store.appendPending([b, { ...pendingEntry('d'), eventId: b.eventId }]), (error) => isAppError(error, 'conflict'));
        assert.equal(await store.countPending(), 0);
      }));

    test('personal data is kept beside the entry and read back by event id', () =>
      withStore(backend, async (store) => {
        const withPersonal = pendingEntry('p', '{"actor":{"name":"Alice"}}');
        await store.appendPending([withPersonal, pendingEntry('q')]);
        const found = await store.readPersonal([withPersonal.eventId, 'missing']);
        assert.equal(found.size, 1);
        assert.equal(Buffer.from(found.get(withPersonal.eventId)?.value ?? new Uint8Array()).toString(), '{"actor":{"name":"Alice"}}');
      }));

    test('entry blocks hold the rows readEntries gives, stop at a missing index and reuse the buffers handed back', () =>
      withStore(backend, async (store, deps, db) => {
        const entries = Array.from({ length: 300 }, (_, i) => pendingEntry(`block ${i}`));
        await store.appendPending(entries);
        await sequenceAll(deps);
        const whole = await store.readEntryBlock(0, 300);
        assert.deepEqual(blockRows(whole), blockRows(packEntryBlock(await store.readEntries(0, 300), 0, 300, undefined)));
        assert.equal(whole.count, 300);
        assert.equal(whole.stop, undefined);
        assert.equal(Buffer.from(blockEntry(whole, 299)).toString(), Buffer.from(entries[299]?.entry ?? new Uint8Array()).toString());
        assert.equal(blockEventId(whole, 7), entries[7]?.eventId);
        await db.deleteFrom('log_entries').where('idx', '=', 120).execute();
        const holed = await store.readEntryBlock(100, 300, whole);
        assert.deepEqual(holed.stop, { kind: 'missing', index: 120 });
        assert.equal(holed.count, 20);
        assert.equal(blockEventId(holed, 19), entries[119]?.eventId);
      }));

    test('the sequencer refuses to sign with a key other than the log’s own', () =>
      withStore(backend, async (store, deps) => {
        await store.appendPending([pendingEntry('x')]);
        await sequenceAll(deps);
        await store.appendPending([pendingEntry('y')]);
        const other = createSigner(generateSignerKey('test.example/log').signerKey);
        await assert.rejects(integratePending({ ...deps, signer: other }), (error) => isAppError(error, 'key_mismatch'));
        assert.equal((await store.latestCheckpoint())?.size, 1);
      }));
  });
}
