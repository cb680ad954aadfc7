// Anonymous refusals counted per source and reason, written as one summary entry per source per interval.
import type { EventInput } from '../../events/event-schema.ts';
import type { Clock } from '../../shared/clock.ts';
import type { ClientSource } from './client-source.ts';
import { refusalsSummarizedEvent, type RefusalReason, type RefusalSummary } from './gateway-audit.ts';

/**
 * A flood of refused sockets must not bury the audit trail (one entry each) nor grow without bound: each
 * interval keeps at most `maxSources` sources, and refusals from further sources share one `other` entry.
 * So an interval writes at most `maxSources + 1` entries, however many sockets were refused.
 */
export interface RefusalSummaries {
  count(source: ClientSource | undefined, reason: RefusalReason): void;
  /** Writes the summary of every source counted since the last flush. */
  flush(): Promise<void>;
  /** Stops the interval timer and writes what is pending (the gateway calls this as it closes). */
  close(): Promise<void>;
}

export interface RefusalSummarySettings {
  readonly intervalMs: number;
  readonly maxSources: number;
}

interface Tally {
  readonly source: RefusalSummary['source'];
  readonly reasons: Map<RefusalReason, number>;
}

const OTHER = 'other';

/** @example const summaries = createRefusalSummaries({ clock, write, onError }, { intervalMs: 60_000, maxSources: 1000 }); summaries.count(source, 'startup_timeout') */
export function createRefusalSummaries(
  deps: { clock: Clock; write: (events: EventInput[]) => Promise<void>; onError: (error: unknown) => void },
  settings: RefusalSummarySettings,
): RefusalSummaries {
  let tallies = new Map<string, Tally>();
  let intervalStartMs = deps.clock.nowMs();
  let closed = false;

  const flush = async (): Promise<void> => {
    const pending = tallies;
    const startMs = intervalStartMs;
    tallies = new Map();
    intervalStartMs = deps.clock.nowMs();
    if (pending.size === 0) return;
    const events = [...pending.values()].map((tally) => refusalsSummarizedEvent({ source: tally.source, reasons: tally.reasons, intervalStartMs: startMs, intervalEndMs: intervalStartMs }));
    await deps.write(events);
  };
  const timer = setInterval(() => {
    flush().catch(deps.onError);
  }, settings.intervalMs);
  // The summaries must not keep a process alive that has nothing else to do.
  timer.unref();

  return {
    count(source, reason) {
      let key = source === undefined ? OTHER : `${source.kind}:${source.address}`;
      if (!tallies.has(key) && tallies.size >= settings.maxSources) key = OTHER;
      let tally = tallies.get(key);
      if (tally === undefined) {
        tally = { source: key === OTHER || source === undefined ? { kind: 'other' } : source, reasons: new Map() };
        tallies.set(key, tally);
      }
      tally.reasons.set(reason, (tally.reasons.get(reason) ?? 0) + 1);
      if (closed) flush().catch(deps.onError);
    },
    flush,
    async close() {
      closed = true;
      clearInterval(timer);
      await flush();
    },
  };
}
