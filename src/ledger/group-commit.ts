// Group commit: appends made while transactions are in flight are written together in the next one.
import type { LedgerStore, PendingEntry } from './ledger-store.ts';

export interface GroupCommitAppender {
  /** Resolves once the entries' transaction has committed; rejects if it failed (none of them were written). */
  append(entries: readonly PendingEntry[]): Promise<void>;
}

export interface GroupCommitOptions {
  /** Most entries in one transaction (a caller with more gets a transaction of its own). */
  readonly maxBatch: number;
  /**
   * Transactions in flight at once (default 1). Above 1, a batch fills while others wait for their commit
   * (PostgreSQL: a round trip and an fsync); batches in flight at once may commit in either order.
   */
  readonly maxInFlight?: number;
  readonly onCommitted?: (count: number) => void;
}

interface Waiting {
  readonly entries: readonly PendingEntry[];
  resolve(): void;
  reject(error: unknown): void;
}

/**
 * Creates an appender that batches concurrent appends into one transaction each (at most `maxBatch` entries).
 * Each caller's entries stay together and in order; a failed transaction fails only the callers in it.
 * @example await createGroupCommitAppender(store, { maxBatch: 4096, onCommitted }).append([entry])
 */
export function createGroupCommitAppender(store: LedgerStore, options: GroupCommitOptions): GroupCommitAppender {
  const maxInFlight = Math.max(1, options.maxInFlight ?? 1);
  let queue: Waiting[] = [];
  let inFlight = 0;
  let scheduled = false;

  const takeBatch = (): Waiting[] => {
    let count = 0;
    let taken = 0;
    while (taken < queue.length) {
      const size = queue[taken]?.entries.length ?? 0;
      if (taken > 0 && count + size > options.maxBatch) break;
      count += size;
      taken += 1;
    }
    const batch = queue.slice(0, taken);
    queue = queue.slice(taken);
    return batch;
  };

  /** Commits a batch; if it fails, each caller is tried alone so one bad append fails only its caller. */
  const commit = async (batch: readonly Waiting[], retryAlone: boolean): Promise<void> => {
    const entries = batch.flatMap((w) => w.entries);
    try {
      await store.appendPending(entries);
      for (const w of batch) w.resolve();
      options.onCommitted?.(entries.length);
    } catch (error) {
      if (retryAlone && batch.length > 1) {
        for (const w of batch) await commit([w], false);
      } else {
        for (const w of batch) w.reject(error);
      }
    }
  };

  /** Starts transactions for what is queued while there is room; each finished one makes room for the next. */
  const flush = (): void => {
    scheduled = false;
    while (inFlight < maxInFlight && queue.length > 0) {
      const batch = takeBatch();
      inFlight += 1;
      void commit(batch, true).finally(() => {
        inFlight -= 1;
        flush();
      });
    }
  };

  return {
    append(entries) {
      return new Promise<void>((resolve, reject) => {
        queue.push({ entries, resolve, reject });
        // Wait a turn of the event loop, so that appends made together share a transaction.
        if (!scheduled && inFlight < maxInFlight) {
          scheduled = true;
          setImmediate(flush);
        }
      });
    },
  };
}
