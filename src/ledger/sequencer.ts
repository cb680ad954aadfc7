// The sequencer: gives pending entries contiguous indices, extends the tree and signs a checkpoint, in one transaction.
import { AppError } from '../shared/app-error.ts';
import type { Clock } from '../shared/clock.ts';
import { formatCheckpoint } from './checkpoint.ts';
import { hashesEqual, emptyRoot } from './hash.ts';
import type { LedgerStore, SequencingTransaction, StoredCheckpoint } from './ledger-store.ts';
import { verifyConsistency } from './merkle-reference.ts';
import { signNote, type NoteSigner } from './signed-note.ts';
import { appendLeaves, edgeTiles, proveConsistency, tilesForConsistency, type TileCoord, type TileData, type TileSource } from './tiles.ts';

export const VERIFIER_KEY_META = 'ledger.verifier_key';

export interface SequencerDeps {
  readonly store: LedgerStore;
  readonly signer: NoteSigner;
  readonly clock: Clock;
  /** Most entries one transaction integrates. */
  readonly batchSize: number;
}

export type SequencingResult =
  | { kind: 'integrated'; count: number; checkpoint: StoredCheckpoint }
  | { kind: 'idle' }
  | { kind: 'not-leader' };

function tileKey(level: number, index: number): string {
  return `${level}/${index}`;
}

/** A tile source over tiles read from the store, with freshly computed tiles laid over them. */
function overlaySource(stored: readonly TileData[], fresh: readonly TileData[]): TileSource {
  const tiles = new Map<string, Uint8Array>();
  for (const t of [...stored, ...fresh]) tiles.set(tileKey(t.level, t.index), t.hashes);
  return { tile: (level, index) => tiles.get(tileKey(level, index)) };
}

async function readSource(trx: SequencingTransaction, coords: readonly TileCoord[], fresh: readonly TileData[]): Promise<TileSource> {
  const freshKeys = new Set(fresh.map((t) => tileKey(t.level, t.index)));
  const missing = coords.filter((c) => !freshKeys.has(tileKey(c.level, c.index)));
  return overlaySource(await trx.readTiles(missing), fresh);
}

/** Refuses to sign with a key other than the one the log was started with. */
async function checkSigningKey(trx: SequencingTransaction, signer: NoteSigner): Promise<void> {
  const known = await trx.getMeta(VERIFIER_KEY_META);
  if (known === undefined) {
    await trx.setMeta(VERIFIER_KEY_META, signer.verifierKey);
  } else if (known !== signer.verifierKey) {
    throw new AppError('key_mismatch', `this log is signed by ${known}, but the configured key is ${signer.verifierKey}: configure the log's own key`);
  }
}

function sign(deps: SequencerDeps, size: number, rootHash: Uint8Array): StoredCheckpoint {
  const text = formatCheckpoint({ origin: deps.signer.name, size, rootHash, extensions: [] });
  return { size, rootHash, note: signNote(text, [deps.signer]), createdAtMs: deps.clock.nowMs() };
}

async function integrateBatch(deps: SequencerDeps, trx: SequencingTransaction): Promise<SequencingResult> {
  await checkSigningKey(trx, deps.signer);
  const last = await trx.latestCheckpoint();
  const pending = await trx.readPendingLeaves(deps.batchSize);
  if (last === undefined && pending.length === 0) {
    const checkpoint = sign(deps, 0, emptyRoot());
    await trx.integrate({ seqs: [], firstIndex: 0, tiles: [], checkpoint });
    return { kind: 'integrated', count: 0, checkpoint };
  }
  if (pending.length === 0) return { kind: 'idle' };
  const oldSize = last?.size ?? 0;
  const edge = await trx.readTiles(edgeTiles(oldSize));
  const grown = appendLeaves(oldSize, overlaySource(edge, []), pending.map((p) => p.leafHash));
  if (last !== undefined && oldSize > 0) {
    // Never sign a tree that does not extend the last signed one.
    const source = await readSource(trx, tilesForConsistency(oldSize, grown.newSize), grown.tiles);
    const proof = proveConsistency(oldSize, grown.newSize, source);
    if (!verifyConsistency(oldSize, grown.newSize, last.rootHash, grown.root, proof)) {
      throw new AppError('ledger_inconsistent', `the stored tree of size ${oldSize} does not match its signed checkpoint: run "writ verify"`);
    }
  } else if (last !== undefined && !hashesEqual(last.rootHash, emptyRoot())) {
    throw new AppError('ledger_inconsistent', 'the signed empty checkpoint has a wrong root: run "writ verify"');
  }
  const checkpoint = sign(deps, grown.newSize, grown.root);
  await trx.integrate({ seqs: pending.map((p) => p.seq), firstIndex: oldSize, tiles: grown.tiles, checkpoint });
  return { kind: 'integrated', count: pending.length, checkpoint };
}

/**
 * Integrates one batch of pending entries, if this process holds the sequencer role.
 * @example await integratePending({ store, signer, clock, batchSize: 4096 }) // { kind: 'integrated', count: 12, ... }
 */
export async function integratePending(deps: SequencerDeps): Promise<SequencingResult> {
  const result = await deps.store.sequence((trx) => integrateBatch(deps, trx));
  return result ?? { kind: 'not-leader' };
}
