// Benchmark 5: the access workflow in-process: request → approve → grant cycles per second, and one Cedar decision's cost.
import { readFileSync } from 'node:fs';
import { performance } from 'node:perf_hooks';
import type { AccessActor } from '../src/access/access-policy.ts';
import { applyPolicy } from '../src/access/apply-policy.ts';
import { createRequest } from '../src/access/request-commands.ts';
import { decideRequest } from '../src/access/review-commands.ts';
import { openBenchStore, Samples, type Backend } from './bench-support.ts';

export interface AccessCycleCase {
  readonly backend: Backend;
  readonly workers: number;
  readonly seconds: number;
  readonly cycles: number;
  readonly cyclesPerSecond: number;
  readonly cycleP50Ms: number;
  readonly cycleP99Ms: number;
}

export interface AccessCyclesResult {
  readonly cases: readonly AccessCycleCase[];
  /** One `decideRequest` through the applied policy (Cedar), warm. */
  readonly decision: { readonly p50Ms: number; readonly p99Ms: number; readonly n: number };
}

const POLICY = readFileSync(new URL('../examples/writ.policy.yaml', import.meta.url), 'utf8');
const reviewer: AccessActor = { userId: 'u-bob', username: 'bob', roles: ['user'], groups: ['db-leads'] };
const requester = (worker: number): AccessActor => ({ userId: `u-eng-${worker}`, username: `eng${worker}`, roles: ['user'], groups: ['engineers'] });
/** A Sunday: outside the example's working hours, so every request waits for its reviewer. */
const SUNDAY_MS = Date.UTC(2026, 10, 22, 12, 0, 0);

async function runCase(backend: Backend, workers: number, seconds: number): Promise<AccessCycleCase> {
  const bench = await openBenchStore(backend);
  try {
    const app = bench.app;
    await applyPolicy(app.access, app.policy, 'system', { text: POLICY, source: 'file', fileName: 'writ.policy.yaml' });
    const access = { ...app.access, clock: { nowMs: () => SUNDAY_MS + (performance.now() | 0) } };
    const ask = { resourceId: 'pg-dev', level: 'read-write', durationSeconds: 3600, reason: 'benchmark', ticket: undefined, startAtMs: undefined };
    const samples = new Samples();
    const endAt = performance.now() + seconds * 1000;
    let cycles = 0;
    const worker = async (index: number): Promise<void> => {
      while (performance.now() < endAt) {
        const started = performance.now();
        const { request } = await createRequest(access, requester(index), ask);
        const { grant } = await decideRequest(access, reviewer, request.id, { verdict: 'approve', comment: undefined, durationSeconds: undefined, startAtMs: undefined });
        if (grant === undefined) throw new Error('the cycle did not end in a grant');
        samples.add(performance.now() - started);
        cycles += 1;
      }
    };
    const begun = performance.now();
    await Promise.all(Array.from({ length: workers }, (_, i) => worker(i)));
    const elapsed = (performance.now() - begun) / 1000;
    const s = samples.summary();
    return { backend, workers, seconds: elapsed, cycles, cyclesPerSecond: cycles / elapsed, cycleP50Ms: s.p50, cycleP99Ms: s.p99 };
  } finally {
    await bench.dispose();
  }
}

async function measureDecision(): Promise<AccessCyclesResult['decision']> {
  const bench = await openBenchStore('sqlite');
  try {
    await applyPolicy(bench.app.access, bench.app.policy, 'system', { text: POLICY, source: 'file', fileName: 'writ.policy.yaml' });
    const policy = bench.app.policy.current();
    const ask = { requester: requester(0), resourceId: 'pg-prod', level: 'read-write', durationSeconds: 3600, reason: 'x', ticket: 'OPS-1', breakGlass: false, nowMs: SUNDAY_MS };
    for (let i = 0; i < 200; i += 1) policy.decideRequest(ask);
    const samples = new Samples();
    for (let i = 0; i < 2000; i += 1) {
      const started = performance.now();
      policy.decideRequest(ask);
      samples.add(performance.now() - started);
    }
    const s = samples.summary();
    return { p50Ms: s.p50, p99Ms: s.p99, n: s.n };
  } finally {
    await bench.dispose();
  }
}

/** @example await runAccessCycles(['sqlite'], [1, 16], 5) */
export async function runAccessCycles(backends: readonly Backend[], workers: readonly number[], seconds: number): Promise<AccessCyclesResult> {
  const cases: AccessCycleCase[] = [];
  for (const backend of backends) for (const n of workers) cases.push(await runCase(backend, n, seconds));
  return { cases, decision: await measureDecision() };
}


/** The access block of RESULTS.md. */
export function renderAccessMarkdown(result: AccessCyclesResult, heading: { command: string; date: string; machine: string }): string {
  const rows = result.cases.map(
    (c) => `| ${c.backend} | ${c.workers} | ${c.cycles.toLocaleString('en-US')} | ${c.cyclesPerSecond.toFixed(0)} | ${c.cycleP50Ms.toFixed(1)} | ${c.cycleP99Ms.toFixed(1)} |`,
  );
  return [
    '### 5. Access workflow: request → approve → grant',
    '',
    `Command: \`${heading.command}\`  `,
    `Date: ${heading.date}  `,
    `Machine: ${heading.machine}`,
    '',
    'Each cycle: `createRequest` (Cedar decision, request row, `access.request.created`) then `decideRequest` by the',
    'stage’s approver (Cedar review decision, decision row, grant row, three events), each one transaction; N workers at once.',
    '',
    '| backend | workers | cycles | cycles/s | cycle p50 ms | cycle p99 ms |',
    '| --- | --- | --- | --- | --- | --- |',
    ...rows,
    '',
    `One policy decision through Cedar (the example policy, warm): p50 ${result.decision.p50Ms.toFixed(3)} ms, p99 ${result.decision.p99Ms.toFixed(3)} ms over ${result.decision.n} calls.`,
  ].join('\n');
}

