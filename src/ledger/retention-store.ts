// The retention port: windows of old entries, removal of their content in audited batches, legal holds, removed-entry lookups.
import type { LegalHold } from './legal-holds.ts';
import type { PendingEntry } from './ledger-store.ts';
import type { RetentionCandidate, RetentionDecision } from './retention-decision.ts';

/** Indices [from, to). */
export interface IndexWindow {
  readonly from: number;
  readonly to: number;
}

/** What a batch decided and, unless it was a dry run, removed. */
export interface RetentionBatchResult extends RetentionDecision {
  readonly window: IndexWindow;
}

export interface RemovedEntry {
  readonly index: number;
  readonly eventId: string;
  readonly removedAtMs: number;
}

export interface RetentionStore {
  /**
   * Windows of at most `size` indices, ascending, that may hold sequenced entries with an event time before `before`
   * (from the time blocks of the search index), starting at index `fromIndex`; at most `limit` of them.
   */
  windowsBefore(before: string, size: number, fromIndex: number, limit: number): Promise<IndexWindow[]>;
  /**
   * In one transaction: reads the window's sequenced entries with an event time before `before`, their targets and the
   * active holds; `decide` chooses; unless `record` is undefined (a dry run), removes the chosen entries' content
   * (entry bytes, personal part and search rows; a stub with index and event id stays) and appends the entry `record`
   * builds, when something was removed. Leaf hashes, tiles and checkpoints are never touched.
   */
  removeInWindow(
    window: IndexWindow,
    before: string,
    decide: (candidates: readonly RetentionCandidate[], holds: readonly LegalHold[]) => RetentionDecision,
    record: ((result: RetentionBatchResult) => PendingEntry) | undefined,
  ): Promise<RetentionBatchResult>;
  /** Appends one entry on its own (the end of a run). */
  record(entry: PendingEntry): Promise<void>;
  /** Stores `hold` and appends `record` in one transaction. */
  placeHold(hold: LegalHold, record: PendingEntry): Promise<void>;
  /**
   * Marks the hold released and appends the entry `record` builds, in one transaction; resolves to the released hold,
   * or undefined when there is no such hold. A hold already released is returned unchanged, with nothing appended.
   */
  releaseHold(id: string, release: NonNullable<LegalHold['released']>, record: (hold: LegalHold) => PendingEntry): Promise<LegalHold | undefined>;
  listHolds(includeReleased: boolean, limit: number): Promise<LegalHold[]>;
  /** How many entries retention has removed, and the retention floor (the lowest index from which every entry is still held). */
  removalSummary(): Promise<{ removedCount: number; floor: number }>;
}

/** What readers of the log need to know of entries retention removed. */
export interface RemovedEntryReader {
  /** Runs of removed indices within [fromIndex, toIndex), ascending, as windows [from, to). */
  readRemovedRanges(fromIndex: number, toIndex: number): Promise<IndexWindow[]>;
  /** The removed entry with this event id, if retention removed it. */
  findRemoved(eventId: string): Promise<RemovedEntry | undefined>;
  /** The lowest index from which every entry is still held (0 when nothing was removed). */
  floor(): Promise<number>;
}
