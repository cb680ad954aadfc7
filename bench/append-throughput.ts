// Benchmark 1: acknowledged appends per second, acknowledgement latency and commit-to-checkpoint delay, sequencer running.
import { performance } from 'node:perf_hooks';
import type { LedgerStore } from '../src/ledger/ledger-store.ts';
import { benchEvent, log, openBenchStore, Samples, sleep, type Backend } from './bench-support.ts';

export interface AppendCaseOptions {
  /** Measured time; appends made during the warm-up before it count for nothing. */
  readonly durationMs: number;
  readonly warmupMs: number;
  /** How often the latest checkpoint is polled, as a reader would. */
  readonly pollMs: number;
}

export interface AppendCaseResult {
  readonly backend: Backend;
  readonly writers: number;
  readonly measuredSeconds: number;
  /** Acknowledged inside the measured window. */
  readonly acked: number;
  readonly rejected: number;
  readonly eventsPerSecond: number;
  readonly ackP50Ms: number;
  readonly ackP99Ms: number;
  readonly ackMaxMs: number;
  readonly checkpointDelayP50Ms: number;
  readonly checkpointDelayP99Ms: number;
  readonly checkpointDelayMaxMs: number;
  /** Signed checkpoints seen by the poller during the case. */
  readonly checkpointsSeen: number;
  readonly meanEntryBytes: number;
  readonly sequencerBatchSize: number;
  readonly sequencerPollMs: number;
}

interface Observation {
  readonly size: number;
  readonly at: number;
}

/** Polls the latest checkpoint like a reader; records when each new size first became visible. */
function watchCheckpoints(store: LedgerStore, pollMs: number): { observations: Observation[]; latestSize(): number; stop(): Promise<void> } {
  const observations: Observation[] = [];
  const state = { stopped: false };
  let latest = -1;
  const done = (async () => {
    while (!state.stopped) {
      const checkpoint = await store.latestCheckpoint();
      const at = performance.now();
      if (checkpoint !== undefined && checkpoint.size > latest) {
        latest = checkpoint.size;
        observations.push({ size: checkpoint.size, at });
      }
      await sleep(pollMs);
    }
  })();
  return {
    observations,
    latestSize: () => latest,
    stop: async () => {
      state.stopped = true;
      await done;
    },
  };
}

/** Runs `writers` concurrent loops, each awaiting `recorder.record()` of one event at a time. */
export async function runAppendCase(backend: Backend, writers: number, options: AppendCaseOptions): Promise<AppendCaseResult> {
  const bench = await openBenchStore(backend);
  const { app } = bench;
  try {
    const sequencer = app.startSequencer();
    const watcher = watchCheckpoints(app.store, options.pollMs);
    const ackAt = new Map<string, number>();
    const latency = new Samples();
    let next = 0;
    let total = 0;
    let acked = 0;
    let rejected = 0;
    const start = performance.now();
    const windowStart = start + options.warmupMs;
    const windowEnd = windowStart + options.durationMs;

    const writer = async (): Promise<void> => {
      while (performance.now() < windowEnd) {
        const event = benchEvent(next++);
        const sent = performance.now();
        const outcome = await app.recorder.record(event);
        const at = performance.now();
        if (outcome.kind !== 'appended') {
          rejected += 1;
          if (rejected === 1) log(`rejected: ${outcome.error.message}`);
          continue;
        }
        total += 1;
        ackAt.set(outcome.id, at);
        if (sent >= windowStart && at <= windowEnd) {
          acked += 1;
          latency.add(at - sent);
        }
      }
    };
    await Promise.all(Array.from({ length: writers }, writer));

    // Every acknowledged event must end up under a signed checkpoint; wait for the sequencer to catch up.
    const deadline = performance.now() + 120_000;
    while (watcher.latestSize() < total && performance.now() < deadline) await sleep(options.pollMs);
    await watcher.stop();
    await sequencer.stop();
    if (watcher.latestSize() < total) log(`the sequencer did not catch up: checkpoint ${watcher.latestSize()} < ${total} appended`);

    const delay = new Samples();
    let entryBytes = 0;
    let entries = 0;
    const observations = watcher.observations;
    let cursor = 0;
    for (let from = 0; from < total; from += 50_000) {
      for (const row of await app.store.readEntries(from, Math.min(total, from + 50_000))) {
        entryBytes += row.entry.byteLength;
        entries += 1;
        const ackedAt = ackAt.get(row.eventId);
        if (ackedAt === undefined || ackedAt < windowStart || ackedAt > windowEnd) continue;
        while (cursor < observations.length && (observations[cursor]?.size ?? 0) <= row.index) cursor += 1;
        const seen = observations[cursor];
        if (seen !== undefined) delay.add(Math.max(0, seen.at - ackedAt));
      }
    }
    const ack = latency.summary();
    const cp = delay.summary();
    return {
      backend,
      writers,
      measuredSeconds: options.durationMs / 1000,
      acked,
      rejected,
      eventsPerSecond: acked / (options.durationMs / 1000),
      ackP50Ms: ack.p50,
      ackP99Ms: ack.p99,
      ackMaxMs: ack.max,
      checkpointDelayP50Ms: cp.p50,
      checkpointDelayP99Ms: cp.p99,
      checkpointDelayMaxMs: cp.max,
      checkpointsSeen: observations.length,
      meanEntryBytes: entries === 0 ? Number.NaN : entryBytes / entries,
      sequencerBatchSize: app.config.sequencerBatchSize,
      sequencerPollMs: app.config.sequencerPollMs,
    };
  } finally {
    await bench.dispose();
  }
}
