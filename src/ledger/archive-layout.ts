// The archive directory: which files a log archive holds (tlog-tiles paths, checkpoints, manifests), their limits, and the file ports.
import { parseDecimal } from './checkpoint.ts';
import { HASH_SIZE } from './hash.ts';
import { edgeTiles, parseTilePath, TILE_WIDTH, type TilePath } from './tiles.ts';
import { MAX_BUNDLE_ENTRY_BYTES } from './entry-bundle.ts';

/** A full hash tile: 256 hashes. */
export const MAX_TILE_BYTES = TILE_WIDTH * HASH_SIZE;
/** A full entry bundle of the largest entries. */
export const MAX_BUNDLE_BYTES = TILE_WIDTH * (2 + MAX_BUNDLE_ENTRY_BYTES);
/** A checkpoint note with its signatures and cosignatures. */
export const MAX_CHECKPOINT_BYTES = 64 * 1024;
/** One manifest: about 130 bytes a file, so some 500,000 files (a log of about 64 million entries). */
export const MAX_MANIFEST_BYTES = 64 * 1024 * 1024;
/** Files in one archive the verifier will look at before giving up. */
export const MAX_ARCHIVE_FILES = 2_000_000;

/** One file of the archive, by its path relative to the archive's root ('/'-separated), as a port lists it. */
export type ArchiveListing =
  | { readonly kind: 'file'; readonly path: string; readonly bytes: number }
  /** Anything that is not a regular file: a symbolic link, a device, a socket... (`what` says which). */
  | { readonly kind: 'other'; readonly path: string; readonly what: string };

/** Read access to an archive, wherever it lies: the verifier needs no more. */
export interface ArchiveReader {
  /** Every regular file under the root and everything else that is not a directory, in any order. */
  list(): Promise<ArchiveListing[]>;
  /** The bytes of a regular file; fails (AppError) if it is missing, not a regular file, or larger than `maxBytes`. */
  read(path: string, maxBytes: number): Promise<Uint8Array>;
}

/** Write-once access to an archive: what `writ log archive` needs. */
export interface ArchiveWriter extends ArchiveReader {
  /** Creates a read-only file durably (temp name, fsync, then linked into place); fails with `conflict` if the path exists. */
  create(path: string, bytes: Uint8Array): Promise<void>;
  /** Makes the directory entries of the files created so far durable. */
  sync(): Promise<void>;
  /** Removes what an interrupted run of this writer left behind (its temporary files); returns their paths. */
  removeLeftovers(): Promise<string[]>;
}

/** A file name the archive may hold. */
export type ArchivePath = TilePath | { kind: 'checkpoint'; size: number } | { kind: 'manifest'; size: number };

/** @example checkpointPath(1000) // 'checkpoints/1000' */
export function checkpointPath(size: number): string {
  return `checkpoints/${size}`;
}

/** @example manifestPath(1000) // 'manifests/1000.json' */
export function manifestPath(size: number): string {
  return `manifests/${size}.json`;
}

/**
 * Parses an archive path, accepting only the canonical spelling (so no '..', no leading '/', no doubled '/').
 * @example parseArchivePath('tile/0/003.p/7') // { kind: 'hash', level: 0, index: 3, width: 7 }; parseArchivePath('../x') → undefined
 */
export function parseArchivePath(path: string): ArchivePath | undefined {
  if (path.length > 80) return undefined;
  const checkpoint = /^checkpoints\/([0-9]+)$/.exec(path);
  if (checkpoint !== null) {
    const size = parseDecimal(checkpoint[1] ?? '');
    return size === undefined ? undefined : { kind: 'checkpoint', size };
  }
  const manifest = /^manifests\/([0-9]+)\.json$/.exec(path);
  if (manifest !== null) {
    const size = parseDecimal(manifest[1] ?? '');
    return size === undefined ? undefined : { kind: 'manifest', size };
  }
  if (!path.startsWith('tile/')) return undefined;
  try {
    return parseTilePath(path);
  } catch {
    return undefined;
  }
}

/** The most bytes a file of this kind may have. */
export function maxBytesOf(path: ArchivePath): number {
  switch (path.kind) {
    case 'hash':
      return path.width * HASH_SIZE;
    case 'entries':
      return path.width * (2 + MAX_BUNDLE_ENTRY_BYTES);
    case 'checkpoint':
      return MAX_CHECKPOINT_BYTES;
    case 'manifest':
      return MAX_MANIFEST_BYTES;
  }
}

/** Hash tiles stored at `level` for a tree of `size` leaves. */
function countAt(size: number, level: number): number {
  return Math.floor(size / TILE_WIDTH ** level);
}

/**
 * Every tile and entry bundle of the tree of `size` leaves, as tlog-tiles names them: the full ones of every
 * level, then the partial ones at the tree's right edge; entry bundles follow level-0 tiles one to one.
 * @example archiveTiles(300) // tile/0/000, tile/0/001.p/44, tile/1/000.p/1, tile/entries/000, tile/entries/001.p/44
 */
export function archiveTiles(size: number): TilePath[] {
  const tiles: TilePath[] = [];
  for (let level = 0; countAt(size, level) > 0; level++) {
    const full = Math.floor(countAt(size, level) / TILE_WIDTH);
    for (let index = 0; index < full; index++) tiles.push({ kind: 'hash', level, index, width: TILE_WIDTH });
  }
  for (const edge of edgeTiles(size)) tiles.push({ kind: 'hash', ...edge });
  const bundles = Math.floor(size / TILE_WIDTH);
  for (let index = 0; index < bundles; index++) tiles.push({ kind: 'entries', index, width: TILE_WIDTH });
  if (size % TILE_WIDTH > 0) tiles.push({ kind: 'entries', index: bundles, width: size % TILE_WIDTH });
  return tiles;
}
