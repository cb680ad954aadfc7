// Tests of the add-checkpoint decision: first checkpoint, extensions, stale sizes, rollback, forks, bad proofs and keys.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { formatCheckpoint } from './checkpoint.ts';
import { createCosigner, parseCosignatureVerifierKey, verifyCosignature } from './cosignature.ts';
import { leafHash } from './hash.ts';
import type { Hash } from './hash.ts';
import { referenceConsistencyProof, referenceRoot } from './merkle-reference.ts';
import { appendLeaves, proveConsistency } from './tiles.ts';
import { createSigner, createVerifier, generateSignerKey, signNote } from './signed-note.ts';
import type { NoteSigner } from './signed-note.ts';
import { decideAddCheckpoint, parseAddCheckpointRequest } from './witness-state.ts';
import type { AddCheckpointDecision, AddCheckpointDeps, AddCheckpointRequest, WitnessLogState } from './witness-state.ts';

const ORIGIN = 'audit.example.com/writ';
const NOW = 1_700_000_000;
const logKey = generateSignerKey(ORIGIN);
const logSigner = createSigner(logKey.signerKey);
const cosigner = createCosigner(generateSignerKey('witness.example.com/w1').signerKey);
const witnessVerifier = parseCosignatureVerifierKey(cosigner.verifierKey);
const leaves: Hash[] = Array.from({ length: 1000 }, (_, i) => leafHash(Buffer.from(`entry ${String(i)}`)));
const deps: AddCheckpointDeps = {
  logVerifiers: (origin) => (origin === ORIGIN ? [createVerifier(logKey.verifierKey)] : undefined),
  cosigner,
  nowSeconds: NOW,
};

function noteOf(size: number, root: Hash = referenceRoot(leaves.slice(0, size)), signer: NoteSigner = logSigner, origin = ORIGIN): string {
  return signNote(formatCheckpoint({ origin, size, rootHash: root, extensions: [] }), [signer]);
}

function bodyOf(oldSize: number, proof: Hash[], note: string): string {
  return `old ${String(oldSize)}\n${proof.map((h) => `${Buffer.from(h).toString('base64')}\n`).join('')}\n${note}`;
}

function parse(body: string): AddCheckpointRequest {
  const parsed = parseAddCheckpointRequest(body);
  if (parsed.kind !== 'parsed') assert.fail(`refused: ${parsed.message}`);
  return parsed.request;
}

function add(state: WitnessLogState | undefined, oldSize: number, proof: Hash[], note: string): AddCheckpointDecision {
  return decideAddCheckpoint(state, parse(bodyOf(oldSize, proof, note)), deps);
}

function cosigned(decision: AddCheckpointDecision): WitnessLogState {
  if (decision.kind !== 'cosigned') assert.fail(`refused ${String(decision.status)}: ${decision.message}`);
  return decision.newState;
}

function assertRefused(decision: AddCheckpointDecision, status: number): void {
  if (decision.kind !== 'refused') assert.fail('cosigned, expected a refusal');
  assert.equal(decision.status, status, decision.message);
}

test('the first checkpoint is cosigned and becomes the state', () => {
  const note = noteOf(257);
  const decision = add(undefined, 0, [], note);
  const state = cosigned(decision);
  assert.equal(state.size, 257);
  assert.equal(Buffer.from(state.rootHash).toString('base64'), 'XB/f6DU1gCLyOS3keNvgU/wTDP4dOggoeakM9r8Uv34=');
  assert.equal(state.checkpointNote, note);
  if (decision.kind !== 'cosigned') return;
  const text = note.slice(0, note.lastIndexOf('\n\n') + 1);
  assert.deepEqual(verifyCosignature(witnessVerifier, text, decision.cosignature), { ok: true, timeSeconds: NOW });
});

test('an extension with a real consistency proof is cosigned', () => {
  const state = cosigned(add(undefined, 0, [], noteOf(257)));
  const proof = referenceConsistencyProof(257, leaves);
  assert.equal(proof.length, 11);
  const next = cosigned(add(state, 257, proof, noteOf(1000)));
  assert.equal(next.size, 1000);
  assert.equal(Buffer.from(next.rootHash).toString('base64'), 'NGxrnLicS3b6ydyyDNqG46AcCldBfBOQKOrNRTj96Vs=');
  const again = cosigned(add(next, 1000, [], noteOf(1000)));
  assert.equal(again.size, 1000);
});

test('a stale old size is refused with 409 and the size the witness has', () => {
  const state = cosigned(add(undefined, 0, [], noteOf(257)));
  const decision = add(state, 256, referenceConsistencyProof(256, leaves), noteOf(1000));
  assertRefused(decision, 409);
  if (decision.kind === 'refused') assert.equal(decision.latestSize, 257);
  const first = add(undefined, 5, referenceConsistencyProof(5, leaves.slice(0, 8)), noteOf(8));
  assertRefused(first, 409);
  if (first.kind === 'refused') assert.equal(first.latestSize, 0);
});

test('a rollback to a smaller tree is refused', () => {
  const state = cosigned(add(undefined, 0, [], noteOf(1000)));
  assertRefused(add(state, 1000, [], noteOf(257)), 400);
  assertRefused(add(state, 257, [], noteOf(257)), 409);
});

test('a fork (same size, different root) is refused with both checkpoints as evidence', () => {
  const stored = noteOf(257);
  const state = cosigned(add(undefined, 0, [], stored));
  const forked = noteOf(257, referenceRoot(leaves.slice(1, 258)));
  const decision = add(state, 257, [], forked);
  assertRefused(decision, 409);
  if (decision.kind === 'refused') assert.deepEqual(decision.evidence, { stored, presented: forked });
});

test('a consistency proof that does not verify is refused with 422', () => {
  const state = cosigned(add(undefined, 0, [], noteOf(257)));
  const proof = referenceConsistencyProof(257, leaves);
  const tampered = proof.map((h, i) => (i === 3 ? leafHash(h) : h));
  const refused = add(state, 257, tampered, noteOf(1000));
  assertRefused(refused, 422);
  if (refused.kind === 'refused') assert.deepEqual(refused.evidence, { stored: state.checkpointNote, presented: noteOf(1000) });
  assertRefused(add(state, 257, proof.slice(1), noteOf(1000)), 422);
  assertRefused(add(state, 257, proof, noteOf(1000, referenceRoot(leaves.slice(1, 1000)))), 422);
  assertRefused(add(state, 257, proof.slice(0, 1), noteOf(257)), 422);
  assertRefused(add(undefined, 0, proof.slice(0, 1), noteOf(8)), 422);
});

test('an unknown log is refused with 404 and a bad or unknown signature with 403', () => {
  const stranger = createSigner(generateSignerKey('other.example.com/log').signerKey);
  assertRefused(add(undefined, 0, [], noteOf(8, undefined, stranger, 'other.example.com/log')), 404);
  const impostor = createSigner(generateSignerKey(ORIGIN).signerKey);
  assertRefused(add(undefined, 0, [], noteOf(8, undefined, impostor)), 403);
  const note = noteOf(8);
  const at = note.length - 40; // inside the signature bytes, after the key ID
  const forged = `${note.slice(0, at)}${note[at] === 'A' ? 'B' : 'A'}${note.slice(at + 1)}`;
  assert.notEqual(forged, note);
  assertRefused(add(undefined, 0, [], forged), 403);
  const otherText = note.replace('\n8\n', '\n7\n');
  assertRefused(add(undefined, 0, [], otherText), 403);
});

test('malformed bodies are refused with 400', () => {
  const note = noteOf(8);
  const proofLine = `${Buffer.from(leaves[0] ?? new Uint8Array(32)).toString('base64')}\n`;
  const bodies = [
    '',
    note,
    `old 0\n${note}`,
    `old -1\n\n${note}`,
    `old 01\n\n${note}`,
    `old  0\n\n${note}`,
    `Old 0\n\n${note}`,
    `old 0\nnot-base64\n\n${note}`,
    `old 0\nAAAA\n\n${note}`,
    `old 0\n${proofLine.repeat(64)}\n${note}`,
    'old 0\n\naudit.example.com/writ\n8\n',
    `old 0\n\nnot a checkpoint\n\n— ${ORIGIN} AAAAAAAA\n`,
    `old 0\n\n${'x'.repeat(70_000)}`,
  ];
  for (const body of bodies) {
    const parsed = parseAddCheckpointRequest(body);
    if (parsed.kind !== 'refused') assert.fail(`parsed ${JSON.stringify(body.slice(0, 80))}`);
    assert.equal(parsed.status, 400);
  }
  assert.equal(parseAddCheckpointRequest(`old 0\n${proofLine.repeat(63)}\n${note}`).kind, 'parsed');
});

test('a signed note whose lines are broken is refused', () => {
  const note = `${noteOf(8).slice(0, -1)}\nstray line\n`;
  const parsed = parseAddCheckpointRequest(bodyOf(0, [], note));
  if (parsed.kind !== 'parsed') assert.fail(parsed.message);
  assertRefused(decideAddCheckpoint(undefined, parsed.request, deps), 403);
});

test('state for another origin is a programming error', () => {
  const state = cosigned(add(undefined, 0, [], noteOf(8)));
  const other = { ...state, origin: 'other.example.com/log' };
  assert.throws(() => add(other, 8, [], noteOf(8)));
});

test('proofs from the tile code carry the witness along a growing log', () => {
  const tiles = new Map<string, Uint8Array>();
  const source = { tile: (level: number, index: number) => tiles.get(`${String(level)}/${String(index)}`) };
  let state: WitnessLogState | undefined;
  let size = 0;
  for (const next of [1, 2, 7, 8, 255, 256, 257, 600, 1000]) {
    const grown = appendLeaves(size, source, leaves.slice(size, next));
    for (const t of grown.tiles) tiles.set(`${String(t.level)}/${String(t.index)}`, t.hashes);
    const proof = size === 0 ? [] : proveConsistency(size, next, source);
    state = cosigned(add(state, size, proof, noteOf(next, grown.root)));
    assert.equal(state.size, next);
    size = next;
  }
  assert.equal(Buffer.from(state?.rootHash ?? new Uint8Array()).toString('base64'), 'NGxrnLicS3b6ydyyDNqG46AcCldBfBOQKOrNRTj96Vs=');
});

test('the tlog-witness example request body parses', () => {
  const body = [
    'old 20852014',
    'PlRNCrwHpqhGrupue0L7gxbjbMiKA9temvuZZDDpkaw=',
    'jrJZDmY8Y7SyJE0MWLpLozkIVMSMZcD5kvuKxPC3swk=',
    '5+pKlUdi2LeF/BcMHBn+Ku6yhPGNCswZZD1X/6QgPd8=',
    '/6WVhPs2CwSsb5rYBH5cjHV/wSmA79abXAwhXw3Kj/0=',
    '',
    'example.com/behind-the-sofa',
    '20852163',
    'CsUYapGGPo4dkMgIAUqom/Xajj7h2fB2MPA3j2jxq2I=',
    '',
    '— example.com/behind-the-sofa Az3grlgtzPICa5OS8npVmf1Myq/5IZniMp+ZJurmRDeOoRDe4URYN7u5/Zhcyv2q1gGzGku9nTo+zyWE+xeMcTOAYQ8=',
    '— example.com/behind-the-sofa opLqBQsREYCgu6xQkYQwJr9fo45a62DN9EdmHXnZdXNqlcVGlCum2Wks+49/V6267UEjw6QUXTS5Rovnzv++qbSzm9Q=',
    '',
  ].join('\n');
  const request = parse(body);
  assert.equal(request.oldSize, 20852014);
  assert.equal(request.proof.length, 4);
  assert.equal(request.checkpoint.origin, 'example.com/behind-the-sofa');
  assert.equal(request.checkpoint.size, 20852163);
  assertRefused(decideAddCheckpoint(undefined, request, deps), 404);
});
