// Tests of the log monitor over in-memory served logs: first use, growth, rollback, fork, split view, tampered tiles and entries, policy.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { isAppError } from '../shared/app-error.ts';
import { formatCheckpoint } from './checkpoint.ts';
import { cosignCheckpoint, createCosigner } from './cosignature.ts';
import { leafHash } from './hash.ts';
import { checkServedLog, type LogFetcher, type MonitorOptions, type MonitorOutcome, type MonitorState } from './log-monitor.ts';
import { createSigner, createVerifier, generateSignerKey, signNote, type NoteSigner } from './signed-note.ts';
import { appendLeaves, TILE_WIDTH, type TileCoord } from './tiles.ts';
import { parseWitnessPolicy, withCosignatures } from './witness-policy.ts';

const ORIGIN = 'monitor.example.com/log';
const logKey = generateSignerKey(ORIGIN);
const signer = createSigner(logKey.signerKey);
const trust: MonitorOptions = { verifiers: [createVerifier(logKey.verifierKey)], policy: undefined, entries: false };
const withEntries: MonitorOptions = { ...trust, entries: true };
const enc = new TextEncoder();

interface ServedLog {
  readonly fetcher: LogFetcher;
  readonly note: string;
  /** Tiles as stored, to tamper with: key "level/index". */
  readonly tiles: Map<string, Uint8Array>;
  readonly entries: Uint8Array[];
  readonly requests: string[];
}

function encodeBundle(entries: readonly Uint8Array[]): Uint8Array {
  const parts = entries.map((e) => Buffer.concat([Buffer.from([e.length >> 8, e.length & 0xff]), e]));
  return Buffer.concat(parts);
}

/** A log of `entries` served from memory, signed by `by`; `note` may be replaced to serve another checkpoint. */
function serve(entries: Uint8Array[], by: NoteSigner = signer, note?: string): ServedLog {
  const grown = appendLeaves(0, { tile: () => undefined }, entries.map((e) => leafHash(e)));
  const tiles = new Map(grown.tiles.map((t) => [`${t.level}/${t.index}`, t.hashes]));
  const signed = note ?? signNote(formatCheckpoint({ origin: by.name, size: entries.length, rootHash: grown.root, extensions: [] }), [by]);
  const requests: string[] = [];
  const fetcher: LogFetcher = {
    checkpoint: () => Promise.resolve(signed),
    tile(coord: TileCoord) {
      requests.push(`tile ${coord.level}/${coord.index}/${coord.width}`);
      const stored = tiles.get(`${coord.level}/${coord.index}`);
      if (stored === undefined || stored.length < coord.width * 32) return Promise.reject(new Error(`no tile ${coord.level}/${coord.index}`));
      return Promise.resolve(stored.subarray(0, coord.width * 32));
    },
    entryBundle(index, width) {
      requests.push(`entries ${index}/${width}`);
      return Promise.resolve(encodeBundle(entries.slice(index * TILE_WIDTH, index * TILE_WIDTH + width)));
    },
  };
  return { fetcher, note: signed, tiles, entries, requests };
}

function entriesOf(count: number, prefix = 'entry'): Uint8Array[] {
  return Array.from({ length: count }, (_, i) => enc.encode(`${prefix} ${i}`));
}

function verified(outcome: MonitorOutcome): Extract<MonitorOutcome, { kind: 'verified' }> {
  if (outcome.kind !== 'verified') assert.fail(`the monitor found: ${outcome.message}`);
  return outcome;
}

function problem(outcome: MonitorOutcome): Extract<MonitorOutcome, { kind: 'inconsistent' }> {
  if (outcome.kind !== 'inconsistent') assert.fail('the monitor found nothing wrong');
  return outcome;
}

async function stateAt(log: ServedLog, options = trust): Promise<MonitorState> {
  return verified(await checkServedLog(undefined, log.fetcher, options)).state;
}

async function rejection(promise: Promise<unknown>): Promise<{ code: string; message: string }> {
  try {
    await promise;
  } catch (error) {
    assert.ok(isAppError(error), String(error));
    return { code: error.code, message: error.message };
  }
  assert.fail('the check passed');
}

test('first use: the checkpoint is verified, its tiles hash to its root, and it becomes the state', async () => {
  const log = serve(entriesOf(1000));
  const outcome = verified(await checkServedLog(undefined, log.fetcher, trust));
  assert.equal(outcome.consistency, 'first-use');
  assert.equal(outcome.state.size, 1000);
  assert.equal(outcome.state.note, log.note);
  assert.equal(outcome.state.entriesVerified, undefined);
  assert.equal(outcome.entriesChecked, 0);
  assert.ok(!log.requests.some((r) => r.startsWith('entries')), 'no entry is downloaded without --entries');
});

test('a growing log: consistency is proved from the stored tree with a few tiles, and an unchanged one stays so', async () => {
  const all = entriesOf(70_000);
  for (const [from, to] of [[1, 2], [255, 256], [256, 257], [300, 1000], [1000, 70_000], [65_536, 70_000]] as const) {
    const state = await stateAt(serve(all.slice(0, from)));
    const later = serve(all.slice(0, to));
    const outcome = verified(await checkServedLog(state, later.fetcher, trust));
    assert.equal(outcome.consistency, 'proved');
    assert.equal(outcome.state.size, to);
    assert.ok(outcome.tilesFetched <= 8, `${from} → ${to} fetched ${outcome.tilesFetched} tiles`);
  }
  const state = await stateAt(serve(all.slice(0, 500)));
  assert.equal(verified(await checkServedLog(state, serve(all.slice(0, 500)).fetcher, trust)).consistency, 'unchanged');
});

test('a rollback is caught with both checkpoints as evidence', async () => {
  const all = entriesOf(1000);
  const state = await stateAt(serve(all));
  const older = serve(all.slice(0, 600));
  const found = problem(await checkServedLog(state, older.fetcher, trust));
  assert.equal(found.problem, 'rollback');
  assert.equal(found.stored, state.note);
  assert.equal(found.presented, older.note);
  assert.match(found.message, /size 600 after signing one of size 1000/);
});

test('a split view: the same key serving another tree is a fork at the same size and an inconsistency when larger', async () => {
  const state = await stateAt(serve(entriesOf(700)));
  const fork = problem(await checkServedLog(state, serve(entriesOf(700, 'other')).fetcher, trust));
  assert.equal(fork.problem, 'fork');
  const other = serve([...entriesOf(500), ...entriesOf(500, 'other')]);
  const split = problem(await checkServedLog(state, other.fetcher, trust));
  assert.equal(split.problem, 'inconsistent');
  assert.equal(split.stored, state.note);
  assert.equal(split.presented, other.note);
  assert.match(split.message, /does not extend the tree of size 700/);
});

test('a tampered tile is caught: in the tiles of the root, and in the tiles of the consistency proof', async () => {
  const all = entriesOf(1000);
  const rootTampered = serve(all);
  rootTampered.tiles.get('0/3')?.fill(7, 0, 1);
  assert.equal(problem(await checkServedLog(undefined, rootTampered.fetcher, trust)).problem, 'bad-tiles');
  const state = await stateAt(serve(all.slice(0, 300)));
  const proofTampered = serve(all);
  proofTampered.tiles.get('0/1')?.fill(7, 100 * 32, 100 * 32 + 1);
  assert.equal(problem(await checkServedLog(state, proofTampered.fetcher, trust)).problem, 'inconsistent');
});

test('--entries: every entry is re-hashed on first use, then only the new ones', async () => {
  const all = entriesOf(1300);
  const initial = serve(all.slice(0, 1000));
  const first = verified(await checkServedLog(undefined, initial.fetcher, withEntries));
  assert.equal(first.entriesChecked, 1000);
  assert.deepEqual(initial.requests.filter((r) => r.startsWith('tile 0/')), ['tile 0/3/232'], 'level-0 tiles are read only to find a bad entry');
  assert.equal(first.state.entriesVerified?.size, 1000);
  const later = serve(all);
  const second = verified(await checkServedLog(first.state, later.fetcher, withEntries));
  assert.equal(second.entriesChecked, 300);
  assert.deepEqual(later.requests.filter((r) => r.startsWith('entries')), ['entries 3/256', 'entries 4/256', 'entries 5/20']);
});

test('--entries resumes where entries were last re-hashed, from the edge of that tree', async () => {
  const all = entriesOf(2000);
  const withoutEntries = verified(await checkServedLog(await stateAt(serve(all.slice(0, 300)), withEntries), serve(all.slice(0, 1000)).fetcher, trust));
  assert.equal(withoutEntries.state.entriesVerified?.size, 300);
  const resumed = verified(await checkServedLog(withoutEntries.state, serve(all).fetcher, withEntries));
  assert.equal(resumed.entriesChecked, 1700);
  assert.equal(resumed.state.entriesVerified?.size, 2000);
});

test('--entries catches an entry that does not hash to its leaf, and entries that do not hash to the root', async () => {
  const all = entriesOf(1000);
  const altered = serve(all);
  altered.entries[517] = enc.encode('entry 517 (altered)');
  const found = problem(await checkServedLog(undefined, altered.fetcher, withEntries));
  assert.equal(found.problem, 'bad-entries');
  assert.match(found.message, /entry 517 does not hash to its leaf hash in tile 0\/2/);
  // The server rewrote a full level-0 tile to match an altered entry: the leaves agree with it, the root does not.
  const rewritten = serve(all);
  rewritten.entries[3] = enc.encode('entry 3 (altered)');
  rewritten.tiles.get('0/0')?.set(leafHash(enc.encode('entry 3 (altered)')), 3 * 32);
  const rehashed = problem(await checkServedLog(undefined, rewritten.fetcher, withEntries));
  assert.equal(rehashed.problem, 'bad-entries');
  assert.match(rehashed.message, /hash to a tree of size 1000 whose root is .*, not the checkpoint's/);
});

test('--entries refuses a malformed entry bundle', async () => {
  const log = serve(entriesOf(300));
  const honest = async (i: number, w: number): Promise<Uint8Array> => {
    const bundle = await log.fetcher.entryBundle(i, w);
    if (bundle === 'removed') throw new Error('this log removed nothing');
    return bundle;
  };
  const padded: LogFetcher = { ...log.fetcher, entryBundle: async (i, w) => Buffer.concat([await honest(i, w), Buffer.from([0])]) };
  assert.match(problem(await checkServedLog(undefined, padded, withEntries)).message, /entry bundle 0 is malformed: entry bundle has 1 bytes after its 256 entries/);
  const short: LogFetcher = { ...log.fetcher, entryBundle: async (i, w) => (await honest(i, w)).subarray(0, 100) };
  assert.match(problem(await checkServedLog(undefined, short, withEntries)).message, /entry bundle 0 is malformed: entry bundle holds 11 entries in 100 bytes, not 256/);
});

test('--entries takes the leaf hashes of bundles the log removed by retention (410) from the tiles, and says how many', async () => {
  const log = serve(entriesOf(700));
  const retained: LogFetcher = { ...log.fetcher, entryBundle: (i, w) => (i === 0 ? Promise.resolve('removed') : log.fetcher.entryBundle(i, w)) };
  const outcome = verified(await checkServedLog(undefined, retained, withEntries));
  assert.deepEqual([outcome.entriesChecked, outcome.entriesRemoved], [700 - 256, 256]);
  const altered = serve(entriesOf(700));
  altered.entries[300] = enc.encode('entry 300 (altered)');
  const alteredRetained: LogFetcher = { ...altered.fetcher, entryBundle: (i, w) => (i === 0 ? Promise.resolve('removed') : altered.fetcher.entryBundle(i, w)) };
  assert.equal(problem(await checkServedLog(undefined, alteredRetained, withEntries)).problem, 'bad-entries', 'entries still held are re-hashed');
});

test('a tile of the wrong length, a bad signature, an unknown key and another log are refused with what is wrong', async () => {
  const log = serve(entriesOf(300));
  const wide: LogFetcher = { ...log.fetcher, tile: (coord) => Promise.resolve(new Uint8Array(coord.width * 32 + 1)) };
  assert.deepEqual(await rejection(checkServedLog(undefined, wide, trust)), { code: 'unavailable', message: 'the server sent 1409 bytes for tile 0/1 (width 44), not 1408' });
  const forged = log.note.replace(/\n300\n/, '\n301\n');
  const bad = await rejection(checkServedLog(undefined, serve(entriesOf(300), signer, forged).fetcher, trust));
  assert.equal(bad.code, 'ledger_inconsistent');
  assert.match(bad.message, /the checkpoint served does not verify: signed note has an invalid signature by monitor\.example\.com\/log\+/);
  const stranger = createSigner(generateSignerKey(ORIGIN).signerKey);
  assert.match((await rejection(checkServedLog(undefined, serve(entriesOf(3), stranger).fetcher, trust))).message, /no signature by a known key/);
  const elsewhere = createSigner(generateSignerKey('elsewhere.example.com/log').signerKey);
  const state = await stateAt(log);
  const otherLog = await rejection(checkServedLog(state, serve(entriesOf(3), elsewhere).fetcher, { ...trust, verifiers: [createVerifier(elsewhere.verifierKey)] }));
  assert.equal(otherLog.code, 'invalid_input');
  assert.match(otherLog.message, /the state is of the log "monitor\.example\.com\/log", but the server's checkpoint is of "elsewhere\.example\.com\/log"/);
});

test('with a witness policy the checkpoint needs its quorum of cosignatures', async () => {
  const witness = createCosigner(generateSignerKey('witness.example.com').signerKey);
  const policy = parseWitnessPolicy(`log ${logKey.verifierKey}\nwitness w1 ${witness.verifierKey}\nquorum w1\n`);
  const log = serve(entriesOf(10));
  const lacking = await rejection(checkServedLog(undefined, log.fetcher, { ...trust, verifiers: [], policy }));
  assert.equal(lacking.code, 'ledger_inconsistent');
  assert.match(lacking.message, /lacks the witness quorum: it needs w1, and is cosigned by none/);
  const text = log.note.slice(0, log.note.indexOf('\n\n') + 1);
  const cosigned = withCosignatures(log.note, [cosignCheckpoint(witness, text, 1_800_000_000)]);
  const outcome = verified(await checkServedLog(undefined, serve(entriesOf(10), signer, cosigned).fetcher, { ...trust, verifiers: [], policy }));
  assert.deepEqual(outcome.cosigners, ['w1']);
  assert.equal(outcome.state.note, cosigned);
});
