// A monitor of a log served as C2SP tlog-tiles: trust in the checkpoint, consistency with the last one verified, and optionally every new entry re-hashed.
import { AppError } from '../shared/app-error.ts';
import { parseCheckpoint, type Checkpoint } from './checkpoint.ts';
import { decodeEntryBundle } from './entry-bundle.ts';
import { emptyRoot, hashesEqual, HASH_SIZE, leafHash, type Hash } from './hash.ts';
import { verifyConsistency } from './proof-verify.ts';
import { openNote, type NoteVerifier } from './signed-note.ts';
import { appendLeaves, edgeTiles, proveConsistency, tilesForConsistency, tilesForRoot, treeRoot, TILE_WIDTH, type TileCoord, type TileSource } from './tiles.ts';
import { checkCheckpointWithPolicy, type WitnessPolicy } from './witness-policy.ts';

/** A tree the monitor verified: its size and root. */
export interface VerifiedTree {
  readonly size: number;
  readonly rootHash: Hash;
}

/** What a monitor keeps between checks: the last checkpoint it verified, verbatim, and how far entries were re-hashed. */
export interface MonitorState extends VerifiedTree {
  readonly origin: string;
  /** The signed checkpoint note exactly as the log served it: evidence, should a later one conflict with it. */
  readonly note: string;
  /** The latest tree whose every entry was downloaded and re-hashed (the tree of `size` or an earlier one), if any. */
  readonly entriesVerified: VerifiedTree | undefined;
}

/** The port to the served log; every byte it returns is treated as hostile. */
export interface LogFetcher {
  /** The signed checkpoint note, as served. */
  checkpoint(): Promise<string>;
  /** The first `coord.width` hashes of a hash tile: exactly width·32 bytes. */
  tile(coord: TileCoord): Promise<Uint8Array>;
  /** Entry bundle `index` holding `width` entries, or 'removed' when the log's retention removed entries of it (HTTP 410). */
  entryBundle(index: number, width: number): Promise<Uint8Array | 'removed'>;
}

export interface MonitorOptions {
  /** The log keys trusted (key rotation: several); the checkpoint's origin must be the name of one that signed it. */
  readonly verifiers: readonly NoteVerifier[];
  /** A witness policy the checkpoint must also satisfy (its log key and its quorum of cosignatures). */
  readonly policy: WitnessPolicy | undefined;
  /** Download and re-hash every entry not yet re-hashed. */
  readonly entries: boolean;
  /** Entry bundles (with their level-0 tiles) in flight at once; default 8. */
  readonly concurrency?: number;
}

/** How the checkpoint relates to the state: nothing to compare with, the same tree, or a proved extension of it. */
export type Consistency = 'first-use' | 'unchanged' | 'proved';

export type MonitorProblem = 'rollback' | 'fork' | 'inconsistent' | 'bad-tiles' | 'bad-entries';

export type MonitorOutcome =
  | {
      readonly kind: 'verified';
      readonly state: MonitorState;
      readonly checkpoint: Checkpoint;
      readonly cosigners: readonly string[];
      readonly consistency: Consistency;
      readonly entriesChecked: number;
      /** Entries of bundles the log no longer serves (410: retention removed some or all of them): checked by the level-0 tiles' leaf hashes only. */
      readonly entriesRemoved: number;
      readonly tilesFetched: number;
    }
  | {
      readonly kind: 'inconsistent';
      readonly problem: MonitorProblem;
      readonly message: string;
      /** The checkpoint verified earlier (absent on first use). */
      readonly stored: string | undefined;
      /** The checkpoint the log serves now. */
      readonly presented: string;
    };

type Inconsistent = Extract<MonitorOutcome, { kind: 'inconsistent' }>;

const DEFAULT_CONCURRENCY = 8;

function errorText(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

/** The checkpoint of a note signed by one of `verifiers` named as its origin. */
function signedByOrigin(note: string, verifiers: readonly NoteVerifier[]): Checkpoint {
  const opened = openNote(note, [...verifiers]);
  const checkpoint = parseCheckpoint(opened.text);
  if (!opened.verifiedBy.some((v) => v.name === checkpoint.origin)) {
    throw new AppError('ledger_inconsistent', `its origin "${checkpoint.origin.slice(0, 200)}" is not the name of the key that signed it`);
  }
  return checkpoint;
}

/**
 * Checks a served checkpoint note: a signature by one of `verifiers` whose name is the origin, and the witness
 * policy when one is given. Throws AppError('ledger_inconsistent') saying what fails.
 * @example checkServedCheckpoint(note, { verifiers: [createVerifier(vkey)], policy: undefined }).checkpoint.size
 */
export function checkServedCheckpoint(note: string, trust: Pick<MonitorOptions, 'verifiers' | 'policy'>): { checkpoint: Checkpoint; cosigners: readonly string[] } {
  if (trust.verifiers.length === 0 && trust.policy === undefined) throw new AppError('invalid_input', 'a log key (--vkey) or a witness policy (--policy) is needed to trust a checkpoint');
  try {
    const signed = trust.verifiers.length > 0 ? signedByOrigin(note, trust.verifiers) : undefined;
    const checked = trust.policy === undefined ? undefined : checkCheckpointWithPolicy(note, trust.policy);
    const checkpoint = signed ?? checked?.checkpoint;
    if (checkpoint === undefined) throw new AppError('internal', 'no checkpoint was checked');
    return { checkpoint, cosigners: checked?.cosigners ?? [] };
  } catch (error) {
    throw new AppError('ledger_inconsistent', `the checkpoint served does not verify: ${errorText(error)}`, { cause: error });
  }
}

function inconsistent(problem: MonitorProblem, message: string, stored: string | undefined, presented: string): Inconsistent {
  return { kind: 'inconsistent', problem, message, stored, presented };
}

/** Rollback and fork need no tile: the sizes and roots of two signed checkpoints are enough. */
function compareWithState(state: MonitorState, checkpoint: Checkpoint, note: string): Inconsistent | undefined {
  if (checkpoint.size < state.size) {
    return inconsistent('rollback', `the log rolled back: it serves a tree of size ${checkpoint.size} after signing one of size ${state.size}`, state.note, note);
  }
  if (checkpoint.size === state.size && !hashesEqual(checkpoint.rootHash, state.rootHash)) {
    return inconsistent('fork', `the log signed two different trees of size ${state.size}: a fork (split view)`, state.note, note);
  }
  return undefined;
}

/** Tiles fetched during one check, each kept at the widest width fetched, read as a TileSource. */
interface TileReader {
  readonly source: TileSource;
  /** Fetches the tiles not yet held at least that wide. */
  fetch(coords: readonly TileCoord[]): Promise<void>;
  fetched(): number;
  /** Counts tiles fetched outside `fetch` (the level-0 tiles read beside entry bundles). */
  countFetched(count: number): void;
}

function tileName(coord: TileCoord): string {
  return `tile ${coord.level}/${coord.index} (width ${coord.width})`;
}

/**
 * The fetcher's tile, refused unless it is exactly width·32 bytes.
 * @example await exactTile(fetcher, { level: 0, index: 3, width: 256 }) // 8192 bytes
 */
export async function exactTile(fetcher: LogFetcher, coord: TileCoord): Promise<Uint8Array> {
  const bytes = await fetcher.tile(coord);
  if (bytes.length !== coord.width * HASH_SIZE) {
    throw new AppError('unavailable', `the server sent ${bytes.length} bytes for ${tileName(coord)}, not ${coord.width * HASH_SIZE}`);
  }
  return bytes;
}

function createTileReader(fetcher: LogFetcher): TileReader {
  const held = new Map<string, Uint8Array>();
  let count = 0;
  const key = (level: number, index: number): string => `${level}/${index}`;
  return {
    source: { tile: (level, index) => held.get(key(level, index)) },
    async fetch(coords) {
      const wanted = coords.filter((c) => (held.get(key(c.level, c.index))?.length ?? 0) < c.width * HASH_SIZE);
      const tiles = await Promise.all(wanted.map((c) => exactTile(fetcher, c)));
      wanted.forEach((c, i) => {
        const bytes = tiles[i];
        if (bytes !== undefined) held.set(key(c.level, c.index), bytes);
      });
      count += wanted.length;
    },
    fetched: () => count,
    countFetched(more) {
      count += more;
    },
  };
}

async function rootFromTiles(tree: VerifiedTree, coords: readonly TileCoord[], reader: TileReader): Promise<boolean> {
  await reader.fetch(coords);
  return hashesEqual(treeRoot(tree.size, reader.source), tree.rootHash);
}

/** Runs `start(0..count-1)` at most `window` at a time and yields the results in order (a failure surfaces when its turn comes). */
async function* inOrder<T>(count: number, window: number, start: (i: number) => Promise<T>): AsyncGenerator<T> {
  const pending: Promise<T>[] = [];
  let next = 0;
  const launch = (): void => {
    const promise = start(next++);
    promise.catch(() => undefined); // handled when its turn comes; never an unhandled rejection if the caller stops early
    pending.push(promise);
  };
  while (next < count && pending.length < window) launch();
  for (let promise = pending.shift(); promise !== undefined; promise = pending.shift()) {
    const value = await promise;
    if (next < count) launch();
    yield value;
  }
}

/** The edge tiles of a tree as it grows: appendLeaves reads only the partial tile of each level, full ones are dropped. */
function createEdge(tiles: TileSource, size: number): { source: TileSource; update(changed: readonly { level: number; index: number; hashes: Uint8Array }[]): void } {
  const held = new Map<string, Uint8Array>();
  for (const coord of edgeTiles(size)) {
    const bytes = tiles.tile(coord.level, coord.index);
    if (bytes !== undefined) held.set(`${coord.level}/${coord.index}`, bytes.subarray(0, coord.width * HASH_SIZE));
  }
  return {
    source: { tile: (level, index) => held.get(`${level}/${index}`) },
    update(changed) {
      for (const tile of changed) {
        if (tile.hashes.length === TILE_WIDTH * HASH_SIZE) held.delete(`${tile.level}/${tile.index}`);
        else held.set(`${tile.level}/${tile.index}`, tile.hashes);
      }
    },
  };
}

interface EntriesCheck {
  readonly from: VerifiedTree;
  readonly to: Checkpoint;
  readonly stored: string | undefined;
  readonly presented: string;
}

/** The entry bundles of the tree of `to` from the one holding entry `from` on, each at its width at `to`. */
interface BundleRange {
  readonly first: number;
  readonly count: number;
  widthOf(bundle: number): number;
}

function bundleRange(from: number, to: number): BundleRange {
  const first = Math.floor(from / TILE_WIDTH);
  return { first, count: Math.ceil(to / TILE_WIDTH) - first, widthOf: (b) => Math.min(TILE_WIDTH, to - b * TILE_WIDTH) };
}

/** Leaf hashes of one bundle's entries, or what is malformed. */
function bundleLeaves(bundle: Uint8Array, index: number, width: number): Hash[] | string {
  try {
    return decodeEntryBundle(bundle, width).map((entry) => leafHash(entry));
  } catch (error) {
    return `entry bundle ${index} is malformed: ${errorText(error)}`;
  }
}

/**
 * Re-hashes the bundles' entries after `from` and appends them to `from`'s edge: the root of the tree they make, and how
 * many leaves came from level-0 tiles because retention removed their entries (the root still checks those tiles).
 */
async function rebuildRoot(range: BundleRange, from: VerifiedTree, fetcher: LogFetcher, reader: TileReader, concurrency: number): Promise<{ root: Hash; removed: number } | string> {
  const edge = createEdge(reader.source, from.size);
  let size = from.size;
  let root = from.rootHash;
  let removed = 0;
  let b = range.first;
  const leavesOf = async (i: number): Promise<Hash[] | string> => {
    const index = range.first + i;
    const bundle = await fetcher.entryBundle(index, range.widthOf(index));
    if (bundle !== 'removed') return bundleLeaves(bundle, index, range.widthOf(index));
    removed += range.widthOf(index) - Math.max(0, from.size - index * TILE_WIDTH);
    reader.countFetched(1);
    const tile = await exactTile(fetcher, { level: 0, index, width: range.widthOf(index) });
    return Array.from({ length: range.widthOf(index) }, (_, j) => tile.slice(j * HASH_SIZE, (j + 1) * HASH_SIZE));
  };
  for await (const leaves of inOrder(range.count, concurrency, leavesOf)) {
    if (typeof leaves === 'string') return leaves;
    const fresh = leaves.slice(size - b * TILE_WIDTH);
    const grown = appendLeaves(size, edge.source, fresh);
    edge.update(grown.tiles);
    ({ newSize: size, root } = grown);
    b++;
  }
  return { root, removed };
}

/** After a wrong root: the first entry that does not hash to its leaf in the served level-0 tiles, if any does not. */
async function locateBadEntry(range: BundleRange, fetcher: LogFetcher, reader: TileReader, concurrency: number): Promise<string | undefined> {
  const fetchPair = (i: number): Promise<[Uint8Array | 'removed', Uint8Array]> => {
    const b = range.first + i;
    reader.countFetched(1);
    return Promise.all([fetcher.entryBundle(b, range.widthOf(b)), exactTile(fetcher, { level: 0, index: b, width: range.widthOf(b) })]);
  };
  let b = range.first;
  for await (const [bundle, tile] of inOrder(range.count, concurrency, fetchPair)) {
    if (bundle === 'removed') {
      b++;
      continue;
    }
    const leaves = bundleLeaves(bundle, b, range.widthOf(b));
    if (typeof leaves === 'string') return leaves;
    const bad = leaves.findIndex((leaf, j) => !hashesEqual(leaf, tile.subarray(j * HASH_SIZE, (j + 1) * HASH_SIZE)));
    if (bad >= 0) return `entry ${b * TILE_WIDTH + bad} does not hash to its leaf hash in tile 0/${b}`;
    b++;
  }
  return undefined;
}

/**
 * Downloads the entries after `from`, re-hashes them and rebuilds the tree from `from`'s edge (authenticated by its
 * root) to the checkpoint's root; when the root differs, finds the entry that does not match the served tiles.
 */
async function verifyEntries(check: EntriesCheck, fetcher: LogFetcher, reader: TileReader, concurrency: number): Promise<Inconsistent | { checked: number; removed: number }> {
  const { from, to } = check;
  const bad = (message: string): Inconsistent => inconsistent('bad-entries', message, check.stored, check.presented);
  if (from.size === to.size) return { checked: 0, removed: 0 };
  if (!(await rootFromTiles(from, edgeTiles(from.size), reader))) {
    return inconsistent('bad-tiles', `the tiles served do not hash to the root of the tree of size ${from.size} verified earlier`, check.stored, check.presented);
  }
  const range = bundleRange(from.size, to.size);
  const rebuilt = await rebuildRoot(range, from, fetcher, reader, concurrency);
  if (typeof rebuilt === 'string') return bad(rebuilt);
  const { root, removed } = rebuilt;
  if (hashesEqual(root, to.rootHash)) return { checked: to.size - from.size - removed, removed };
  const located = await locateBadEntry(range, fetcher, reader, concurrency);
  return bad(located ?? `the entries served hash to a tree of size ${to.size} whose root is ${Buffer.from(root).toString('base64')}, not the checkpoint's`);
}

async function proveFromState(state: MonitorState, checkpoint: Checkpoint, reader: TileReader): Promise<boolean> {
  await reader.fetch(tilesForConsistency(state.size, checkpoint.size));
  const proof = proveConsistency(state.size, checkpoint.size, reader.source);
  return verifyConsistency(state.size, checkpoint.size, state.rootHash, checkpoint.rootHash, proof);
}

/**
 * One check of a served log against the state of the last one (undefined: first use, trusted once verified).
 * Fetches and verifies the checkpoint, refuses a rollback or a fork, checks that the served tiles hash to its root,
 * proves consistency with the state from the tiles, and with `entries` re-hashes every entry not yet re-hashed.
 * Returns the new state to store, or the problem with both checkpoints as evidence. Throws AppError when the
 * checkpoint does not verify ('ledger_inconsistent') or the server answers wrongly ('unavailable').
 * @example const outcome = await checkServedLog(state, fetcher, { verifiers: [createVerifier(vkey)], policy: undefined, entries: false })
 */
export async function checkServedLog(state: MonitorState | undefined, fetcher: LogFetcher, options: MonitorOptions): Promise<MonitorOutcome> {
  const note = await fetcher.checkpoint();
  const { checkpoint, cosigners } = checkServedCheckpoint(note, options);
  if (state !== undefined && state.origin !== checkpoint.origin) {
    throw new AppError('invalid_input', `the state is of the log "${state.origin}", but the server's checkpoint is of "${checkpoint.origin.slice(0, 200)}": use another state file`);
  }
  const conflict = state === undefined ? undefined : compareWithState(state, checkpoint, note);
  if (conflict !== undefined) return conflict;
  const reader = createTileReader(fetcher);
  if (!(await rootFromTiles(checkpoint, tilesForRoot(checkpoint.size), reader))) {
    return inconsistent('bad-tiles', `the tiles served do not hash to the root of the checkpoint of size ${checkpoint.size}`, state?.note, note);
  }
  const grew = state !== undefined && state.size < checkpoint.size;
  if (grew && !(await proveFromState(state, checkpoint, reader))) {
    return inconsistent('inconsistent', `the log's tree of size ${checkpoint.size} does not extend the tree of size ${state.size} it signed before: a split view (or tampered tiles)`, state.note, note);
  }
  let entriesChecked = 0;
  let entriesRemoved = 0;
  let entriesVerified = state?.entriesVerified;
  if (options.entries) {
    const from = entriesVerified ?? { size: 0, rootHash: emptyRoot() };
    const checked = await verifyEntries({ from, to: checkpoint, stored: state?.note, presented: note }, fetcher, reader, options.concurrency ?? DEFAULT_CONCURRENCY);
    if ('kind' in checked) return checked;
    ({ checked: entriesChecked, removed: entriesRemoved } = checked);
    entriesVerified = { size: checkpoint.size, rootHash: checkpoint.rootHash };
  }
  const newState: MonitorState = { origin: checkpoint.origin, size: checkpoint.size, rootHash: checkpoint.rootHash, note, entriesVerified };
  const consistency: Consistency = state === undefined ? 'first-use' : grew ? 'proved' : 'unchanged';
  return { kind: 'verified', state: newState, checkpoint, cosigners, consistency, entriesChecked, entriesRemoved, tilesFetched: reader.fetched() };
}
