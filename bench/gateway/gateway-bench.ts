// Benchmark 6: pgbench -S through PostgreSQL directly, PgBouncer, a plain Node pipe and Writ's gateway (every statement audited), in one run.
import { loadavg } from 'node:os';
import { performance } from 'node:perf_hooks';
import { benchPgUrl, log, pgServerVersion, type Backend } from '../bench-support.ts';
import { runAuditCosts, type AuditCostsResult } from './audit-costs.ts';
import { cpuSecondsOf } from './child-process.ts';
import type { CommitCounts } from './commit-counter.ts';
import { countOf, settledCounts, type LedgerCounts } from './ledger-counts.ts';
import { ensurePgbenchDatabase, pgbenchModes, pgbenchVersion, runPgbench, targetOfUrl, type PgbenchMode, type PgbenchResult, type PgbenchSettings, type PgTarget } from './pgbench-run.ts';
import { pgbouncerVersion, startPgbouncer, type RunningProxy } from './pgbouncer.ts';
import { startPlainPipe } from './plain-pipe.ts';
import { startWritGateway, type WritGateway } from './writ-gateway-target.ts';

export type TargetName = 'direct' | 'pgbouncer' | 'node-pipe' | 'writ-sqlite' | 'writ-postgres';

export const targetLabels: Record<TargetName, string> = {
  direct: 'PostgreSQL directly',
  pgbouncer: 'PgBouncer (session pooling)',
  'node-pipe': 'plain Node TCP pipe',
  'writ-sqlite': 'Writ, SQLite store',
  'writ-postgres': 'Writ, PostgreSQL store',
};

/** What Writ's ledger gained during one run. */
export interface AuditTally {
  readonly executedEvents: number;
  readonly blockedEvents: number;
  readonly completedStatements: number;
  readonly sessionStatements: number;
  readonly sessions: number;
  readonly entries: number;
  /** Writ's database COMMITs during the run (all transactions), and its log_pending inserts (group-commit transactions). */
  readonly commits: number | undefined;
  readonly groupCommits: number | undefined;
}

export interface TargetRun {
  readonly target: TargetName;
  readonly result: PgbenchResult;
  /** The proxy process's CPU time per transaction (µs), all threads; undefined for the direct row. */
  readonly proxyCpuMicrosPerTx: number | undefined;
  /** The share of the run its main thread was on a CPU (a Node proxy saturates near 100 %). */
  readonly mainThreadBusy: number | undefined;
  readonly audit?: AuditTally;
}

export interface GatewayBenchResult {
  readonly settings: PgbenchSettings & { readonly scale: number; readonly database: string };
  readonly versions: { readonly postgres: string; readonly pgbouncer: string | undefined; readonly pgbench: string; readonly node: string };
  readonly runs: readonly TargetRun[];
  /** The same modes with one client (-c 1 -j 1), shorter: latency without queueing behind other clients. */
  readonly singleClientRuns: readonly TargetRun[];
  readonly singleClientSeconds: number;
  readonly notes: readonly string[];
  readonly loadAverage: { readonly before: number; readonly after: number };
  readonly auditCosts: AuditCostsResult | undefined;
}

export interface GatewayBenchOptions {
  readonly seconds: number;
  readonly writStores: readonly Backend[];
  readonly quick: boolean;
  /** Where Writ's CPU profiles go (`node --cpu-prof`), when set. */
  readonly cpuProfileDir: string | undefined;
}

const DATABASE = 'writ_bench';
const SCALE = 10;

interface LedgerReading {
  readonly counts: LedgerCounts;
  readonly commits: CommitCounts | undefined;
}

async function readLedger(writ: WritGateway): Promise<LedgerReading> {
  const counts = await settledCounts(writ.ledger, 30_000);
  return { counts, commits: writ.commits() };
}

function tally(start: LedgerReading, end: LedgerReading): AuditTally {
  const before = start.counts;
  const after = end.counts;
  const delta = (type: string): number => countOf(after, type) - countOf(before, type);
  const total = (counts: LedgerCounts): number => [...counts.byType.values()].reduce((sum, n) => sum + n, 0);
  return {
    executedEvents: delta('gateway.statement.executed'),
    blockedEvents: delta('gateway.statement.blocked'),
    completedStatements: after.completedStatements - before.completedStatements,
    sessionStatements: after.sessionStatements - before.sessionStatements,
    sessions: delta('gateway.session.ended'),
    entries: total(after) - total(before),
    commits: start.commits === undefined || end.commits === undefined ? undefined : end.commits.commits - start.commits.commits,
    groupCommits: start.commits === undefined || end.commits === undefined ? undefined : end.commits.pendingInserts - start.commits.pendingInserts,
  };
}

function perTransaction(seconds: number | undefined, transactions: number): number | undefined {
  return seconds === undefined ? undefined : (seconds * 1e6) / Math.max(1, transactions);
}

type Target = RunningProxy | WritGateway;

async function measure(name: TargetName, proxy: Target | undefined, direct: PgTarget, mode: PgbenchMode, settings: PgbenchSettings): Promise<TargetRun> {
  const writ = proxy !== undefined && 'ledger' in proxy ? proxy : undefined;
  const before = writ === undefined ? undefined : await readLedger(writ);
  const cpuBefore = cpuSecondsOf(proxy?.pid);
  const mainBefore = cpuSecondsOf(proxy?.pid, 'main-thread');
  const startedAt = performance.now();
  const result = await runPgbench(proxy?.target ?? direct, mode, settings);
  const wallSeconds = (performance.now() - startedAt) / 1000;
  const cpu = cpuBefore === undefined ? undefined : (cpuSecondsOf(proxy?.pid) ?? cpuBefore) - cpuBefore;
  const main = mainBefore === undefined ? undefined : (cpuSecondsOf(proxy?.pid, 'main-thread') ?? mainBefore) - mainBefore;
  const after = writ === undefined ? undefined : await readLedger(writ);
  log(`  ${mode} ${name}: ${Math.round(result.tps)} tps, p50 ${result.p50Ms.toFixed(3)} ms, p99 ${result.p99Ms.toFixed(3)} ms`);
  const run: TargetRun = { target: name, result, proxyCpuMicrosPerTx: perTransaction(cpu, result.transactions), mainThreadBusy: main === undefined ? undefined : main / wallSeconds };
  return before === undefined || after === undefined ? run : { ...run, audit: tally(before, after) };
}

async function startTargets(direct: PgTarget, options: GatewayBenchOptions, notes: string[]): Promise<Map<TargetName, Target | undefined>> {
  const targets = new Map<TargetName, Target | undefined>([['direct', undefined]]);
  if ((await pgbouncerVersion()) === undefined) {
    const note = 'PgBouncer is not installed (the Debian package is `pgbouncer`): its rows are skipped and the ratios cannot be computed.';
    log(note);
    notes.push(note);
  } else {
    targets.set('pgbouncer', await startPgbouncer(direct));
  }
  targets.set('node-pipe', await startPlainPipe(direct));
  for (const store of options.writStores) {
    log(`starting writ serve (${store} store)`);
    targets.set(store === 'sqlite' ? 'writ-sqlite' : 'writ-postgres', await startWritGateway(direct, { store, storeUrl: benchPgUrl(), cpuProfileDir: options.cpuProfileDir }));
  }
  return targets;
}

const singleClientSecondsOf = (quick: boolean): number => (quick ? 2 : 5);

/** Warm-up of each target, then every mode against every target with 8 clients, then with one. */
async function runAll(targets: Map<TargetName, Target | undefined>, direct: PgTarget, settings: PgbenchSettings, quick: boolean): Promise<{ runs: TargetRun[]; singleClientRuns: TargetRun[] }> {
  const runs: TargetRun[] = [];
  const singleClientRuns: TargetRun[] = [];
  for (const [name, proxy] of targets) {
    log(`  warm-up: ${name}`);
    await runPgbench(proxy?.target ?? direct, 'simple', { ...settings, seconds: quick ? 1 : 3 });
  }
  for (const mode of pgbenchModes) {
    for (const [name, proxy] of targets) runs.push(await measure(name, proxy, direct, mode, settings));
  }
  const single = { clients: 1, threads: 1, seconds: singleClientSecondsOf(quick) };
  for (const mode of pgbenchModes) {
    for (const [name, proxy] of targets) singleClientRuns.push(await measure(name, proxy, direct, mode, single));
  }
  return { runs, singleClientRuns };
}

/**
 * Every mode against every target (modes outer, so drift on the shared machine touches all targets alike), after a short warm-up of each.
 * @example const result = await runGatewayBench({ seconds: 20, writStores: ['sqlite', 'postgres'], quick: false, cpuProfileDir: undefined })
 */
export async function runGatewayBench(options: GatewayBenchOptions): Promise<GatewayBenchResult | { skipped: string }> {
  const pgbench = await pgbenchVersion();
  if (pgbench === undefined) return { skipped: 'pgbench is not installed (it comes with the PostgreSQL client package)' };
  const postgres = await pgServerVersion(benchPgUrl());
  if (postgres === undefined) return { skipped: 'PostgreSQL is not reachable' };
  log(`gateway: preparing ${DATABASE} (pgbench -i -s ${SCALE} when missing)`);
  await ensurePgbenchDatabase(benchPgUrl(), DATABASE, SCALE);
  const direct = targetOfUrl(benchPgUrl(), DATABASE);
  const settings: PgbenchSettings = { clients: 8, threads: 2, seconds: options.seconds };
  const notes: string[] = [];
  const targets = await startTargets(direct, options, notes);
  const loadBefore = loadavg()[0] ?? Number.NaN;
  let measured: Awaited<ReturnType<typeof runAll>>;
  try {
    measured = await runAll(targets, direct, settings, options.quick);
  } finally {
    for (const proxy of targets.values()) await proxy?.close();
  }
  const loadAfter = loadavg()[0] ?? Number.NaN;
  log('gateway: per-statement audit costs and group commit, in-process');
  const auditCosts = await runAuditCosts(options.writStores, { quick: options.quick });
  return {
    settings: { ...settings, scale: SCALE, database: DATABASE },
    versions: { postgres: postgres.split(' on ')[0] ?? postgres, pgbouncer: await pgbouncerVersion(), pgbench, node: process.version },
    ...measured,
    singleClientSeconds: singleClientSecondsOf(options.quick),
    notes,
    loadAverage: { before: loadBefore, after: loadAfter },
    auditCosts,
  };
}
