// The gateway benchmark's tables (Markdown) and its own block in bench/RESULTS.md.
import { fmt } from '../bench-support.ts';
import type { AuditCostsResult } from './audit-costs.ts';
import { targetLabels, type GatewayBenchResult, type TargetRun } from './gateway-bench.ts';
import type { PgbenchMode } from './pgbench-run.ts';


/** The targets: tps at least this share of PgBouncer's in every mode, and at most this much added p50. */
export const TPS_SHARE_TARGET = 0.5;
export const ADDED_P50_TARGET_MS = 0.3;

interface RunView {
  readonly run: TargetRun;
  readonly share: number;
  readonly addedP50Ms: number;
  readonly addedP99Ms: number;
}

function views(runs: readonly TargetRun[]): RunView[] {
  const of = (mode: PgbenchMode, target: TargetRun['target']): TargetRun | undefined => runs.find((r) => r.result.mode === mode && r.target === target);
  return runs.map((run) => {
    const direct = of(run.result.mode, 'direct');
    const bouncer = of(run.result.mode, 'pgbouncer');
    return {
      run,
      share: bouncer === undefined ? Number.NaN : run.result.tps / bouncer.result.tps,
      addedP50Ms: direct === undefined ? Number.NaN : run.result.p50Ms - direct.result.p50Ms,
      addedP99Ms: direct === undefined ? Number.NaN : run.result.p99Ms - direct.result.p99Ms,
    };
  });
}

function verdicts(all: readonly RunView[]): string[] {
  const lines: string[] = [];
  for (const target of ['writ-sqlite', 'writ-postgres'] as const) {
    const rows = all.filter((v) => v.run.target === target);
    if (rows.length === 0) continue;
    const shares = rows.map((v) => `${v.run.result.mode} ${fmt(v.share, 2)}×`).join(', ');
    const added = rows.map((v) => `${v.run.result.mode} ${fmt(v.addedP50Ms, 3)} ms`).join(', ');
    const tpsMet = rows.every((v) => v.share >= TPS_SHARE_TARGET);
    const p50Met = rows.every((v) => v.addedP50Ms <= ADDED_P50_TARGET_MS);
    const tpsVerdict = rows.some((v) => Number.isNaN(v.share)) ? 'not measured (no PgBouncer)' : tpsMet ? 'met' : 'missed';
    lines.push(`- ${targetLabels[target]}: tps ≥ ${TPS_SHARE_TARGET} × PgBouncer in every mode: **${tpsVerdict}** (${shares}); added p50 ≤ ${ADDED_P50_TARGET_MS} ms: **${p50Met ? 'met' : 'missed'}** (${added}).`);
  }
  return lines;
}

function throughputTable(all: readonly RunView[]): string[] {
  const lines = [
    '| mode | target | tps | × PgBouncer | p50 ms | p99 ms | added p50 ms | added p99 ms | proxy CPU µs/tx | proxy main thread busy |',
    '| --- | --- | --- | --- | --- | --- | --- | --- | --- | --- |',
  ];
  for (const v of all) {
    const r = v.run.result;
    const direct = v.run.target === 'direct';
    const cells = [r.mode, targetLabels[v.run.target], fmt(r.tps), fmt(v.share, 2), fmt(r.p50Ms, 3), fmt(r.p99Ms, 3)];
    cells.push(direct ? '—' : fmt(v.addedP50Ms, 3), direct ? '—' : fmt(v.addedP99Ms, 3));
    cells.push(v.run.proxyCpuMicrosPerTx === undefined ? '—' : fmt(v.run.proxyCpuMicrosPerTx, 0), v.run.mainThreadBusy === undefined ? '—' : `${fmt(100 * v.run.mainThreadBusy, 0)} %`);
    lines.push(`| ${cells.join(' | ')} |`);
  }
  return lines;
}

function auditTable(runs: readonly TargetRun[]): string[] {
  const lines = [
    '| mode | target | pgbench transactions | `statement.executed` events | `statement.blocked` | statements in `statements.completed` | `statementCount` of ended sessions | sessions | ledger entries in all | group commits | entries per group commit | all COMMITs |',
    '| --- | --- | --- | --- | --- | --- | --- | --- | --- | --- | --- | --- |',
  ];
  for (const run of runs) {
    const a = run.audit;
    if (a === undefined) continue;
    const cells = [run.result.mode, targetLabels[run.target], fmt(run.result.transactions), fmt(a.executedEvents), fmt(a.blockedEvents), fmt(a.completedStatements), fmt(a.sessionStatements), fmt(a.sessions), fmt(a.entries)];
    const perGroupCommit = a.groupCommits === undefined || a.groupCommits === 0 ? Number.NaN : a.entries / a.groupCommits;
    cells.push(a.groupCommits === undefined ? 'n/a' : fmt(a.groupCommits), fmt(perGroupCommit, 1), a.commits === undefined ? 'n/a' : fmt(a.commits));
    lines.push(`| ${cells.join(' | ')} |`);
  }
  return lines;
}

function costTables(costs: AuditCostsResult): string[] {
  const lines = ['Per statement, in one Node process (SQLite store, mean over a loop):', '', '| step | µs |', '| --- | --- |'];
  for (const step of costs.steps) lines.push(`| ${step.step} | ${fmt(step.microseconds, 1)} |`);
  lines.push('', 'Group commit across sessions: each session builds one `gateway.statement.executed` entry and awaits its commit before the next, as a gateway session does; the sequencer runs.', '');
  lines.push('| store | sessions | statements/s | transactions | entries per transaction | append p50 ms | append p99 ms |', '| --- | --- | --- | --- | --- | --- | --- |');
  for (const c of costs.groupCommit) {
    lines.push(`| ${c.backend} | ${c.sessions} | ${fmt(c.statementsPerSecond)} | ${fmt(c.transactions)} | ${fmt(c.entriesPerTransaction, 1)} | ${fmt(c.appendP50Ms, 3)} | ${fmt(c.appendP99Ms, 3)} |`);
  }
  return lines;
}

/** The block for RESULTS.md (and the console). */
export function renderGatewayMarkdown(result: GatewayBenchResult, meta: { command: string; date: string; machine: string }): string {
  const s = result.settings;
  const all = views(result.runs);
  const v = result.versions;
  return [
    '### 6. PostgreSQL gateway: pgbench through Writ (`bench/gateway/`)',
    '',
    `Command: \`${meta.command}\`  `,
    `Date: ${meta.date}  `,
    `Machine: ${meta.machine}; load average (1 min) ${fmt(result.loadAverage.before, 1)} before, ${fmt(result.loadAverage.after, 1)} after  `,
    `Versions: ${v.postgres}; ${v.pgbouncer ?? 'PgBouncer not installed'}; ${v.pgbench}; Node ${v.node}`,
    '',
    `Each row: \`pgbench -n -S -M <mode> -c ${s.clients} -j ${s.threads} -T ${s.seconds}\` on a scale-${s.scale} database (${s.database}), over TCP to 127.0.0.1 without TLS`,
    '(`PGSSLMODE=disable`) for every target; pgbench, PostgreSQL and the proxy share the machine. tps is pgbench’s (without connection time);',
    'p50/p99 come from its per-transaction log (`-l`); "added" is against PostgreSQL directly in the same mode. Proxy CPU is the proxy process’s',
    'user + system time over the run per transaction. Writ runs as `writ serve` in its own process, the gateway user holds a read-only grant,',
    'and every statement is committed to the ledger before it is forwarded.',
    '',
    `**Targets** (issue): Writ ≥ ${TPS_SHARE_TARGET} × PgBouncer’s tps in every mode while auditing every statement, and ≤ ${ADDED_P50_TARGET_MS} ms added p50 latency.`,
    ...verdicts(all),
    ...result.notes.map((note) => `- ${note}`),
    '',
    ...throughputTable(all),
    '',
    `One client (\`-c 1 -j 1 -T ${result.singleClientSeconds}\`): the latency each statement adds when it does not queue behind other clients:`,
    '',
    ...throughputTable(views(result.singleClientRuns)),
    '',
    'Every statement audited (ledger entries each run added, read from the store once the sequencer caught up; pgbench also sends a few',
    'statements of its own at start, so events exceed transactions by a handful). Group commits are the transactions that wrote',
    '`log_pending` (one per batch of appends, across sessions); all COMMITs include the sequencer’s. Both are counted inside the Writ',
    'process by `bench/gateway/commit-counter.ts`, preloaded with `node --import`:',
    '',
    ...auditTable(result.runs),
    '',
    ...(result.auditCosts === undefined ? [] : costTables(result.auditCosts)),
  ].join('\n');
}

