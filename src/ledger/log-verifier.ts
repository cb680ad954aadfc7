// The full audit of a stored log: every leaf and tree node recomputed, every checkpoint's signature and root checked.
import type { Checkpoint } from './checkpoint.ts';
import { parseCheckpoint } from './checkpoint.ts';
import { hashesEqual, HASH_SIZE, leafHash, type Hash } from './hash.ts';
import type { LedgerStore, StoredCheckpoint } from './ledger-store.ts';
import { openNote, type NoteVerifier } from './signed-note.ts';
import { describeStored, type BlockStop, type EntryBlock, type EntryBlockBuffers } from './entry-block.ts';
import type { IndexWindow } from './retention-store.ts';
import { createLeafHasher, type HashedRows, type LeafHasher } from './leaf-hasher.ts';
import { appendLeaves, edgeTiles, TILE_WIDTH, type KnownTileRoot, type TileData } from './tiles.ts';
import { isAppError } from '../shared/app-error.ts';

export interface VerifyProblem {
  /** The first entry index the problem concerns, when one can be named. */
  readonly index: number | undefined;
  readonly message: string;
}

export interface VerifyReport {
  readonly ok: boolean;
  readonly treeSize: number;
  readonly entriesChecked: number;
  /** Entries whose content retention removed: their leaf hashes (from the tiles) were checked against every signed root instead. */
  readonly entriesRemoved: number;
  readonly checkpointsChecked: number;
  readonly pending: number;
  readonly problems: readonly VerifyProblem[];
  /** The lowest index named by any problem. */
  readonly firstBadIndex: number | undefined;
}

const MAX_PROBLEMS = 20;
const CHUNK = 16_384;
/** Below this many entries a worker thread costs more to start than it saves. */
const DEFAULT_WORKER_FROM_ENTRIES = 50_000;

export interface VerifyOptions {
  /** Hash leaves on a worker thread (overlapping the reads) when the log has at least this many entries. */
  readonly leafHashWorkerFromEntries?: number;
}

interface Audit {
  readonly problems: VerifyProblem[];
  /** `rangeEnd` (exclusive) when the problem only bounds the bad entry to index…rangeEnd−1 rather than naming it. */
  report(index: number | undefined, message: string, rangeEnd?: number): void;
  /** The lowest index of a problem, where a range that holds a narrower problem (or an exact index) yields to it. */
  firstBadIndex(): number | undefined;
}

function createAudit(): Audit {
  const problems: VerifyProblem[] = [];
  const located: { from: number; to: number }[] = [];
  return {
    problems,
    report(index, message, rangeEnd) {
      if (problems.length >= MAX_PROBLEMS) return;
      problems.push({ index, message });
      if (index !== undefined) located.push({ from: index, to: rangeEnd ?? index + 1 });
    },
    firstBadIndex() {
      const holdsNarrower = (r: { from: number; to: number }): boolean =>
        located.some((p) => p.from >= r.from && p.to <= r.to && p.to - p.from < r.to - r.from);
      const starts = located.filter((r) => !holdsNarrower(r)).map((r) => r.from);
      return starts.length === 0 ? undefined : Math.min(...starts);
    },
  };
}

interface Rebuilding {
  readonly treeSize: number;
  readonly checkpoints: readonly Checkpoint[];
  readonly rebuild: TreeRebuild;
  readonly cursor: { next: number };
  removed: number;
}

function stopProblem(stop: BlockStop): VerifyProblem {
  return stop.kind === 'missing'
    ? { index: stop.index, message: `entry ${stop.index} is missing: rows were deleted or re-numbered` }
    : { index: stop.index, message: `entry ${stop.index} is stored as ${stop.storedAs}, not bytes` };
}

/** Checks one block's hashed rows: the event id column, the rebuilt tree against the stored tiles and signed roots. */
async function checkBlock(store: LedgerStore, block: EntryBlock, hashed: HashedRows, state: Rebuilding, audit: Audit): Promise<void> {
  if (hashed.badIdAt !== undefined) {
    const index = block.fromIndex + hashed.badIdAt;
    audit.report(index, `entry ${index}: the stored event id column does not match the entry`);
  }
  const touched = new Map<string, TileData>();
  growThroughCheckpoints(state.rebuild, hashed.leaves, state.checkpoints, state.cursor, touched, audit, (tile) => hashed.tileRoot(tile));
  await compareTiles(store, [...touched.values()], state.rebuild.size, state.treeSize, audit);
  if (block.stop !== undefined) {
    const problem = stopProblem(block.stop);
    audit.report(problem.index, problem.message);
  }
}

/** Runs of indices retention removed within [from, to) (none on a store that never removes). */
function removedIn(store: LedgerStore, from: number, to: number): Promise<IndexWindow[]> {
  return store.removed === undefined || from >= to ? Promise.resolve([]) : store.removed.readRemovedRanges(from, to);
}

/** The leaf hash of entry `index` as its level-0 tile stores it, or undefined. */
function storedLeaf(tiles: ReadonlyMap<number, unknown>, index: number): Hash | undefined {
  const hashes = tiles.get(Math.floor(index / TILE_WIDTH));
  const at = (index % TILE_WIDTH) * HASH_SIZE;
  return hashes instanceof Uint8Array && hashes.length >= at + HASH_SIZE ? hashes.slice(at, at + HASH_SIZE) : undefined;
}

/**
 * Checks a window [from, to) that holds entries retention removed: the rows left are re-hashed here, the removed ones'
 * leaf hashes come from the level-0 tiles (a changed one then fails the signed roots, as a changed entry would), and a
 * row missing without a stub is still reported. One read of rows and one of tiles per window, whatever the gaps.
 */
async function checkWindowWithRemovals(store: LedgerStore, window: IndexWindow, removed: readonly IndexWindow[], state: Rebuilding, audit: Audit): Promise<{ checked: number; removed: number }> {
  const rows = await store.readEntries(window.from, window.to);
  const tiles = new Map<number, unknown>((await store.readTileRange(0, Math.floor(window.from / TILE_WIDTH), Math.floor((window.to - 1) / TILE_WIDTH) + 1)).map((t) => [t.index, t.hashes]));
  const leaves: Hash[] = [];
  const counts = { checked: 0, removed: 0 };
  let badId: number | undefined;
  let stop: VerifyProblem | undefined;
  for (let index = window.from, row = 0, run = 0; index < window.to && stop === undefined; index++) {
    while ((removed[run]?.to ?? Infinity) <= index) run += 1;
    const current = rows[row];
    if (current?.index === index) {
      row += 1;
      const entry: unknown = current.entry;
      if (!(entry instanceof Uint8Array)) {
        stop = { index, message: `entry ${index} is stored as ${describeStored(entry)}, not bytes` };
        break;
      }
      if (badId === undefined && Buffer.from(entry.buffer, entry.byteOffset, entry.byteLength).indexOf(`"id":"${current.eventId}"`) < 0) badId = index;
      leaves.push(leafHash(entry));
      counts.checked += 1;
    } else if ((removed[run]?.from ?? Infinity) <= index) {
      const leaf = storedLeaf(tiles, index);
      if (leaf === undefined) stop = { index, message: `entry ${index} was removed by retention, and its leaf hash is missing from tile 0/${Math.floor(index / TILE_WIDTH)}: the tree cannot be checked past it` };
      else leaves.push(leaf);
      counts.removed += leaf === undefined ? 0 : 1;
    } else {
      stop = { index, message: `entry ${index} is missing: rows were deleted or re-numbered` };
    }
  }
  if (badId !== undefined) audit.report(badId, `entry ${badId}: the stored event id column does not match the entry`);
  const touched = new Map<string, TileData>();
  growThroughCheckpoints(state.rebuild, leaves, state.checkpoints, state.cursor, touched, audit);
  await compareTiles(store, [...touched.values()], state.rebuild.size, state.treeSize, audit);
  if (stop !== undefined) audit.report(stop.index, stop.message);
  return counts;
}

/**
 * Checks blocks from `from` on, reading the next block while the current one is hashed (on a worker for large logs,
 * and on SQLite read on another), until the end, a problem, or a window holding removed entries; returns how many
 * entries were checked and where to go on.
 */
async function checkBlocks(store: LedgerStore, hasher: LeafHasher, from: number, state: Rebuilding, audit: Audit): Promise<{ checked: number; next: number }> {
  const read = (at: number, reuse: EntryBlockBuffers | undefined): Promise<EntryBlock> => store.readEntryBlock(at, Math.min(at + CHUNK, state.treeSize), reuse);
  let block: EntryBlock | undefined = await read(from, undefined);
  let hashing: Promise<HashedRows> | undefined = hasher.hash(block);
  let spare: EntryBlockBuffers | undefined;
  let checked = 0;
  let next = state.treeSize;
  while (block !== undefined && hashing !== undefined) {
    const end: number = block.fromIndex + CHUNK;
    const more: boolean = block.stop === undefined && end < state.treeSize;
    const clear: boolean = more && (await removedIn(store, end, Math.min(end + CHUNK, state.treeSize))).length === 0;
    if (more && !clear) next = end;
    const following: EntryBlock | undefined = clear ? await read(end, spare) : undefined;
    const hashed = await hashing;
    hashing = following === undefined ? undefined : hasher.hash(following);
    await checkBlock(store, block, hashed, state, audit);
    spare = hashed.release();
    checked += block.count;
    if (audit.problems.length > 0) break;
    block = following;
  }
  // Stopped at a problem while the next block is being hashed: the worker is stopped next, its answer is not needed.
  hashing?.catch(() => undefined);
  return { checked, next };
}

/** Checks every entry up to the first problem, window by window; returns how many entries were re-hashed. */
async function checkEntries(store: LedgerStore, hasher: LeafHasher, state: Rebuilding, audit: Audit): Promise<number> {
  let checked = 0;
  if (audit.problems.length > 0) return checked; // a bad checkpoint: the roots to check the entries against are not trustworthy
  for (let from = 0; from < state.treeSize && audit.problems.length === 0; ) {
    const window = { from, to: Math.min(from + CHUNK, state.treeSize) };
    const removed = await removedIn(store, window.from, window.to);
    if (removed.length > 0) {
      const counts = await checkWindowWithRemovals(store, window, removed, state, audit);
      checked += counts.checked;
      state.removed += counts.removed;
      from = window.to;
    } else {
      const run = await checkBlocks(store, hasher, from, state, audit);
      checked += run.checked;
      from = run.next;
    }
  }
  return checked;
}

/** Checks one stored checkpoint: a valid signature by the log's key, and a body that matches its stored columns. */
function checkCheckpoint(stored: StoredCheckpoint, verifier: NoteVerifier, audit: Audit): Checkpoint | undefined {
  let body: Checkpoint;
  try {
    body = parseCheckpoint(openNote(stored.note, [verifier]).text);
  } catch (error) {
    audit.report(undefined, `checkpoint of size ${stored.size} is not validly signed by ${verifier.name}: ${isAppError(error) ? error.message : String(error)}`);
    return undefined;
  }
  if (body.origin !== verifier.name) audit.report(undefined, `checkpoint of size ${stored.size} has origin "${body.origin}", not "${verifier.name}"`);
  if (!(stored.rootHash instanceof Uint8Array)) {
    audit.report(undefined, `checkpoint of size ${stored.size}: its stored root is ${describeStored(stored.rootHash)}, not bytes`);
  } else if (body.size !== stored.size || !hashesEqual(body.rootHash, stored.rootHash)) {
    audit.report(undefined, `checkpoint of size ${stored.size}: its stored size or root differs from what was signed`);
  }
  return body;
}

async function readAllCheckpoints(store: LedgerStore, verifier: NoteVerifier, audit: Audit): Promise<Checkpoint[]> {
  const checked: Checkpoint[] = [];
  for (let from = 0; ; ) {
    const page = await store.readCheckpoints(from, Number.MAX_SAFE_INTEGER, 10_000);
    for (const stored of page) {
      const body = checkCheckpoint(stored, verifier, audit);
      if (body !== undefined) checked.push(body);
    }
    const last = page[page.length - 1];
    if (last === undefined || page.length < 10_000) return checked;
    from = last.size + 1;
  }
}

/** Rebuilds the tree from leaf hashes alone, comparing what it builds with the stored tiles and checkpoints. */
class TreeRebuild {
  size = 0;
  private edge = new Map<string, Uint8Array>();

  append(leaves: Hash[], knownRoot?: KnownTileRoot): { tiles: TileData[]; root: Hash } {
    const grown = appendLeaves(this.size, { tile: (level, index) => this.edge.get(`${level}/${index}`) }, leaves, knownRoot);
    this.size = grown.newSize;
    const keep = new Set(edgeTiles(this.size).map((c) => `${c.level}/${c.index}`));
    for (const t of grown.tiles) this.edge.set(`${t.level}/${t.index}`, t.hashes);
    for (const key of this.edge.keys()) if (!keep.has(key)) this.edge.delete(key);
    return grown;
  }
}

function firstDifferingHash(a: Uint8Array, b: Uint8Array): number {
  if (hashesEqual(a, b)) return -1; // the usual case: one comparison for the whole tile
  for (let i = 0; i * HASH_SIZE < Math.max(a.length, b.length); i++) {
    const x = a.subarray(i * HASH_SIZE, (i + 1) * HASH_SIZE);
    const y = b.subarray(i * HASH_SIZE, (i + 1) * HASH_SIZE);
    if (x.length !== y.length || !hashesEqual(x, y)) return i;
  }
  return -1;
}

/** `rebuiltSize` is how far the rebuild has got: below `finalSize`, a stored tile may rightly be wider than the rebuilt one. */
async function compareTiles(store: LedgerStore, rebuilt: readonly TileData[], rebuiltSize: number, finalSize: number, audit: Audit): Promise<void> {
  const stored = new Map((await store.readTiles(rebuilt.map((t) => ({ level: t.level, index: t.index, width: 1 })))).map((t) => [`${t.level}/${t.index}`, t.hashes]));
  for (const tile of rebuilt) {
    const have: unknown = stored.get(`${tile.level}/${tile.index}`);
    const width = tile.hashes.length / HASH_SIZE;
    if (have !== undefined && !(have instanceof Uint8Array)) {
      const index = tile.index * TILE_WIDTH * TILE_WIDTH ** tile.level;
      audit.report(index, `tile ${tile.level}/${tile.index} is stored as ${describeStored(have)}, not bytes (it covers entries from ${index})`, index + TILE_WIDTH ** (tile.level + 1));
      continue;
    }
    const isFinal = (rebuiltSize === finalSize && edgeTiles(finalSize).some((c) => c.level === tile.level && c.index === tile.index)) || width === TILE_WIDTH;
    const compared = have === undefined ? undefined : isFinal ? have : have.subarray(0, tile.hashes.length);
    const at = compared === undefined ? 0 : firstDifferingHash(tile.hashes, compared);
    if (at >= 0) {
      const span = TILE_WIDTH ** tile.level;
      const index = (tile.index * TILE_WIDTH + Math.min(at, width - 1)) * span;
      audit.report(index, tile.level === 0
        ? `entry ${index}: its bytes do not hash to the stored leaf hash (the entry or its tile was changed)`
        : `stored tree node over entries ${index}…${index + span - 1} (tile ${tile.level}/${tile.index}) does not match the entries`,
      tile.level === 0 ? undefined : index + span);
    }
  }
}

/** Feeds `leaves` into the rebuild, comparing the root at every checkpoint size it passes. */
function growThroughCheckpoints(
  rebuild: TreeRebuild,
  leaves: Hash[],
  checkpoints: readonly Checkpoint[],
  cursor: { next: number },
  touched: Map<string, TileData>,
  audit: Audit,
  knownRoot?: KnownTileRoot,
): void {
  for (let pos = 0; pos < leaves.length; ) {
    const target = checkpoints[cursor.next]?.size ?? Number.MAX_SAFE_INTEGER;
    const take = Math.min(leaves.length - pos, target - rebuild.size);
    const grown = rebuild.append(leaves.slice(pos, pos + take), knownRoot);
    for (const t of grown.tiles) touched.set(`${t.level}/${t.index}`, t);
    pos += take;
    if (rebuild.size === target) {
      const checkpoint = checkpoints[cursor.next];
      const previous = cursor.next > 0 ? (checkpoints[cursor.next - 1]?.size ?? 0) : 0;
      if (checkpoint !== undefined && !hashesEqual(grown.root, checkpoint.rootHash)) {
        audit.report(previous, `the entries do not reproduce the signed root of checkpoint ${checkpoint.size}: an entry at index ${previous}…${checkpoint.size - 1} was changed, removed or reordered`, checkpoint.size);
      }
      cursor.next += 1;
    }
  }
}

/**
 * Audits the whole stored log against the verifier key; never throws for a bad log, it reports.
 * On large logs the leaves are hashed on a worker thread while the next rows are read.
 * @example const report = await verifyLog(store, createVerifier(key)); report.ok
 */
export async function verifyLog(store: LedgerStore, verifier: NoteVerifier, options: VerifyOptions = {}): Promise<VerifyReport> {
  const audit = createAudit();
  const checkpoints = await readAllCheckpoints(store, verifier, audit);
  const treeSize = checkpoints[checkpoints.length - 1]?.size ?? 0;
  const rebuild = new TreeRebuild();
  const cursor = { next: 0 };
  growThroughCheckpoints(rebuild, [], checkpoints, cursor, new Map(), audit);
  while (checkpoints[cursor.next]?.size === 0) {
    growThroughCheckpoints(rebuild, [], checkpoints, cursor, new Map(), audit);
    cursor.next += 1;
  }
  const hasher = createLeafHasher({ useWorker: treeSize >= (options.leafHashWorkerFromEntries ?? DEFAULT_WORKER_FROM_ENTRIES) });
  let checked = 0;
  const state: Rebuilding = { treeSize, checkpoints, rebuild, cursor, removed: 0 };
  try {
    checked = await checkEntries(store, hasher, state, audit);
  } finally {
    await hasher.close();
  }
  const stats = await store.entryStats();
  if (stats.count + state.removed > treeSize || (stats.maxIndex ?? -1) >= treeSize) {
    audit.report(treeSize, `${stats.count - checked} stored entries lie beyond the signed tree of size ${treeSize}: rows were inserted, or a checkpoint was removed`);
  }
  const problems = [...audit.problems].sort((a, b) => (a.index ?? Infinity) - (b.index ?? Infinity));
  return {
    ok: problems.length === 0,
    treeSize,
    entriesChecked: checked,
    entriesRemoved: state.removed,
    checkpointsChecked: checkpoints.length,
    pending: await store.countPending(),
    problems,
    firstBadIndex: audit.firstBadIndex(),
  };
}
