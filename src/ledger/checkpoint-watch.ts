// Waits for the log to grow: one shared poll of the latest checkpoint, however many callers wait.
import type { LedgerStore, StoredCheckpoint } from './ledger-store.ts';

export interface CheckpointWatch {
  /** Resolves with the first checkpoint larger than `size` that the poll sees, or undefined after `timeoutMs`. */
  nextAfter(size: number, timeoutMs: number): Promise<StoredCheckpoint | undefined>;
}

interface Waiter {
  readonly size: number;
  readonly resolve: (checkpoint: StoredCheckpoint | undefined) => void;
  readonly timer: NodeJS.Timeout;
}

/**
 * Creates a watch that polls every `pollMs` while anyone waits (a failed read is tried again at the next poll).
 * @example const next = await createCheckpointWatch(store, 20).nextAfter(1000, 10_000) // size > 1000, or undefined
 */
export function createCheckpointWatch(store: LedgerStore, pollMs: number): CheckpointWatch {
  const waiters = new Set<Waiter>();
  let polling = false;

  const settle = (waiter: Waiter, checkpoint: StoredCheckpoint | undefined): void => {
    clearTimeout(waiter.timer);
    waiters.delete(waiter);
    waiter.resolve(checkpoint);
  };

  const poll = async (): Promise<void> => {
    const checkpoint = await store.latestCheckpoint().catch(() => undefined);
    if (checkpoint !== undefined) {
      for (const waiter of waiters) if (checkpoint.size > waiter.size) settle(waiter, checkpoint);
    }
    if (waiters.size === 0) {
      polling = false;
      return;
    }
    setTimeout(() => void poll(), pollMs).unref();
  };

  return {
    nextAfter(size, timeoutMs) {
      return new Promise((resolve) => {
        const waiter: Waiter = {
          size,
          resolve,
          timer: setTimeout(() => {
            settle(waiter, undefined);
          }, Math.max(0, timeoutMs)),
        };
        waiters.add(waiter);
        if (!polling) {
          polling = true;
          void poll();
        }
      });
    },
  };
}
