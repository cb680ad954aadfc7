// Tests of the witness service over HTTP: first checkpoint, extension, stale size, fork evidence, rollback, restart, body limit.
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, test } from 'node:test';
import { formatCheckpoint } from '../ledger/checkpoint.ts';
import { parseCosignatureVerifierKey, verifyCosignature } from '../ledger/cosignature.ts';
import { leafHash } from '../ledger/hash.ts';
import type { Hash } from '../ledger/hash.ts';
import { referenceConsistencyProof, referenceRoot } from '../ledger/merkle-reference.ts';
import { createSigner, generateSignerKey, signNote } from '../ledger/signed-note.ts';
import { runWrit } from '../cli/testing/run-writ.ts';
import { loadWitnessCosigner } from './witness-key-file.ts';
import { startWitnessServer } from './witness-server.ts';
import type { RunningWitness } from './witness-server.ts';
import { openWitnessStore } from './witness-store.ts';
import type { WitnessStore } from './witness-store.ts';

const ORIGIN = 'audit.example.com/writ';
const NOW_MS = 1_700_000_000_000;
const logKey = generateSignerKey(ORIGIN);
const logSigner = createSigner(logKey.signerKey);
const leaves: Hash[] = Array.from({ length: 1000 }, (_, i) => leafHash(Buffer.from(`entry ${String(i)}`)));
const dirs: string[] = [];
after(() => { for (const dir of dirs) rmSync(dir, { recursive: true, force: true }); });

interface Witness { running: RunningWitness; store: WitnessStore; verifierKey: string; stop(): Promise<void> }

async function startWitness(dataDir: string): Promise<Witness> {
  const store = openWitnessStore(dataDir);
  const cosigner = loadWitnessCosigner({ dataDir, name: 'witness.example.com/w1' });
  const running = await startWitnessServer({ store, cosigner, logVerifierKeys: [logKey.verifierKey], nowMs: () => NOW_MS }, { host: '127.0.0.1', port: 0 });
  return { running, store, verifierKey: cosigner.verifierKey, stop: async () => { await running.close(); store.close(); } };
}

function newDir(): string {
  const dir = mkdtempSync(join(tmpdir(), 'writ-witness-'));
  dirs.push(dir);
  return dir;
}

function noteOf(size: number, root: Hash = referenceRoot(leaves.slice(0, size))): string {
  return signNote(formatCheckpoint({ origin: ORIGIN, size, rootHash: root, extensions: [] }), [logSigner]);
}

function textOf(note: string): string {
  return note.slice(0, note.lastIndexOf('\n\n') + 1);
}

function bodyOf(oldSize: number, proof: Hash[], note: string): string {
  return `old ${String(oldSize)}\n${proof.map((h) => `${Buffer.from(h).toString('base64')}\n`).join('')}\n${note}`;
}

async function post(witness: Witness, body: string): Promise<{ status: number; contentType: string | null; text: string }> {
  const response = await fetch(`${witness.running.url}/add-checkpoint`, { method: 'POST', body });
  return { status: response.status, contentType: response.headers.get('content-type'), text: await response.text() };
}

async function assertCosigned(witness: Witness, body: string, note: string): Promise<void> {
  const reply = await post(witness, body);
  assert.equal(reply.status, 200, reply.text);
  const check = verifyCosignature(parseCosignatureVerifierKey(witness.verifierKey), textOf(note), reply.text);
  assert.deepEqual(check, { ok: true, timeSeconds: NOW_MS / 1000 });
}

async function assertSizeConflict(witness: Witness, body: string, size: number): Promise<void> {
  const reply = await post(witness, body);
  assert.equal(reply.status, 409, reply.text);
  assert.equal(reply.contentType, 'text/x.tlog.size');
  assert.equal(reply.text, `${String(size)}\n`);
}

test('a first checkpoint and an extension with a real proof are cosigned; the state follows', async () => {
  const witness = await startWitness(newDir());
  try {
    await assertCosigned(witness, bodyOf(0, [], noteOf(257)), noteOf(257));
    assert.equal(witness.store.load(ORIGIN)?.size, 257);
    const note = noteOf(1000);
    await assertCosigned(witness, bodyOf(257, referenceConsistencyProof(257, leaves), note), note);
    assert.equal(witness.store.load(ORIGIN)?.checkpointNote, note);
  } finally {
    await witness.stop();
  }
});

test('a stale old size gets 409 text/x.tlog.size with the stored size, and a rollback is refused', async () => {
  const witness = await startWitness(newDir());
  try {
    await assertCosigned(witness, bodyOf(0, [], noteOf(500)), noteOf(500));
    await assertSizeConflict(witness, bodyOf(0, [], noteOf(600)), 500);
    const rollback = await post(witness, bodyOf(500, [], noteOf(300)));
    assert.equal(rollback.status, 400, rollback.text);
    assert.equal(witness.store.load(ORIGIN)?.size, 500);
  } finally {
    await witness.stop();
  }
});

test('a fork gets 409 and its two checkpoints are kept as evidence, which writ witness evidence prints', async () => {
  const dir = newDir();
  const witness = await startWitness(dir);
  try {
    const clean = await runWrit(['--data', dir, 'witness', 'evidence']);
    assert.equal(clean.code, 0, clean.stderr + clean.stdout);
    assert.match(clean.stdout, /^no evidence/);
    await assertCosigned(witness, bodyOf(0, [], noteOf(300)), noteOf(300));
    const forged = noteOf(300, referenceRoot(leaves.slice(1, 301)));
    await assertSizeConflict(witness, bodyOf(300, [], forged), 300);
    const evidence = witness.store.listEvidence(ORIGIN);
    assert.equal(evidence.length, 1);
    const [kept] = evidence;
    assert.ok(kept);
    assert.equal(kept.kind, 'fork');
    assert.equal(kept.storedNote, noteOf(300));
    assert.equal(kept.presentedNote, forged);
    assert.equal(witness.store.load(ORIGIN)?.checkpointNote, noteOf(300));
    const listed = await runWrit(['--data', dir, 'witness', 'evidence']);
    assert.equal(listed.code, 1, 'evidence makes the command fail, for monitoring scripts');
    assert.ok(listed.stdout.includes(`FORK of ${ORIGIN}`));
    assert.ok(listed.stdout.includes(noteOf(300)) && listed.stdout.includes(forged), 'both checkpoints are printed verbatim');
    const other = await runWrit(['--data', dir, 'witness', 'evidence', '--log', 'other.example.com/log', '--json']);
    assert.equal(other.code, 0, other.stderr + other.stdout);
    assert.equal(other.stdout, '[]\n');
  } finally {
    await witness.stop();
  }
});

test('a bad proof gets 422 and is kept as evidence', async () => {
  const witness = await startWitness(newDir());
  try {
    await assertCosigned(witness, bodyOf(0, [], noteOf(257)), noteOf(257));
    const reply = await post(witness, bodyOf(257, referenceConsistencyProof(256, leaves), noteOf(1000)));
    assert.equal(reply.status, 422, reply.text);
    assert.equal(witness.store.listEvidence(ORIGIN)[0]?.kind, 'bad-proof');
  } finally {
    await witness.stop();
  }
});

test('a restart keeps the state and the witness key', async () => {
  const dir = newDir();
  const first = await startWitness(dir);
  await assertCosigned(first, bodyOf(0, [], noteOf(400)), noteOf(400));
  await first.stop();
  const second = await startWitness(dir);
  try {
    assert.equal(second.verifierKey, first.verifierKey);
    await assertSizeConflict(second, bodyOf(0, [], noteOf(400)), 400);
    const note = noteOf(1000);
    await assertCosigned(second, bodyOf(400, referenceConsistencyProof(400, leaves), note), note);
  } finally {
    await second.stop();
  }
});

test('unknown logs get 404 and bodies over 64 KiB get 413', async () => {
  const witness = await startWitness(newDir());
  try {
    const other = createSigner(generateSignerKey('other.example.com/log').signerKey);
    const unknown = signNote(formatCheckpoint({ origin: other.name, size: 1, rootHash: referenceRoot(leaves.slice(0, 1)), extensions: [] }), [other]);
    assert.equal((await post(witness, bodyOf(0, [], unknown))).status, 404);
    assert.equal((await post(witness, 'x'.repeat(64 * 1024 + 1))).status, 413);
    assert.equal(witness.store.load(ORIGIN), undefined);
  } finally {
    await witness.stop();
  }
});

test('compare-and-swap lets only one of two writers with the same expected size advance', () => {
  const store = openWitnessStore(newDir());
  try {
    const state = { origin: ORIGIN, size: 10, rootHash: referenceRoot(leaves.slice(0, 10)), checkpointNote: noteOf(10) };
    assert.deepEqual(store.compareAndSwap(ORIGIN, undefined, state), { kind: 'swapped' });
    assert.deepEqual(store.compareAndSwap(ORIGIN, undefined, state), { kind: 'lost', storedSize: 10 });
    const next = { ...state, size: 20, rootHash: referenceRoot(leaves.slice(0, 20)), checkpointNote: noteOf(20) };
    assert.deepEqual(store.compareAndSwap(ORIGIN, 10, next), { kind: 'swapped' });
    assert.deepEqual(store.compareAndSwap(ORIGIN, 10, { ...next, size: 30 }), { kind: 'lost', storedSize: 20 });
    assert.equal(store.load(ORIGIN)?.size, 20);
  } finally {
    store.close();
  }
});
