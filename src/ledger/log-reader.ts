// Reads the log for outsiders: the latest checkpoint, receipts with inclusion proofs, and proofs between sizes.
import { AppError } from '../shared/app-error.ts';
import type { LedgerStore, StoredCheckpoint } from './ledger-store.ts';
import { formatReceipt } from './receipt.ts';
import { proveConsistency, proveInclusion, tilesForConsistency, tilesForInclusion, type TileCache, type TileCoord, type TileSource } from './tiles.ts';
import type { Hash } from './hash.ts';

/** The newest signed checkpoint; fails with not_found on a log that has never been sequenced. */
export async function latestCheckpointOrFail(store: LedgerStore): Promise<StoredCheckpoint> {
  const checkpoint = await store.latestCheckpoint();
  if (checkpoint === undefined) {
    throw new AppError('not_found', 'the log has no signed checkpoint yet: append an event or start "writ serve"');
  }
  return checkpoint;
}

/**
 * The newest checkpoint published to outsiders (under a witness policy: cosigned by a quorum, with the cosignatures).
 * @example (await publishedCheckpointOrFail(store)).note // 'audit.example.com/writ\n12\n…\n\n— audit.example.com/writ …\n— w1.example.com …\n'
 */
export async function publishedCheckpointOrFail(store: LedgerStore): Promise<StoredCheckpoint> {
  const checkpoint = await store.latestPublishedCheckpoint();
  if (checkpoint !== undefined) return checkpoint;
  const signed = await latestCheckpointOrFail(store);
  throw new AppError('unavailable', `no checkpoint is published yet: the log has signed size ${signed.size}, and no checkpoint has its witness quorum yet`);
}

/**
 * The checkpoint to prove entry `index` against: the published one when it covers the entry (with its cosignatures),
 * else the newest signed one (a receipt at once, while the witnesses have not cosigned yet).
 */
export async function checkpointCovering(store: LedgerStore, index: number): Promise<StoredCheckpoint> {
  const published = await store.latestPublishedCheckpoint();
  if (published !== undefined && index < published.size) return published;
  const signed = await latestCheckpointOrFail(store);
  if (index >= signed.size) {
    throw new AppError('not_found', `entry ${index} is not in the latest checkpoint (size ${signed.size}) yet: try again in a moment`);
  }
  return signed;
}

/** Reads the tiles named by `coords` into a TileSource. */
export async function tileSource(store: LedgerStore, coords: readonly TileCoord[]): Promise<TileSource> {
  const tiles = new Map<string, Uint8Array>();
  for (const t of await store.readTiles(coords)) tiles.set(`${t.level}/${t.index}`, t.hashes);
  return { tile: (level, index) => tiles.get(`${level}/${index}`) };
}

/** Reads only the tiles the cache cannot answer, and lets the cache keep them. */
async function cachedSource(store: LedgerStore, coords: readonly TileCoord[], cache: TileCache | undefined): Promise<TileSource> {
  const source = await tileSource(store, cache === undefined ? coords : cache.missing([...coords]));
  if (cache !== undefined) {
    for (const c of coords) {
      const hashes = source.tile(c.level, c.index);
      if (hashes !== undefined) cache.remember(c.level, c.index, hashes);
    }
  }
  return source;
}

/**
 * The inclusion proof of entry `index` in the tree of `size`; give a long-lived `cache` to serve many proofs.
 * @example await inclusionProof(store, 123, 1000, createTileCache(4096)) // 10 hashes
 */
export async function inclusionProof(store: LedgerStore, index: number, size: number, cache?: TileCache): Promise<Hash[]> {
  return proveInclusion(index, size, await cachedSource(store, tilesForInclusion(index, size), cache), cache);
}

/** The consistency proof between two tree sizes. */
export async function consistencyProof(store: LedgerStore, oldSize: number, newSize: number, cache?: TileCache): Promise<Hash[]> {
  return proveConsistency(oldSize, newSize, await cachedSource(store, tilesForConsistency(oldSize, newSize), cache), cache);
}

/**
 * A C2SP tlog-proof@v1 receipt for entry `index` against the published checkpoint, or the newest signed one if the
 * published one does not cover it yet.
 * @example await receiptFor(store, 0) // 'c2sp.org/tlog-proof@v1\nindex 0\n...'
 */
export async function receiptFor(store: LedgerStore, index: number, cache?: TileCache): Promise<string> {
  const checkpoint = await checkpointCovering(store, index);
  const proof = await inclusionProof(store, index, checkpoint.size, cache);
  return formatReceipt({ index, proof, checkpointNote: checkpoint.note });
}
