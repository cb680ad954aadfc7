// Runs the sequencer continuously: at once when told of new entries, else on a short poll for other processes' entries.
import type { SequencerDeps, SequencingResult } from './sequencer.ts';
import { integratePending } from './sequencer.ts';

export interface SequencerLoop {
  /** Tells the loop that entries were appended, so it runs without waiting for the next poll. */
  notify(): void;
  /** Runs batches until nothing is pending that this process can integrate; returns the last result. */
  drain(): Promise<SequencingResult>;
  stop(): Promise<void>;
}

export interface SequencerLoopOptions {
  readonly pollMs: number;
  /** Told of every failure; the loop keeps going and retries after `pollMs`. */
  readonly onError: (error: unknown) => void;
  readonly onIntegrated?: (result: Extract<SequencingResult, { kind: 'integrated' }>) => void;
}

/**
 * Starts a sequencer loop.
 * @example const loop = startSequencerLoop(deps, { pollMs: 50, onError: log }); loop.notify();
 */
export function startSequencerLoop(deps: SequencerDeps, options: SequencerLoopOptions): SequencerLoop {
  let running: Promise<SequencingResult> | undefined;
  let again = false;
  let stopped = false;
  let timer: NodeJS.Timeout | undefined;

  const runOnce = async (): Promise<SequencingResult> => {
    for (;;) {
      const result = await integratePending(deps);
      if (result.kind === 'integrated') options.onIntegrated?.(result);
      if (result.kind !== 'integrated' || result.count < deps.batchSize) return result;
    }
  };

  const schedule = (delayMs: number): void => {
    if (stopped) return;
    if (timer !== undefined) clearTimeout(timer);
    timer = setTimeout(tick, delayMs);
  };

  const run = (): Promise<SequencingResult> => {
    if (running !== undefined) {
      again = true;
      return running;
    }
    running = runOnce()
      .catch((error: unknown) => {
        options.onError(error);
        return { kind: 'idle' } as const;
      })
      .finally(() => {
        running = undefined;
        if (again) {
          again = false;
          schedule(0);
        } else {
          schedule(options.pollMs);
        }
      });
    return running;
  };

  function tick(): void {
    timer = undefined;
    void run();
  }

  schedule(0);
  return {
    notify: () => {
      if (running === undefined) schedule(0);
      else again = true;
    },
    async drain() {
      if (running !== undefined) await running;
      return run();
    },
    async stop() {
      stopped = true;
      if (timer !== undefined) clearTimeout(timer);
      if (running !== undefined) await running;
    },
  };
}
