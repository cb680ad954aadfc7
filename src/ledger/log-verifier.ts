// The full audit of a stored log: every leaf and tree node recomputed, every checkpoint's signature and root checked.
import type { Checkpoint } from './checkpoint.ts';
import { parseCheckpoint } from './checkpoint.ts';
import { hashesEqual, leafHash, HASH_SIZE, type Hash } from './hash.ts';
import type { LedgerStore, StoredCheckpoint } from './ledger-store.ts';
import { openNote, type NoteVerifier } from './signed-note.ts';
import { appendLeaves, edgeTiles, TILE_WIDTH, type TileData } from './tiles.ts';
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
  readonly checkpointsChecked: number;
  readonly pending: number;
  readonly problems: readonly VerifyProblem[];
  /** The lowest index named by any problem. */
  readonly firstBadIndex: number | undefined;
}

const MAX_PROBLEMS = 20;
const CHUNK = 8192;

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
  if (body.size !== stored.size || !hashesEqual(body.rootHash, stored.rootHash)) {
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

  append(leaves: Hash[]): { tiles: TileData[]; root: Hash } {
    const grown = appendLeaves(this.size, { tile: (level, index) => this.edge.get(`${level}/${index}`) }, leaves);
    this.size = grown.newSize;
    const keep = new Set(edgeTiles(this.size).map((c) => `${c.level}/${c.index}`));
    for (const t of grown.tiles) this.edge.set(`${t.level}/${t.index}`, t.hashes);
    for (const key of this.edge.keys()) if (!keep.has(key)) this.edge.delete(key);
    return grown;
  }
}

function firstDifferingHash(a: Uint8Array, b: Uint8Array): number {
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
    const have = stored.get(`${tile.level}/${tile.index}`);
    const width = tile.hashes.length / HASH_SIZE;
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
function growThroughCheckpoints(rebuild: TreeRebuild, leaves: Hash[], checkpoints: readonly Checkpoint[], cursor: { next: number }, touched: Map<string, TileData>, audit: Audit): void {
  for (let pos = 0; pos < leaves.length; ) {
    const target = checkpoints[cursor.next]?.size ?? Number.MAX_SAFE_INTEGER;
    const take = Math.min(leaves.length - pos, target - rebuild.size);
    const grown = rebuild.append(leaves.slice(pos, pos + take));
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

function findIdColumnMismatch(rows: readonly { index: number; eventId: string; entry: Uint8Array }[]): number | undefined {
  for (const row of rows) {
    if (Buffer.from(row.entry.buffer, row.entry.byteOffset, row.entry.byteLength).indexOf(`"id":"${row.eventId}"`) < 0) return row.index;
  }
  return undefined;
}

/**
 * Audits the whole stored log against the verifier key; never throws for a bad log, it reports.
 * @example const report = await verifyLog(store, createVerifier(key)); report.ok
 */
export async function verifyLog(store: LedgerStore, verifier: NoteVerifier): Promise<VerifyReport> {
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
  let checked = 0;
  for (let from = 0; from < treeSize && audit.problems.length === 0; from += CHUNK) {
    const rows = await store.readEntries(from, Math.min(from + CHUNK, treeSize));
    const gap = rows.findIndex((row, i) => row.index !== from + i);
    if (gap >= 0 || rows.length < Math.min(CHUNK, treeSize - from)) {
      const missing = gap >= 0 ? from + gap : from + rows.length;
      audit.report(missing, `entry ${missing} is missing: rows were deleted or re-numbered`);
      break;
    }
    const badId = findIdColumnMismatch(rows);
    if (badId !== undefined) audit.report(badId, `entry ${badId}: the stored event id column does not match the entry`);
    const touched = new Map<string, TileData>();
    growThroughCheckpoints(rebuild, rows.map((r) => leafHash(r.entry)), checkpoints, cursor, touched, audit);
    await compareTiles(store, [...touched.values()], rebuild.size, treeSize, audit);
    checked += rows.length;
  }
  const stats = await store.entryStats();
  if (stats.count > treeSize || (stats.maxIndex ?? -1) >= treeSize) {
    audit.report(treeSize, `${stats.count - checked} stored entries lie beyond the signed tree of size ${treeSize}: rows were inserted, or a checkpoint was removed`);
  }
  const problems = [...audit.problems].sort((a, b) => (a.index ?? Infinity) - (b.index ?? Infinity));
  return {
    ok: problems.length === 0,
    treeSize,
    entriesChecked: checked,
    checkpointsChecked: checkpoints.length,
    pending: await store.countPending(),
    problems,
    firstBadIndex: audit.firstBadIndex(),
  };
}
