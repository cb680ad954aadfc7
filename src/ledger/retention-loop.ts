// The retention schedule inside `writ serve`: one run shortly after start, then one every `runEveryHours`.
import { keepsEverything } from './retention-rules.ts';
import { runRetention, type RetentionDeps, type RetentionReport } from './retention-run.ts';

export interface RetentionLoop {
  stop(): Promise<void>;
}

const HOUR_MS = 3_600_000;
/** The first run waits this long, so a start is not slowed by it. */
const FIRST_RUN_DELAY_MS = 60_000;

/**
 * Starts the schedule; with rules that keep everything it does nothing (no run, no ledger entry).
 * @example const loop = startRetentionLoop(deps, { onError, onRan }); await loop.stop();
 */
export function startRetentionLoop(
  deps: RetentionDeps,
  options: { onError: (error: unknown) => void; onRan?: (report: RetentionReport) => void; firstRunDelayMs?: number },
): RetentionLoop {
  if (keepsEverything(deps.settings)) return { stop: () => Promise.resolve() };
  let timer: NodeJS.Timeout | undefined;
  let running: Promise<void> | undefined;
  let stopped = false;
  const schedule = (delayMs: number): void => {
    if (stopped) return;
    timer = setTimeout(() => {
      running = runRetention(deps, { actor: { kind: 'system', id: 'writ' }, trigger: 'schedule', dryRun: false })
        .then((report) => options.onRan?.(report), options.onError)
        .finally(() => {
          running = undefined;
          schedule(deps.settings.runEveryHours * HOUR_MS);
        });
    }, delayMs);
    timer.unref();
  };
  schedule(options.firstRunDelayMs ?? FIRST_RUN_DELAY_MS);
  return {
    async stop() {
      stopped = true;
      if (timer !== undefined) clearTimeout(timer);
      await running;
    },
  };
}
