// C2SP tlog-tiles: tile paths, and every tree operation (append, root, proofs) computed from stored 256-wide tiles.
import { AppError } from '../shared/app-error.ts';
import { emptyRoot, HASH_SIZE, nodeHash, nodeHashOfPair } from './hash.ts';
import type { Hash } from './hash.ts';

/** Height of the subtree one tile spans: level-L tiles hold hashes of level-8L subtrees. */
export const TILE_HEIGHT = 8;
/** Hashes in a full tile (2^TILE_HEIGHT). */
export const TILE_WIDTH = 256;

const TILE_BYTES = TILE_WIDTH * HASH_SIZE;
const MAX_LEVEL = 63;
const MAX_PATH_LENGTH = 64;

/** A tile of the tree at some size: `width` (1..256) hashes of it are needed and valid. */
export interface TileCoord {
  level: number;
  index: number;
  width: number;
}

/** A tile's contents: concatenated 32-byte hashes, width = hashes.length / 32. */
export interface TileData {
  level: number;
  index: number;
  hashes: Uint8Array;
}

/** Read access to stored tiles; a tile may be wider than asked for (the tree has grown since). */
export interface TileSource {
  tile(level: number, index: number): Uint8Array | undefined;
}

/** A parsed tile path: a hash tile or an entry bundle; width 256 means a full tile. */
export type TilePath =
  | { kind: 'hash'; level: number; index: number; width: number }
  | { kind: 'entries'; index: number; width: number };

// ---------------------------------------------------------------------------------------------- paths

function formatIndex(index: number): string {
  let text = String(index % 1000).padStart(3, '0');
  for (let n = Math.floor(index / 1000); n > 0; n = Math.floor(n / 1000)) {
    text = `x${String(n % 1000).padStart(3, '0')}/${text}`;
  }
  return text;
}

function checkCoord(level: number, index: number, width: number): void {
  if (!Number.isSafeInteger(level) || level < 0 || level > MAX_LEVEL) {
    throw new AppError('invalid_input', `tile level ${level} is not an integer from 0 to ${MAX_LEVEL}`);
  }
  if (!Number.isSafeInteger(index) || index < 0) throw new AppError('invalid_input', `tile index ${index} is not a non-negative integer`);
  if (!Number.isSafeInteger(width) || width < 1 || width > TILE_WIDTH) {
    throw new AppError('invalid_input', `tile width ${width} is not an integer from 1 to ${TILE_WIDTH}`);
  }
}

function suffix(width: number): string {
  return width === TILE_WIDTH ? '' : `.p/${width}`;
}

/**
 * Path of a hash tile, relative to the log's prefix.
 * @example tilePath({ level: 0, index: 1234067, width: 5 }) // 'tile/0/x001/x234/067.p/5'
 */
export function tilePath(coord: TileCoord): string {
  checkCoord(coord.level, coord.index, coord.width);
  return `tile/${coord.level}/${formatIndex(coord.index)}${suffix(coord.width)}`;
}

/**
 * Path of an entry bundle holding entries 256·index … 256·index+width−1, relative to the log's prefix.
 * @example entriesPath(3, 256) // 'tile/entries/003'
 */
export function entriesPath(index: number, width: number): string {
  checkCoord(0, index, width);
  return `tile/entries/${formatIndex(index)}${suffix(width)}`;
}

const TILE_PATH = /^tile\/(entries|[0-9]+)\/((?:x[0-9]{3}\/)*[0-9]{3})(?:\.p\/([0-9]+))?$/;

/**
 * Parses a tile or entry-bundle path (relative to the prefix, no leading slash), accepting only the canonical spelling.
 * @example parseTilePath('tile/0/x001/x234/067.p/5') // { kind: 'hash', level: 0, index: 1234067, width: 5 }
 */
export function parseTilePath(path: string): TilePath {
  const bad = (why: string): AppError => new AppError('invalid_input', `tile path "${path.slice(0, MAX_PATH_LENGTH)}" ${why}`);
  const match = path.length <= MAX_PATH_LENGTH ? TILE_PATH.exec(path) : null;
  const [, levelText = '', indexText = '', widthText] = match ?? [];
  if (match === null) throw bad('is not of the form tile/<L>/<N>[.p/<W>] or tile/entries/<N>[.p/<W>]');
  const groups = indexText.split('/');
  if (groups.length > 6) throw bad('has a tile index beyond 2^53');
  const index = groups.reduce((n, group) => n * 1000 + Number(group.replace('x', '')), 0);
  if (!Number.isSafeInteger(index)) throw bad('has a tile index beyond 2^53');
  const width = widthText === undefined ? TILE_WIDTH : Number(widthText);
  if (widthText !== undefined && (widthText.length > 3 || width < 1 || width >= TILE_WIDTH)) {
    throw bad('has a partial width outside 1..255');
  }
  const entries = levelText === 'entries';
  const level = entries ? 0 : Number(levelText);
  if (!entries && (levelText.length > 2 || level > MAX_LEVEL)) throw bad(`has a level outside 0..${MAX_LEVEL}`);
  const parsed: TilePath = entries ? { kind: 'entries', index, width } : { kind: 'hash', level, index, width };
  const canonical = parsed.kind === 'entries' ? entriesPath(index, width) : tilePath(parsed);
  if (canonical !== path) throw bad(`is not canonical (leading zeros?); expected "${canonical}"`);
  return parsed;
}

// ---------------------------------------------------------------------------------------------- tree geometry

/** A complete subtree: `height` levels above the leaves, the `index`-th from the left. */
interface Subtree {
  height: number;
  index: number;
}

/** Where a complete subtree's hash comes from: `height` levels above position `position` of a tile's stored hashes. */
interface NodeRef {
  level: number;
  tile: number;
  height: number;
  position: number;
}

interface LeafRange {
  lo: number;
  hi: number;
}

function checkSize(size: number, what: string): void {
  if (!Number.isSafeInteger(size) || size < 0) throw new AppError('invalid_input', `${what} ${size} is not a non-negative safe integer`);
}

function storedCount(size: number, level: number): number {
  return Math.floor(size / TILE_WIDTH ** level);
}

function tileWidthAt(level: number, tile: number, size: number): number {
  return Math.min(TILE_WIDTH, storedCount(size, level) - tile * TILE_WIDTH);
}

/** Largest power of two ≤ n (n ≥ 1), exact up to 2^53 where Math.log2 may round. */
function powerOfTwoAtMost(n: number): number {
  let p = 2 ** Math.floor(Math.log2(n));
  if (p > n) p /= 2;
  if (p * 2 <= n) p *= 2;
  return p;
}

/** Largest power of two dividing n (n ≥ 1), without 32-bit operators on the whole of n. */
function lowestPowerOfTwo(n: number): number {
  const low = n % 2 ** 32;
  if (low !== 0) return (low & -low) >>> 0;
  const high = Math.floor(n / 2 ** 32);
  return ((high & -high) >>> 0) * 2 ** 32;
}

/** Splits [lo, hi) into maximal aligned complete subtrees, left to right (their right fold is MTH of the range). */
function decompose(lo: number, hi: number): Subtree[] {
  const subtrees: Subtree[] = [];
  for (let at = lo; at < hi; ) {
    const span = at === 0 ? powerOfTwoAtMost(hi) : Math.min(lowestPowerOfTwo(at), powerOfTwoAtMost(hi - at));
    subtrees.push({ height: Math.round(Math.log2(span)), index: at / span });
    at += span;
  }
  return subtrees;
}

function locate(subtree: Subtree): NodeRef {
  const level = Math.floor(subtree.height / TILE_HEIGHT);
  const height = subtree.height % TILE_HEIGHT;
  const first = subtree.index * 2 ** height;
  const tile = Math.floor(first / TILE_WIDTH);
  return { level, tile, height, position: (first - tile * TILE_WIDTH) / 2 ** height };
}

function largestPowerOfTwoBelow(n: number): number {
  return powerOfTwoAtMost(n - 1);
}

/** Ranges whose hashes form PATH(index, D[0:size]) of RFC 6962 §2.1.1, sibling first. */
function inclusionRanges(index: number, size: number): LeafRange[] {
  const ranges: LeafRange[] = [];
  let lo = 0;
  let hi = size;
  while (hi - lo > 1) {
    const k = largestPowerOfTwoBelow(hi - lo);
    if (index < lo + k) {
      ranges.push({ lo: lo + k, hi });
      hi = lo + k;
    } else {
      ranges.push({ lo, hi: lo + k });
      lo += k;
    }
  }
  return ranges.reverse();
}

/** Ranges whose hashes form PROOF(oldSize, D[0:newSize]) of RFC 6962 §2.1.2. */
function consistencyRanges(oldSize: number, newSize: number): LeafRange[] {
  const ranges: LeafRange[] = [];
  if (oldSize === 0 || oldSize === newSize) return ranges;
  let lo = 0;
  let hi = newSize;
  let complete = true;
  while (oldSize !== hi) {
    const k = largestPowerOfTwoBelow(hi - lo);
    if (oldSize <= lo + k) {
      ranges.push({ lo: lo + k, hi });
      hi = lo + k;
    } else {
      ranges.push({ lo, hi: lo + k });
      lo += k;
      complete = false;
    }
  }
  if (!complete) ranges.push({ lo, hi });
  return ranges.reverse();
}

function tilesForRanges(ranges: LeafRange[], size: number): TileCoord[] {
  const coords = new Map<string, TileCoord>();
  for (const range of ranges) {
    for (const subtree of decompose(range.lo, range.hi)) {
      const ref = locate(subtree);
      const key = `${ref.level}/${ref.tile}`;
      if (!coords.has(key)) coords.set(key, { level: ref.level, index: ref.tile, width: tileWidthAt(ref.level, ref.tile, size) });
    }
  }
  return [...coords.values()].sort((a, b) => a.level - b.level || a.index - b.index);
}

// ---------------------------------------------------------------------------------------------- cache

/**
 * Memo of tiles and their 8 internal levels (computed the first time a node above the stored hashes is asked
 * for), so any node inside a held tile is a lookup. Tiles only grow to the right and never change once
 * written, so a held tile answers every node it covers. Tiles of level 1 and up (one per 65,536 entries)
 * are kept in a share of their own, so a stream of level-0 tiles never pushes them out: every proof
 * passes through them. Feed it only from committed storage of ONE log (never from an append whose
 * transaction may roll back).
 */
export interface TileCache {
  readonly maxTiles: number;
  /** Hash `height` (0..7) levels above stored hash number `position`·2^height of the tile, if held. */
  node(level: number, index: number, height: number, position: number): Hash | undefined;
  /** The first `width` stored hashes of a tile (a copy), if held that wide. */
  hashes(level: number, index: number, width: number): Uint8Array | undefined;
  /** Remembers a tile's stored hashes (kept if wider than the held copy). */
  remember(level: number, index: number, hashes: Uint8Array): void;
  /** The coordinates this cache cannot answer yet: read only these from storage before proving. */
  missing(coords: TileCoord[]): TileCoord[];
  /** How many tiles are held. */
  tileCount(): number;
}

interface CachedTile {
  readonly width: number;
  /**
   * Every level of the tile in one array (one allocation, so the collector has one object to move): the
   * stored hashes first, then each level above them from `starts`, built on first use.
   */
  readonly data: Uint8Array;
  /** Position (in hashes) of each level's first hash in `data`. */
  readonly starts: readonly number[];
  built: boolean;
}

function hashAt(data: Uint8Array, position: number): Hash {
  return data.subarray(position * HASH_SIZE, (position + 1) * HASH_SIZE);
}

/** A copy of bytes [from, to): never a view, even of a Buffer (whose slice() shares memory). */
function copyBytes(data: Uint8Array, from: number, to: number): Uint8Array {
  const copy = new Uint8Array(to - from);
  copy.set(data.subarray(from, to));
  return copy;
}

/** A copy, so that callers can never write into a stored tile or the cache through a returned hash. */
function copyHashAt(data: Uint8Array, position: number): Hash {
  const copy = new Uint8Array(HASH_SIZE);
  copy.set(hashAt(data, position));
  return copy;
}

/** Where each level of a tile `width` wide starts, in hashes; the last element is the total. */
function levelStarts(width: number): number[] {
  const starts = [0];
  for (let count = width, at = 0; count > 0; count = Math.floor(count / 2)) starts.push((at += count));
  return starts;
}

function cachedTile(hashes: Uint8Array, width: number): CachedTile {
  const starts = levelStarts(width);
  const data = new Uint8Array((starts[starts.length - 1] ?? 0) * HASH_SIZE);
  data.set(hashes.subarray(0, width * HASH_SIZE));
  return { width, data, starts, built: false };
}

/** Fills in every complete level above the stored hashes. */
function buildLevels(tile: CachedTile): void {
  const { data, starts } = tile;
  for (let level = 1; level + 1 < starts.length; level++) {
    const below = (starts[level - 1] ?? 0) * HASH_SIZE;
    const at = (starts[level] ?? 0) * HASH_SIZE;
    const count = (starts[level + 1] ?? 0) - (starts[level] ?? 0);
    for (let i = 0; i < count; i++) data.set(nodeHashOfPair(data.subarray(below + 2 * i * HASH_SIZE, below + (2 * i + 2) * HASH_SIZE)), at + i * HASH_SIZE);
  }
  tile.built = true;
}

// Levels stay below 64 and tile indexes below 2^46, so this key is a safe integer (faster than a string key).
const cacheKey = (level: number, index: number): number => index * 64 + level;

/** A Map used as an LRU list: reading an entry moves it to the end, the oldest is first. */
function touch<K, V>(map: Map<K, V>, key: K): V | undefined {
  const value = map.get(key);
  if (value !== undefined) {
    map.delete(key);
    map.set(key, value);
  }
  return value;
}

function dropOldest<K, V>(map: Map<K, V>): void {
  const { value: oldest, done } = map.keys().next();
  if (done !== true) map.delete(oldest);
}

/**
 * Creates an LRU cache of at most `maxTiles` tiles (8 KiB each when full, 16 KiB once its levels are built)
 * for treeRoot/prove*; tiles of level 1 and up may take half of it and are evicted only among themselves.
 * @example const cache = createTileCache(4096); proveInclusion(i, size, source, cache)
 */
export function createTileCache(maxTiles: number): TileCache {
  if (!Number.isSafeInteger(maxTiles) || maxTiles < 1) throw new AppError('invalid_input', `tile cache size ${maxTiles} is not a positive integer`);
  const maxUpper = Math.ceil(maxTiles / 2);
  const lower = new Map<number, CachedTile>();
  const upper = new Map<number, CachedTile>();
  const shareOf = (level: number): Map<number, CachedTile> => (level === 0 ? lower : upper);
  const held = (level: number, index: number): CachedTile | undefined => shareOf(level).get(cacheKey(level, index));
  return {
    maxTiles,
    node(level, index, height, position) {
      const entry = touch(shareOf(level), cacheKey(level, index));
      if (entry === undefined || (position + 1) * 2 ** height > entry.width) return undefined;
      if (height > 0 && !entry.built) buildLevels(entry);
      const start = entry.starts[height];
      return start === undefined ? undefined : copyHashAt(entry.data, start + position);
    },
    hashes(level, index, width) {
      const entry = touch(shareOf(level), cacheKey(level, index));
      return entry === undefined || entry.width < width ? undefined : copyBytes(entry.data, 0, width * HASH_SIZE);
    },
    remember(level, index, hashes) {
      const width = Math.min(TILE_WIDTH, Math.floor(hashes.length / HASH_SIZE));
      if (width === 0 || (held(level, index)?.width ?? 0) >= width) return;
      const share = shareOf(level);
      const key = cacheKey(level, index);
      share.delete(key);
      share.set(key, cachedTile(hashes, width));
      while (lower.size + upper.size > maxTiles) dropOldest(upper.size > maxUpper || lower.size === 0 ? upper : lower);
    },
    missing(coords) {
      return coords.filter((coord) => (held(coord.level, coord.index)?.width ?? 0) < coord.width);
    },
    tileCount: () => lower.size + upper.size,
  };
}

// ---------------------------------------------------------------------------------------------- reading tiles

interface Reader {
  source: TileSource;
  cache: TileCache | undefined;
}

function readTile(source: TileSource, level: number, index: number, needed: number): Uint8Array {
  const data = source.tile(level, index);
  const name = `tile ${level}/${index}`;
  if (data === undefined) throw new AppError('ledger_inconsistent', `${name} is missing from storage`);
  if (data.length % HASH_SIZE !== 0 || data.length > TILE_BYTES) {
    throw new AppError('ledger_inconsistent', `${name} has ${data.length} bytes, not a whole number of hashes up to ${TILE_BYTES}`);
  }
  if (data.length < needed * HASH_SIZE) {
    throw new AppError('ledger_inconsistent', `${name} holds ${data.length / HASH_SIZE} hashes but ${needed} are needed`);
  }
  return data;
}

/** MTH of `count` (a power of two) stored hashes starting at `first`. */
function hashStored(data: Uint8Array, first: number, count: number): Hash {
  if (count === 1) return copyHashAt(data, first);
  // Level by level in one copy: node i of a level overwrites bytes the pairs before it have already used.
  const row = copyBytes(data, first * HASH_SIZE, (first + count) * HASH_SIZE);
  for (let width = count; width > 1; width /= 2) {
    for (let i = 0; i < width / 2; i++) row.set(nodeHashOfPair(row.subarray(2 * i * HASH_SIZE, (2 * i + 2) * HASH_SIZE)), i * HASH_SIZE);
  }
  return row.slice(0, HASH_SIZE);
}

function nodeAt(ref: NodeRef, reader: Reader): Hash {
  const { cache } = reader;
  const cached = cache?.node(ref.level, ref.tile, ref.height, ref.position);
  if (cached !== undefined) return cached;
  const count = 2 ** ref.height;
  const data = readTile(reader.source, ref.level, ref.tile, (ref.position + 1) * count);
  if (cache !== undefined) {
    cache.remember(ref.level, ref.tile, data);
    const remembered = cache.node(ref.level, ref.tile, ref.height, ref.position);
    if (remembered !== undefined) return remembered;
  }
  return hashStored(data, ref.position * count, count);
}

/** MTH(D[lo:hi]) for a range the RFC 6962 recursion produces (lo aligned to the range's split). */
function rangeHash(range: LeafRange, reader: Reader): Hash {
  const subtrees = decompose(range.lo, range.hi);
  let result: Hash | undefined;
  for (let i = subtrees.length - 1; i >= 0; i--) {
    const subtree = subtrees[i];
    if (subtree === undefined) continue;
    const hash = nodeAt(locate(subtree), reader);
    result = result === undefined ? hash : nodeHash(hash, result);
  }
  return result ?? emptyRoot();
}

// ---------------------------------------------------------------------------------------------- queries

/**
 * The rightmost non-empty partial tile of each level at `size`: what appendLeaves reads (also what treeRoot reads).
 * @example edgeTiles(70_000) // [{0,273,112}, {1,1,17}, {2,0,1}]
 */
export function edgeTiles(size: number): TileCoord[] {
  checkSize(size, 'tree size');
  const coords: TileCoord[] = [];
  for (let level = 0; storedCount(size, level) > 0; level++) {
    const count = storedCount(size, level);
    if (count % TILE_WIDTH > 0) coords.push({ level, index: Math.floor(count / TILE_WIDTH), width: count % TILE_WIDTH });
  }
  return coords;
}

/**
 * Tiles treeRoot needs for a tree of `size` leaves.
 * @example tilesForRoot(256) // [{ level: 1, index: 0, width: 1 }]
 */
export function tilesForRoot(size: number): TileCoord[] {
  checkSize(size, 'tree size');
  return tilesForRanges([{ lo: 0, hi: size }], size);
}

/**
 * Root hash of the tree of `size` leaves, from the tiles listed by tilesForRoot (or the cache).
 * @example treeRoot(1000, source)
 */
export function treeRoot(size: number, source: TileSource, cache?: TileCache): Hash {
  checkSize(size, 'tree size');
  return rangeHash({ lo: 0, hi: size }, { source, cache });
}

function checkIndex(index: number, size: number): void {
  checkSize(size, 'tree size');
  if (!Number.isSafeInteger(index) || index < 0 || index >= size) {
    throw new AppError('invalid_input', `entry index ${index} is outside the tree of ${size} entries`);
  }
}

/**
 * Tiles proveInclusion needs, each with its width at `size`.
 * @example tilesForInclusion(123, 1000)
 */
export function tilesForInclusion(index: number, size: number): TileCoord[] {
  checkIndex(index, size);
  return tilesForRanges(inclusionRanges(index, size), size);
}

/**
 * Inclusion proof of entry `index` in the tree of `size` leaves (RFC 6962 §2.1.1, sibling first).
 * @example proveInclusion(123, 1000, source, cache) // 10 hashes
 */
export function proveInclusion(index: number, size: number, source: TileSource, cache?: TileCache): Hash[] {
  checkIndex(index, size);
  const reader = { source, cache };
  return inclusionRanges(index, size).map((range) => rangeHash(range, reader));
}

function checkSizes(oldSize: number, newSize: number): void {
  checkSize(oldSize, 'old tree size');
  checkSize(newSize, 'new tree size');
  if (oldSize > newSize) throw new AppError('invalid_input', `old tree size ${oldSize} is larger than new tree size ${newSize}`);
}

/**
 * Tiles proveConsistency needs, each with its width at `newSize`.
 * @example tilesForConsistency(257, 1000)
 */
export function tilesForConsistency(oldSize: number, newSize: number): TileCoord[] {
  checkSizes(oldSize, newSize);
  return tilesForRanges(consistencyRanges(oldSize, newSize), newSize);
}

/**
 * Consistency proof from `oldSize` to `newSize` (RFC 6962 §2.1.2); empty when oldSize is 0 or equals newSize.
 * @example proveConsistency(257, 1000, source, cache) // 11 hashes
 */
export function proveConsistency(oldSize: number, newSize: number, source: TileSource, cache?: TileCache): Hash[] {
  checkSizes(oldSize, newSize);
  const reader = { source, cache };
  return consistencyRanges(oldSize, newSize).map((range) => rangeHash(range, reader));
}

// ---------------------------------------------------------------------------------------------- appending

/** The MTH of the 256 leaves of level-0 tile `tile`, when already known. */
export type KnownTileRoot = (tile: number) => Hash | undefined;

/** Adds `incoming` hashes to one level holding `oldCount` hashes; returns the touched tiles and the hashes of newly full ones. */
function appendLevel(level: number, oldCount: number, incoming: Hash[], source: TileSource, knownRoot: KnownTileRoot | undefined): { tiles: TileData[]; parents: Hash[] } {
  const tiles: TileData[] = [];
  const parents: Hash[] = [];
  let index = Math.floor(oldCount / TILE_WIDTH);
  let filled = oldCount % TILE_WIDTH;
  let buffer = new Uint8Array(TILE_BYTES);
  if (filled > 0) buffer.set(readTile(source, level, index, filled).subarray(0, filled * HASH_SIZE));
  for (const hash of incoming) {
    buffer.set(hash, filled * HASH_SIZE);
    filled++;
    if (filled === TILE_WIDTH) {
      tiles.push({ level, index, hashes: buffer });
      parents.push((level === 0 ? knownRoot?.(index) : undefined) ?? hashStored(buffer, 0, TILE_WIDTH));
      index++;
      filled = 0;
      buffer = new Uint8Array(TILE_BYTES);
    }
  }
  if (filled > 0) tiles.push({ level, index, hashes: buffer.slice(0, filled * HASH_SIZE) });
  return { tiles, parents };
}

function overlay(tiles: TileData[], source: TileSource): TileSource {
  const fresh = new Map(tiles.map((t) => [`${t.level}/${t.index}`, t.hashes]));
  return { tile: (level, index) => fresh.get(`${level}/${index}`) ?? source.tile(level, index) };
}

/**
 * Appends leaf hashes to the tree of `oldSize` leaves, reading only edgeTiles(oldSize) from `source`.
 * Returns every tile created or changed (full contents so far, partial ones included) and the new root.
 * `knownRoot` may supply the MTH of a level-0 tile that becomes full (computed elsewhere from the same
 * leaves, as the verifier's worker does); the tile's hashes are stored either way.
 * @example const { tiles, root } = appendLeaves(size, source, entries.map(leafHash))
 */
export function appendLeaves(oldSize: number, source: TileSource, leafHashes: Hash[], knownRoot?: KnownTileRoot): { newSize: number; tiles: TileData[]; root: Hash } {
  checkSize(oldSize, 'tree size');
  const newSize = oldSize + leafHashes.length;
  if (!Number.isSafeInteger(newSize)) throw new AppError('invalid_input', `appending ${leafHashes.length} leaves overflows the tree size`);
  leafHashes.forEach((hash, i) => {
    if (!(hash instanceof Uint8Array) || hash.length !== HASH_SIZE) throw new AppError('invalid_input', `leaf hash ${i} has ${hash.length} bytes, not ${HASH_SIZE}`);
  });
  const tiles: TileData[] = [];
  let incoming = leafHashes;
  let oldCount = oldSize;
  for (let level = 0; incoming.length > 0; level++) {
    const step = appendLevel(level, oldCount, incoming, source, knownRoot);
    tiles.push(...step.tiles);
    incoming = step.parents;
    oldCount = Math.floor(oldCount / TILE_WIDTH);
  }
  return { newSize, tiles, root: treeRoot(newSize, overlay(tiles, source)) };
}
