// Group commit: appends made while a transaction is in flight are written together in the next one.
import type { LedgerStore, PendingEntry } from './ledger-store.ts';

export interface GroupCommitAppender {
  /** Resolves once the entries' transaction has committed; rejects if it failed (none of them were written). */
  append(entries: readonly PendingEntry[]): Promise<void>;
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
export function createGroupCommitAppender(
  store: LedgerStore,
  options: { maxBatch: number; onCommitted?: (count: number) => void },
): GroupCommitAppender {
  let queue: Waiting[] = [];
  let flushing = false;

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

  const flush = async (): Promise<void> => {
    flushing = true;
    while (queue.length > 0) {
      const batch = takeBatch();
      await commit(batch, true);
    }
    flushing = false;
  };

  return {
    append(entries) {
      return new Promise<void>((resolve, reject) => {
        queue.push({ entries, resolve, reject });
        if (!flushing) setImmediate(() => void flush());
        flushing = true;
      });
    },
  };
}
