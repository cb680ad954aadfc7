// The ledger's persistence port: what the sequencer, the readers and the verifier need from storage.
import type { EntryBlock, EntryBlockBuffers } from './entry-block.ts';
import type { Hash } from './hash.ts';
import type { RemovedEntryReader } from './retention-store.ts';
import type { TileCoord, TileData } from './tiles.ts';

/** An entry written by a business transaction before the sequencer gives it an index. */
export interface PendingEntry {
  readonly eventId: string;
  readonly time: string;
  readonly type: string;
  readonly actorId: string;
  readonly outcome: string;
  /** The exact bytes of the leaf (RFC 8785 JSON of the stored event). */
  readonly entry: Uint8Array;
  readonly leafHash: Hash;
  /** Personal data kept beside the entry, so it can be erased while every proof stays valid. */
  readonly personal: { readonly salt: Uint8Array; readonly value: Uint8Array } | undefined;
  /** Writ made `eventId` itself (a fresh UUIDv7): it cannot already be in the log, so the append skips that check. */
  readonly idAssigned?: boolean;
}

export interface StoredCheckpoint {
  readonly size: number;
  readonly rootHash: Hash;
  /** The signed note, verbatim. */
  readonly note: string;
  readonly createdAtMs: number;
}

export interface SequencedEntry {
  readonly index: number;
  readonly eventId: string;
  readonly entry: Uint8Array;
}

/** The operations of one sequencing transaction; nothing is visible to others until it commits. */
export interface SequencingTransaction {
  latestCheckpoint(): Promise<StoredCheckpoint | undefined>;
  /** The oldest pending entries' leaf hashes, in append order; `seq` orders them. */
  readPendingLeaves(limit: number): Promise<{ seq: number; leafHash: Hash }[]>;
  readTiles(coords: readonly TileCoord[]): Promise<TileData[]>;
  getMeta(key: string): Promise<string | undefined>;
  setMeta(key: string, value: string): Promise<void>;
  /**
   * Moves the pending entries `seqs` (ascending, as read) into the log at indices `firstIndex…`, in
   * that order, and stores the changed tiles and the signed checkpoint. Fails (and so rolls back)
   * unless every one of them moved.
   */
  integrate(batch: {
    seqs: readonly number[];
    firstIndex: number;
    tiles: readonly TileData[];
    checkpoint: StoredCheckpoint;
  }): Promise<void>;
}

export interface LedgerStore {
  /** Appends entries as pending, in one transaction; resolves once it has committed. */
  appendPending(entries: readonly PendingEntry[]): Promise<void>;
  /**
   * Runs `work` as the only sequencer, in one transaction. Resolves to undefined, without running it,
   * when another process holds the sequencer role.
   */
  sequence<T>(work: (trx: SequencingTransaction) => Promise<T>): Promise<T | undefined>;
  latestCheckpoint(): Promise<StoredCheckpoint | undefined>;
  /**
   * The newest checkpoint published to outsiders. Under a witness policy, the newest one that reached a quorum of
   * cosignatures (its note carries their lines); otherwise the newest signed one.
   */
  latestPublishedCheckpoint(): Promise<StoredCheckpoint | undefined>;
  /**
   * Publishes a cosigned checkpoint: stored unless a larger one is published; at the same size, its note (with
   * more cosignatures) replaces the stored one. Returns false when a larger checkpoint is already published.
   */
  publishCheckpoint(checkpoint: StoredCheckpoint, publishedAtMs: number): Promise<boolean>;
  /** Checkpoints with `size` in [fromSize, toSize), ascending. */
  readCheckpoints(fromSize: number, toSize: number, limit: number): Promise<StoredCheckpoint[]>;
  readTiles(coords: readonly TileCoord[]): Promise<TileData[]>;
  /** Tiles of one level with index in [fromIndex, toIndex), ascending. */
  readTileRange(level: number, fromIndex: number, toIndex: number): Promise<TileData[]>;
  /** Sequenced entries with index in [fromIndex, toIndex), ascending. */
  readEntries(fromIndex: number, toIndex: number): Promise<SequencedEntry[]>;
  /**
   * The same rows packed into one block (for reading the whole log: `writ verify`), in `reuse`'s buffers where
   * they are large enough; the block stops at the first missing index or entry not stored as bytes.
   */
  readEntryBlock(fromIndex: number, toIndex: number, reuse?: EntryBlockBuffers): Promise<EntryBlock>;
  /** Sequenced entries, newest first, with index below `beforeIndex`. */
  readRecentEntries(beforeIndex: number, limit: number): Promise<SequencedEntry[]>;
  readPersonal(eventIds: readonly string[]): Promise<Map<string, { salt: Uint8Array; value: Uint8Array }>>;
  countPending(): Promise<number>;
  /** The number of sequenced entries and the highest index, to find holes and extras. */
  entryStats(): Promise<{ count: number; maxIndex: number | undefined }>;
  getMeta(key: string): Promise<string | undefined>;
  /** Entries whose content retention removed (their leaf hashes stay in the tiles); absent on a store that never removes. */
  readonly removed?: RemovedEntryReader;
}

/**
 * Appends pending entries inside a caller's own database transaction (ARCHITECTURE rule 2): they commit
 * or roll back with the state change they record.
 */
export interface LedgerWriter {
  appendPending(entries: readonly PendingEntry[]): Promise<void>;
}
