// Benchmark 3: verifyLog (the full audit `writ verify` runs) in entries per second over a large log.
import { performance } from 'node:perf_hooks';
import type { WritApp } from '../src/app.ts';
import { verifyLog } from '../src/ledger/log-verifier.ts';
import { createVerifier } from '../src/ledger/signed-note.ts';

export interface VerifySpeedResult {
  readonly ok: boolean;
  readonly entriesChecked: number;
  readonly checkpointsChecked: number;
  readonly seconds: number;
  readonly entriesPerSecond: number;
  /** The first problem verifyLog reported, if any (it stops checking entries at the first one). */
  readonly problem: string | undefined;
}

/** Runs verifyLog once over the whole store against the app's verifier key. */
export async function runVerifySpeed(app: WritApp): Promise<VerifySpeedResult> {
  const started = performance.now();
  const report = await verifyLog(app.store, createVerifier(app.signer.verifierKey));
  const seconds = (performance.now() - started) / 1000;
  return {
    ok: report.ok,
    entriesChecked: report.entriesChecked,
    checkpointsChecked: report.checkpointsChecked,
    seconds,
    entriesPerSecond: report.entriesChecked / seconds,
    problem: report.problems[0]?.message,
  };
}
