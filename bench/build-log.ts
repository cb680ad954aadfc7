// Builds a large log fast and honestly: real events prepared by prepareEvent, bulk appended as pending, then sequenced in large batches.
import { performance } from 'node:perf_hooks';
import type { WritApp } from '../src/app.ts';
import { toPendingEntry } from '../src/events/event-recorder.ts';
import { prepareEvent } from '../src/events/event-preparation.ts';
import type { PendingEntry } from '../src/ledger/ledger-store.ts';
import { integratePending } from '../src/ledger/sequencer.ts';
import { createUuidV7Generator } from '../src/shared/ids.ts';
import { benchEvent, log } from './bench-support.ts';

export interface BuiltLog {
  readonly size: number;
  readonly seconds: number;
  readonly checkpoints: number;
}

/**
 * Appends `entries` events through `store.appendPending` in chunks of `batch`, integrating each chunk with one
 * sequencer transaction (`integratePending`, the production sequencer, with a batch this large).
 * @example await buildLog(app, 1_000_000, 16_384)
 */
export async function buildLog(app: WritApp, entries: number, batch: number): Promise<BuiltLog> {
  const started = performance.now();
  const ids = createUuidV7Generator(app.clock);
  const deps = { store: app.store, signer: app.signer, clock: app.clock, batchSize: batch };
  let checkpoints = 0;
  let size = 0;
  let reported = 0;
  for (let done = 0; done < entries; ) {
    const count = Math.min(batch, entries - done);
    const pending: PendingEntry[] = [];
    for (let i = 0; i < count; i++) pending.push(toPendingEntry(prepareEvent(benchEvent(done + i), { clock: app.clock, ids })));
    await app.store.appendPending(pending);
    const result = await integratePending(deps);
    if (result.kind !== 'integrated') throw new Error(`sequencing a build batch gave "${result.kind}"`);
    checkpoints += 1;
    size = result.checkpoint.size;
    done += count;
    if (done - reported >= 100_000 || done === entries) {
      reported = done;
      log(`  built ${done.toLocaleString('en-US')} entries in ${((performance.now() - started) / 1000).toFixed(1)} s`);
    }
  }
  return { size, seconds: (performance.now() - started) / 1000, checkpoints };
}
