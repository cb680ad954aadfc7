import assert from 'node:assert/strict';
import { test } from 'node:test';
import fc from 'fast-check';
import { isAppError } from '../shared/app-error.ts';
import { emptyRoot, leafHash } from './hash.ts';
import type { Hash } from './hash.ts';
import { referenceConsistencyProof, referenceInclusionProof, referenceRoot } from './merkle-reference.ts';
import { verifyConsistency, verifyInclusion } from './proof-verify.ts';
import {
  appendLeaves,
  createTileCache,
  edgeTiles,
  entriesPath,
  parseTilePath,
  proveConsistency,
  proveInclusion,
  tilesForConsistency,
  tilesForInclusion,
  tilePath,
  tilesForRoot,
  treeRoot,
} from './tiles.ts';
import type { TileCoord, TileData, TileSource } from './tiles.ts';

const b64 = (h: Hash): string => Buffer.from(h).toString('base64');
const entryHash = (i: number): Hash => leafHash(new TextEncoder().encode(`entry ${i}`));
const LEAVES: Hash[] = Array.from({ length: 5000 }, (_, i) => entryHash(i));

interface MemoryTiles extends TileSource {
  tiles: Map<string, Uint8Array>;
  apply(tiles: TileData[]): void;
}

function memoryTiles(): MemoryTiles {
  const tiles = new Map<string, Uint8Array>();
  return {
    tiles,
    tile: (level, index) => tiles.get(`${level}/${index}`),
    apply(fresh) {
      for (const t of fresh) tiles.set(`${t.level}/${t.index}`, t.hashes);
    },
  };
}

/** A source holding only `coords`, each cut to its listed width: proves the tilesFor* lists are complete. */
function onlyTiles(source: TileSource, coords: TileCoord[]): TileSource {
  const allowed = new Map(coords.map((c) => [`${c.level}/${c.index}`, c.width]));
  return {
    tile(level, index) {
      const width = allowed.get(`${level}/${index}`);
      return width === undefined ? undefined : source.tile(level, index)?.subarray(0, width * 32);
    },
  };
}

/** Builds a tree of leaves by appending in batches of the given sizes, checking the root after each batch. */
function build(leaves: Hash[], batches: number[], expectedRoots?: Map<number, string>): MemoryTiles {
  const store = memoryTiles();
  let size = 0;
  for (const count of batches) {
    const batch = leaves.slice(size, size + count);
    const result = appendLeaves(size, onlyTiles(store, edgeTiles(size)), batch);
    store.apply(result.tiles);
    size = result.newSize;
    const expected = expectedRoots === undefined ? b64(referenceRoot(leaves.slice(0, size))) : expectedRoots.get(size);
    if (expected !== undefined) assert.equal(b64(result.root), expected, `root after appending to ${size}`);
  }
  return store;
}

const SPLITS: number[][] = [[1000], Array.from({ length: 1000 }, () => 1), [255, 1, 1, 256, 487], [3, 250, 7, 300, 440], [513, 487]];
const ROOTS: [number, string][] = [
  [1, 'dziFphNIniTOLPdhmdakI/BC5LvxLX7s7pEu8nbGVwE='],
  [2, 'WkdmL9ijF9lgSaP59HxV3GfKZgUbqjaD27GbL+CaB7A='],
  [3, 'lPvQ3YNvUDAWkubQ6t5yjuGexSv/8WBu2AfIV11aqhk='],
  [4, 'l5nzB1F+9RfCIF35tndivzR1ayAJn7ffzOdrzr0nOy4='],
  [5, 'fKo0Xb2JKmZFTWxlEuo8PqPw0+whvj/C4jdXBf049nI='],
  [7, 'mMl/C6MXXNCLAx3QhLncTmSbZNGijm6mlGRlAxc6tYc='],
  [8, 'tpcyzlyRQWLKmsz69OldP5h01ogFQ3CIqv8YSk25Z3M='],
  [255, 'z2Z5PmMp3/JC6zzuCm82rT46GW3MVzoex3XhAr6GPxw='],
  [256, '2mWW2VNp9f7zIquOTg2jsLUCNqqcijsdJG90Ecni4y4='],
  [257, 'XB/f6DU1gCLyOS3keNvgU/wTDP4dOggoeakM9r8Uv34='],
  [1000, 'NGxrnLicS3b6ydyyDNqG46AcCldBfBOQKOrNRTj96Vs='],
];

test('tile roots and proofs match the Go vectors for every batch splitting', () => {
  const leaves = LEAVES.slice(0, 1000);
  const inclusion = referenceInclusionProof(123, leaves).map(b64);
  const consistency = referenceConsistencyProof(257, leaves).map(b64);
  assert.equal(inclusion[0], '63Kdxy/1GN7zDj0KU1n46FN5lp2I7iNy+McLgTT0OVc=');
  assert.equal(consistency[10], 'MbDpyvXBXU6uPtVbNqv+HF0yEIcyYuzowhon/3oXKEQ=');
  for (const split of SPLITS) {
    const store = build(leaves, split, new Map(ROOTS));
    for (const cache of [undefined, createTileCache(8)]) {
      for (const [size, root] of ROOTS) {
        assert.equal(b64(treeRoot(size, onlyTiles(store, tilesForRoot(size)), cache)), root, `size ${size}`);
      }
      assert.deepEqual(proveInclusion(123, 1000, onlyTiles(store, tilesForInclusion(123, 1000)), cache).map(b64), inclusion);
      assert.deepEqual(proveConsistency(257, 1000, onlyTiles(store, tilesForConsistency(257, 1000)), cache).map(b64), consistency);
    }
  }
});

test('C2SP tile layout: the tiles of sizes 70,000 and 256', () => {
  assert.deepEqual(edgeTiles(70_000), [
    { level: 0, index: 273, width: 112 },
    { level: 1, index: 1, width: 17 },
    { level: 2, index: 0, width: 1 },
  ]);
  assert.deepEqual(edgeTiles(256), [{ level: 1, index: 0, width: 1 }]);
  assert.deepEqual(tilesForRoot(256), [{ level: 1, index: 0, width: 1 }]);
  assert.deepEqual(edgeTiles(0), []);
  assert.deepEqual(tilesForRoot(0), []);
  assert.deepEqual(treeRoot(0, memoryTiles()), emptyRoot());
  assert.deepEqual(tilesForRoot(70_000), edgeTiles(70_000));
  const store = build(LEAVES.slice(0, 600), [600]);
  assert.deepEqual([...store.tiles.keys()].sort(), ['0/0', '0/1', '0/2', '1/0']);
  assert.equal(store.tiles.get('0/2')?.length, 88 * 32);
  assert.equal(store.tiles.get('1/0')?.length, 2 * 32);
});

const tree = build(LEAVES, [1234, 1, 255, 3510]);

test('property: tile proofs equal the reference proofs and verify; tampering is rejected', () => {
  const sized = fc.oneof(fc.integer({ min: 1, max: 20 }), fc.integer({ min: 1, max: LEAVES.length })).chain((size) =>
    fc.record({ size: fc.constant(size), index: fc.nat(size - 1), old: fc.nat(size), flip: fc.nat(10_000), cached: fc.boolean() }),
  );
  const cache = createTileCache(64);
  fc.assert(
    fc.property(sized, ({ size, index, old, flip, cached }) => {
      const leaves = LEAVES.slice(0, size);
      const root = referenceRoot(leaves);
      const use = cached ? cache : undefined;
      assert.deepEqual(b64(treeRoot(size, onlyTiles(tree, tilesForRoot(size)), use)), b64(root));
      const proof = proveInclusion(index, size, onlyTiles(tree, tilesForInclusion(index, size)), use);
      assert.deepEqual(proof.map(b64), referenceInclusionProof(index, leaves).map(b64));
      const leaf = LEAVES[index] ?? emptyRoot();
      assert.ok(verifyInclusion(leaf, index, size, proof, root));
      assert.ok(!verifyInclusion(leaf, (index + 1 + (flip % (size - 1 || 1))) % size, size, proof, root) || size === 1);
      const otherSize = 1 + (flip % LEAVES.length);
      if (index < otherSize && proveInclusion(index, otherSize, tree).length !== proof.length) {
        assert.ok(!verifyInclusion(leaf, index, otherSize, proof, root));
      }
      const consistency = proveConsistency(old, size, onlyTiles(tree, tilesForConsistency(old, size)), use);
      assert.deepEqual(consistency.map(b64), referenceConsistencyProof(old, leaves).map(b64));
      const oldRoot = referenceRoot(leaves.slice(0, old));
      assert.ok(verifyConsistency(old, size, oldRoot, root, consistency));
      if (proof.length > 0) assert.ok(!verifyInclusion(leaf, index, size, flipBit(proof, flip), root));
      if (consistency.length > 0) assert.ok(!verifyConsistency(old, size, oldRoot, root, flipBit(consistency, flip)));
      // Every tree extends the empty one, so only a non-empty old tree constrains the new root.
      if (old > 0) assert.ok(!verifyConsistency(old, size, oldRoot, flipBit([root], flip)[0] ?? root, consistency));
      if (old > 0) assert.ok(!verifyConsistency(old, size, flipBit([oldRoot], flip)[0] ?? oldRoot, root, consistency));
    }),
    { numRuns: 80 },
  );
});

function flipBit(hashes: Hash[], seed: number): Hash[] {
  const copy = hashes.map((h) => Uint8Array.from(h));
  const target = copy[seed % copy.length];
  if (target === undefined) return copy;
  const byte = Math.floor(seed / copy.length) % 32;
  target[byte] = (target[byte] ?? 0) ^ (1 << seed % 8);
  return copy;
}

test('property: any batch splitting yields the same tiles, and each append returns exactly the tiles it changed', () => {
  const whole = build(LEAVES.slice(0, 3000), [3000]);
  fc.assert(
    fc.property(fc.array(fc.integer({ min: 0, max: 700 }), { minLength: 1, maxLength: 12 }), (batches) => {
      const store = memoryTiles();
      let size = 0;
      for (const count of batches) {
        const before = new Map(store.tiles);
        const result = appendLeaves(size, onlyTiles(store, edgeTiles(size)), LEAVES.slice(size, Math.min(3000, size + count)));
        store.apply(result.tiles);
        size = result.newSize;
        const changed = [...store.tiles].filter(([key, value]) => !Buffer.from(before.get(key) ?? []).equals(value)).map(([key]) => key);
        assert.deepEqual(result.tiles.map((t) => `${t.level}/${t.index}`).sort(), changed.sort());
      }
      for (const [key, value] of store.tiles) {
        const expected = whole.tiles.get(key)?.subarray(0, value.length);
        assert.ok(expected !== undefined && Buffer.from(expected).equals(value), `tile ${key}`);
      }
      assert.equal(b64(treeRoot(size, store)), b64(referenceRoot(LEAVES.slice(0, size))));
    }),
    { numRuns: 30 },
  );
});

test('appending nothing returns the current root and no tiles', () => {
  const store = build(LEAVES.slice(0, 300), [300]);
  const result = appendLeaves(300, store, []);
  assert.deepEqual(result.tiles, []);
  assert.equal(result.newSize, 300);
  assert.equal(b64(result.root), b64(referenceRoot(LEAVES.slice(0, 300))));
  assert.deepEqual(appendLeaves(0, memoryTiles(), []).root, emptyRoot());
});

test('missing or short tiles are reported as ledger_inconsistent; bad arguments as invalid_input', () => {
  const inconsistent = (e: unknown): boolean => isAppError(e, 'ledger_inconsistent');
  const invalid = (e: unknown): boolean => isAppError(e, 'invalid_input');
  assert.throws(() => treeRoot(10, memoryTiles()), inconsistent);
  assert.throws(() => proveInclusion(3, 10, { tile: () => new Uint8Array(32 * 5) }), inconsistent);
  assert.throws(() => treeRoot(10, { tile: () => new Uint8Array(33) }), inconsistent);
  assert.throws(() => appendLeaves(10, memoryTiles(), [entryHash(10)]), inconsistent);
  assert.throws(() => proveInclusion(10, 10, tree), invalid);
  assert.throws(() => proveInclusion(-1, 10, tree), invalid);
  assert.throws(() => proveConsistency(11, 10, tree), invalid);
  assert.throws(() => tilesForConsistency(1.5, 10), invalid);
  assert.throws(() => appendLeaves(0, memoryTiles(), [new Uint8Array(31)]), invalid);
  assert.throws(() => appendLeaves(Number.MAX_SAFE_INTEGER, memoryTiles(), [entryHash(0)]), invalid);
  assert.throws(() => createTileCache(0), invalid);
});

test('tile cache: answers held tiles, reports what is missing, widens partial tiles and evicts the least used', () => {
  const cache = createTileCache(3);
  const wanted = tilesForInclusion(4000, 5000);
  assert.deepEqual(cache.missing(wanted), wanted);
  proveInclusion(4000, 5000, tree, cache);
  assert.deepEqual(cache.missing(wanted), []);
  const noSource: TileSource = { tile: () => undefined };
  assert.deepEqual(proveInclusion(4000, 5000, noSource, cache).map(b64), referenceInclusionProof(4000, LEAVES).map(b64));
  // A partial tile held at width 1 must not answer for a wider tree.
  const small = createTileCache(10);
  cache.remember(1, 0, tree.tile(1, 0)?.subarray(0, 32) ?? new Uint8Array());
  small.remember(1, 0, tree.tile(1, 0)?.subarray(0, 32) ?? new Uint8Array());
  assert.deepEqual(small.missing([{ level: 1, index: 0, width: 19 }]), [{ level: 1, index: 0, width: 19 }]);
  assert.equal(b64(treeRoot(5000, tree, small)), b64(referenceRoot(LEAVES)));
  assert.deepEqual(small.missing([{ level: 1, index: 0, width: 19 }]), []);
  for (let i = 0; i < 6; i++) cache.remember(0, i, tree.tile(0, i) ?? new Uint8Array());
  assert.equal(cache.tileCount(), 3);
  assert.deepEqual(cache.missing([{ level: 0, index: 5, width: 256 }, { level: 0, index: 0, width: 256 }]), [{ level: 0, index: 0, width: 256 }]);
});

test('tile cache: upper-level tiles survive a stream of level-0 tiles; held hashes are served as copies', () => {
  const cache = createTileCache(4);
  cache.remember(1, 0, tree.tile(1, 0) ?? new Uint8Array());
  for (let i = 0; i < 19; i++) cache.remember(0, i, tree.tile(0, i) ?? new Uint8Array());
  assert.equal(cache.tileCount(), 4);
  assert.deepEqual(cache.missing([{ level: 1, index: 0, width: 19 }]), []);
  const held = cache.hashes(0, 18, 2);
  assert.ok(held !== undefined && held.length === 64);
  assert.equal(b64(held.subarray(32)), b64(LEAVES[18 * 256 + 1] ?? new Uint8Array()));
  held.fill(0);
  assert.equal(b64(cache.hashes(0, 18, 1) ?? new Uint8Array()), b64(LEAVES[18 * 256] ?? new Uint8Array()));
  assert.equal(cache.hashes(0, 0, 1), undefined);
  assert.deepEqual(proveInclusion(18 * 256 + 5, 5000, tree, cache).map(b64), referenceInclusionProof(18 * 256 + 5, LEAVES).map(b64));
});

test('tiles held in Buffers (as drivers return them) are never written: proofs hash copies', () => {
  const buffers = new Map([...tree.tiles].map(([key, hashes]) => [key, Buffer.from(hashes)]));
  const source: TileSource = { tile: (level, index) => buffers.get(`${level}/${index}`) };
  const before = new Map([...buffers].map(([key, b]) => [key, b64(b)]));
  for (const cache of [undefined, createTileCache(8)]) {
    assert.deepEqual(proveInclusion(1234, 5000, source, cache).map(b64), referenceInclusionProof(1234, LEAVES).map(b64));
    assert.deepEqual(proveConsistency(300, 5000, source, cache).map(b64), referenceConsistencyProof(300, LEAVES).map(b64));
    assert.equal(b64(treeRoot(5000, source, cache)), b64(referenceRoot(LEAVES)));
  }
  assert.deepEqual(new Map([...buffers].map(([key, b]) => [key, b64(b)])), before);
});

test('tile paths follow the C2SP examples', () => {
  assert.equal(tilePath({ level: 0, index: 1234067, width: 256 }), 'tile/0/x001/x234/067');
  assert.equal(tilePath({ level: 0, index: 1234067, width: 5 }), 'tile/0/x001/x234/067.p/5');
  assert.equal(tilePath({ level: 2, index: 0, width: 1 }), 'tile/2/000.p/1');
  assert.equal(tilePath({ level: 63, index: 1000, width: 256 }), 'tile/63/x001/000');
  assert.equal(entriesPath(1234067, 256), 'tile/entries/x001/x234/067');
  assert.equal(entriesPath(7, 255), 'tile/entries/007.p/255');
  assert.deepEqual(parseTilePath('tile/0/x001/x234/067.p/5'), { kind: 'hash', level: 0, index: 1234067, width: 5 });
  assert.deepEqual(parseTilePath('tile/entries/x001/x234/067'), { kind: 'entries', index: 1234067, width: 256 });
  assert.deepEqual(parseTilePath('tile/1/000'), { kind: 'hash', level: 1, index: 0, width: 256 });
  assert.deepEqual(parseTilePath(tilePath({ level: 0, index: Number.MAX_SAFE_INTEGER, width: 3 })), { kind: 'hash', level: 0, index: Number.MAX_SAFE_INTEGER, width: 3 });
});

test('property: tile and entry paths round-trip', () => {
  const width = fc.integer({ min: 1, max: 256 });
  const index = fc.oneof(fc.nat({ max: 5000 }), fc.nat({ max: Number.MAX_SAFE_INTEGER }));
  fc.assert(
    fc.property(fc.integer({ min: 0, max: 63 }), index, width, (level, n, w) => {
      assert.deepEqual(parseTilePath(tilePath({ level, index: n, width: w })), { kind: 'hash', level, index: n, width: w });
      assert.deepEqual(parseTilePath(entriesPath(n, w)), { kind: 'entries', index: n, width: w });
    }),
    { numRuns: 300 },
  );
});

test('tile paths that are not canonical or out of range are rejected', () => {
  const bad = [
    '',
    '/tile/0/000',
    'tile/0/000/',
    'tile/0/67',
    'tile/0/0067',
    'tile/0/x000/067',
    'tile/0/x01/067',
    'tile/0/001/067',
    'tile/0/x001/x234',
    'tile/00/000',
    'tile/01/000',
    'tile/64/000',
    'tile/999/000',
    'tile/-1/000',
    'tile/0/000.p/0',
    'tile/0/000.p/256',
    'tile/0/000.p/05',
    'tile/0/000.p/',
    'tile/0/000.p/1/',
    'tile/0/000.P/1',
    'tile/0/abc',
    'tile/0/x009/x007/x199/x254/x740/x992/000',
    'tile/0/x009/x007/x199/x254/x740/992',
    'tile/data/000',
    'tile/entries/000.p/0',
    'tile/entries/x000/001',
    'tile/0/０００',
    `tile/0/${'x001/'.repeat(20)}000`,
  ];
  for (const path of bad) assert.throws(() => parseTilePath(path), (e) => isAppError(e, 'invalid_input'), path);
  assert.throws(() => tilePath({ level: 64, index: 0, width: 256 }), (e) => isAppError(e, 'invalid_input'));
  assert.throws(() => tilePath({ level: 0, index: -1, width: 256 }), (e) => isAppError(e, 'invalid_input'));
  assert.throws(() => tilePath({ level: 0, index: 0, width: 0 }), (e) => isAppError(e, 'invalid_input'));
  assert.throws(() => entriesPath(0, 257), (e) => isAppError(e, 'invalid_input'));
});
