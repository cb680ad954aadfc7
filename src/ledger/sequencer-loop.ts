// Runs the sequencer continuously: coalescing new entries into few checkpoints, and polling for other processes' entries.
import type { SequencerDeps, SequencingResult } from './sequencer.ts';
import { integratePending } from './sequencer.ts';

export interface SequencerLoop {
  /** Tells the loop that `count` entries were appended; it integrates them within `coalesceMs`, at once when a batch is full. */
  notify(count?: number): void;
  /**
   * Runs batches until nothing that was pending is left. When another process holds the sequencer role,
   * it retries every `pollMs` until it can integrate or the others have sequenced every pending entry.
   */
  drain(): Promise<SequencingResult>;
  stop(): Promise<void>;
}

export interface SequencerLoopOptions {
  /** How often the loop looks for entries appended by other processes. */
  readonly pollMs: number;
  /**
   * Longest wait between a notify and the integration that covers it, unless `batchSize` entries are
   * waiting: one signed checkpoint then covers every entry appended in that window. Default: `pollMs`.
   */
  readonly coalesceMs?: number;
  /** Told of every failure; the loop keeps going and retries after `pollMs`. */
  readonly onError: (error: unknown) => void;
  readonly onIntegrated?: (result: Extract<SequencingResult, { kind: 'integrated' }>) => void;
}

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

/**
 * Starts a sequencer loop. Each integration signs one checkpoint, so coalescing appends made within
 * `coalesceMs` keeps checkpoints (signatures, tile rewrites, `log_checkpoints` rows) few under load while the
 * commit-to-checkpoint delay stays bounded by about `coalesceMs` plus one integration.
 * @example const loop = startSequencerLoop(deps, { pollMs: 50, onError: log }); loop.notify(1);
 */
export function startSequencerLoop(deps: SequencerDeps, options: SequencerLoopOptions): SequencerLoop {
  const coalesceMs = options.coalesceMs ?? options.pollMs;
  let running: Promise<SequencingResult> | undefined;
  /** Entries notified since the current or last run started. */
  let waiting = 0;
  let stopped = false;
  let timer: NodeJS.Timeout | undefined;
  let dueAt = Number.POSITIVE_INFINITY;

  const runOnce = async (): Promise<SequencingResult> => {
    for (;;) {
      const result = await integratePending(deps);
      if (result.kind === 'integrated') options.onIntegrated?.(result);
      if (result.kind !== 'integrated' || result.count < deps.batchSize) return result;
    }
  };

  /** Runs the loop within `delayMs`; an earlier due time already set stands. */
  const schedule = (delayMs: number): void => {
    if (stopped || running !== undefined) return;
    const at = performance.now() + delayMs;
    if (timer !== undefined && dueAt <= at) return;
    if (timer !== undefined) clearTimeout(timer);
    dueAt = at;
    timer = setTimeout(tick, delayMs);
  };

  const delayForWaiting = (): number => (waiting >= deps.batchSize ? 0 : coalesceMs);

  const run = (): Promise<SequencingResult> => {
    if (running !== undefined) return running;
    if (timer !== undefined) clearTimeout(timer);
    timer = undefined;
    waiting = 0;
    running = runOnce()
      .catch((error: unknown) => {
        options.onError(error);
        return { kind: 'idle' } as const;
      })
      .finally(() => {
        running = undefined;
        schedule(waiting > 0 ? delayForWaiting() : options.pollMs);
      });
    return running;
  };

  function tick(): void {
    timer = undefined;
    void run();
  }

  const drain = async (): Promise<SequencingResult> => {
    for (;;) {
      if (running !== undefined) await running;
      const result = await run();
      if (result.kind !== 'not-leader' || stopped) return result;
      // Another process is integrating right now; it may stop before it has sequenced ours.
      if ((await deps.store.countPending()) === 0) return result;
      await sleep(options.pollMs);
    }
  };

  schedule(0);
  return {
    notify: (count = 1) => {
      waiting += count;
      schedule(delayForWaiting());
    },
    drain,
    async stop() {
      stopped = true;
      if (timer !== undefined) clearTimeout(timer);
      timer = undefined;
      if (running !== undefined) await running;
    },
  };
}
