// The files of a log archive as the stored log gives them: tiles, entry bundles (with each entry checked against its leaf hash) and checkpoints.
import { AppError } from '../shared/app-error.ts';
import { checkpointPath, type ArchivePath } from './archive-layout.ts';
import type { RemovedBundle } from './archive-manifest.ts';
import { describeStored } from './entry-block.ts';
import { encodeEntryBundle } from './entry-bundle.ts';
import { hashesEqual, HASH_SIZE, leafHash } from './hash.ts';
import type { LedgerStore, SequencedEntry } from './ledger-store.ts';
import type { IndexWindow } from './retention-store.ts';
import { entriesPath, TILE_WIDTH, tilePath, type TileData } from './tiles.ts';

/** A file to archive, or an entry bundle that cannot be archived because retention removed content from it. */
export type LogFile = { readonly kind: 'file'; readonly path: string; readonly bytes: Uint8Array } | { readonly kind: 'removed'; readonly removed: RemovedBundle };

/** Tiles (and entry bundles) read from the store at once. */
const CHUNK_TILES = 64;

function tileCount(size: number, level: number): number {
  return Math.ceil(Math.floor(size / TILE_WIDTH ** level) / TILE_WIDTH);
}

function widthAt(size: number, level: number, index: number): number {
  return Math.min(TILE_WIDTH, Math.floor(size / TILE_WIDTH ** level) - index * TILE_WIDTH);
}

/** The first `width` hashes of a stored tile, or a ledger_inconsistent error saying what is wrong with it. */
function tileBytes(stored: TileData | undefined, level: number, index: number, width: number): Uint8Array {
  const hashes: unknown = stored?.hashes;
  const name = `tile ${level}/${index}`;
  if (hashes === undefined) throw new AppError('ledger_inconsistent', `${name} is missing from the log's storage: run "writ verify"`);
  if (!(hashes instanceof Uint8Array)) throw new AppError('ledger_inconsistent', `${name} is stored as ${describeStored(hashes)}, not bytes: run "writ verify"`);
  if (hashes.length < width * HASH_SIZE) throw new AppError('ledger_inconsistent', `${name} holds ${Math.floor(hashes.length / HASH_SIZE)} hashes, not the ${width} the checkpoint needs: run "writ verify"`);
  return hashes.subarray(0, width * HASH_SIZE);
}

/** Index ranges [from, to) of the positions flagged true. */
function rangesOf(flags: readonly boolean[], first: number): [number, number][] {
  const ranges: [number, number][] = [];
  flags.forEach((flag, i) => {
    const last = ranges[ranges.length - 1];
    if (!flag) return;
    if (last !== undefined && last[1] === first + i) last[1] += 1;
    else ranges.push([first + i, first + i + 1]);
  });
  return ranges;
}

/**
 * The entry bundle `index` of `width` entries from the store's rows, each entry checked against the level-0 tile's
 * leaf hash; a `removed` record when retention took the content of some of them.
 */
function bundleFile(rows: ReadonlyMap<number, SequencedEntry>, removed: readonly IndexWindow[], index: number, width: number, leaves: Uint8Array): LogFile {
  const first = index * TILE_WIDTH;
  const entries: Uint8Array[] = [];
  const gone: boolean[] = [];
  for (let i = 0; i < width; i++) {
    const row = rows.get(first + i);
    if (row === undefined && removed.some((w) => w.from <= first + i && first + i < w.to)) {
      gone.push(true);
      continue;
    }
    if (row === undefined) throw new AppError('ledger_inconsistent', `entry ${first + i} is missing from the log's storage: run "writ verify"`);
    const entry: unknown = row.entry;
    gone.push(!(entry instanceof Uint8Array));
    if (!(entry instanceof Uint8Array)) continue;
    if (!hashesEqual(leafHash(entry), leaves.subarray(i * HASH_SIZE, (i + 1) * HASH_SIZE))) {
      throw new AppError('ledger_inconsistent', `entry ${first + i} does not hash to its stored leaf hash: nothing is archived for it; run "writ verify"`);
    }
    entries.push(entry);
  }
  const path = entriesPath(index, width);
  if (gone.includes(true)) return { kind: 'removed', removed: { bundle: path, from: first, to: first + width, ranges: rangesOf(gone, first) } };
  return { kind: 'file', path, bytes: encodeEntryBundle(entries) };
}

/** Index windows whose content retention removed (none on a store that never removes). */
function removedRanges(store: LedgerStore, from: number, to: number): Promise<IndexWindow[]> {
  return store.removed === undefined ? Promise.resolve([]) : store.removed.readRemovedRanges(from, to);
}

async function* levelZero(store: LedgerStore, size: number): AsyncGenerator<LogFile> {
  const count = tileCount(size, 0);
  for (let from = 0; from < count; from += CHUNK_TILES) {
    const to = Math.min(from + CHUNK_TILES, count);
    const tiles = new Map((await store.readTileRange(0, from, to)).map((t) => [t.index, t]));
    const rows = new Map((await store.readEntries(from * TILE_WIDTH, Math.min(to * TILE_WIDTH, size))).map((r) => [r.index, r]));
    const removed = await removedRanges(store, from * TILE_WIDTH, Math.min(to * TILE_WIDTH, size));
    for (let index = from; index < to; index++) {
      const width = widthAt(size, 0, index);
      const leaves = tileBytes(tiles.get(index), 0, index, width);
      yield { kind: 'file', path: tilePath({ level: 0, index, width }), bytes: leaves };
      yield bundleFile(rows, removed, index, width, leaves);
    }
  }
}

/**
 * Every file of the archive of the tree of `size` leaves, in the store's order: level-0 tiles with their entry
 * bundles, then the tiles of each level above, then the checkpoint; read a chunk at a time.
 * @example for await (const file of logFiles(store, checkpoint)) ...
 */
export async function* logFiles(store: LedgerStore, checkpoint: { size: number; note: string }): AsyncGenerator<LogFile> {
  const { size } = checkpoint;
  yield* levelZero(store, size);
  for (let level = 1; tileCount(size, level) > 0; level++) {
    const count = tileCount(size, level);
    for (let from = 0; from < count; from += CHUNK_TILES) {
      const to = Math.min(from + CHUNK_TILES, count);
      const tiles = new Map((await store.readTileRange(level, from, to)).map((t) => [t.index, t]));
      for (let index = from; index < to; index++) {
        const width = widthAt(size, level, index);
        yield { kind: 'file', path: tilePath({ level, index, width }), bytes: tileBytes(tiles.get(index), level, index, width) };
      }
    }
  }
  yield { kind: 'file', path: checkpointPath(size), bytes: Buffer.from(checkpoint.note, 'utf8') };
}

/**
 * What the log holds for one archive file within the tree of `size` leaves (to take in a file an interrupted run
 * left); undefined when the log has no such file (beyond the tree, or a bundle whose content is gone).
 */
export async function logFileAt(store: LedgerStore, path: ArchivePath, size: number): Promise<Uint8Array | undefined> {
  switch (path.kind) {
    case 'hash': {
      if (path.index * TILE_WIDTH + path.width > Math.floor(size / TILE_WIDTH ** path.level)) return undefined;
      const [stored] = await store.readTiles([{ level: path.level, index: path.index, width: path.width }]);
      return tileBytes(stored, path.level, path.index, path.width);
    }
    case 'entries': {
      if (path.index * TILE_WIDTH + path.width > size) return undefined;
      const [stored] = await store.readTiles([{ level: 0, index: path.index, width: path.width }]);
      const leaves = tileBytes(stored, 0, path.index, path.width);
      const [from, to] = [path.index * TILE_WIDTH, path.index * TILE_WIDTH + path.width];
      const rows = await store.readEntries(from, to);
      const file = bundleFile(new Map(rows.map((r) => [r.index, r])), await removedRanges(store, from, to), path.index, path.width, leaves);
      return file.kind === 'file' ? file.bytes : undefined;
    }
    case 'checkpoint': {
      if (path.size > size) return undefined;
      const [stored] = await store.readCheckpoints(path.size, path.size + 1, 1);
      return stored?.size === path.size ? Buffer.from(stored.note, 'utf8') : undefined;
    }
    case 'manifest':
      return undefined;
  }
}
