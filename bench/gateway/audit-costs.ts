// In-process: what auditing one gateway statement costs (judge, event, ledger entry, commit), and how group commit shares commits across sessions.
import { performance } from 'node:perf_hooks';
import { createGroupCommitAppender } from '../../src/ledger/group-commit.ts';
import type { LedgerStore, PendingEntry } from '../../src/ledger/ledger-store.ts';
import { statementExecutedEvent, type SessionIdentity } from '../../src/gateway/postgres/gateway-audit.ts';
import { createStatementJudge } from '../../src/gateway/postgres/statement-judge.ts';
import { loadStatementParser } from '../../src/gateway/postgres/statement-inspector.ts';
import type { WritApp } from '../../src/app.ts';
import { openBenchStore, Samples, type Backend } from '../bench-support.ts';

/** Mean cost of one step, measured over `n` calls in a loop. */
export interface StepCost {
  readonly step: string;
  readonly microseconds: number;
  readonly n: number;
}

export interface GroupCommitCase {
  readonly backend: Backend;
  readonly sessions: number;
  readonly statementsPerSecond: number;
  readonly transactions: number;
  readonly entriesPerTransaction: number;
  readonly appendP50Ms: number;
  readonly appendP99Ms: number;
}

export interface AuditCostsResult {
  readonly steps: readonly StepCost[];
  readonly groupCommit: readonly GroupCommitCase[];
}

/** Group-commit transactions in flight per backend, as the dialects set `appendTransactionsInFlight`. */
const IN_FLIGHT: Record<Backend, number> = { sqlite: 1, postgres: 3 };

const identity: SessionIdentity = {
  sessionId: '01a2160d-60f8-7005-8ab1-624454c61cd0',
  userId: '01a2160d-4c10-7002-a352-b4b04d0b7f92',
  userName: 'bencher',
  clientAddress: '127.0.0.1',
  credentialId: '01a2160d-55ef-7007-83cb-e652bf8805ed',
  grantId: '01a2160d-5592-7000-8f8a-d06aed26dd01',
  requestId: '01a2160d-5588-7000-82ae-519d477c7be5',
  resourceId: 'bench-db',
  level: 'read-only',
};

/** pgbench -S's statement as the simple protocol sends it: a new literal each time, so the judge's cache never hits. */
const simpleSql = (n: number): string => `SELECT abalance FROM pgbench_accounts WHERE aid = ${1 + (n % 1_000_000)};`;
const EXTENDED_SQL = 'SELECT abalance FROM pgbench_accounts WHERE aid = $1;';

function statementEntry(app: WritApp, n: number): PendingEntry {
  const event = statementExecutedEvent(identity, { statementIndex: n, protocol: 'simple', sql: simpleSql(n), statementKinds: ['SelectStmt'], parameterCount: 0 });
  return app.auditEntry(event);
}

function timeLoop(step: string, n: number, body: (i: number) => void): StepCost {
  for (let i = 0; i < Math.min(n, 2000); i += 1) body(i);
  const started = performance.now();
  for (let i = 0; i < n; i += 1) body(i);
  return { step, microseconds: ((performance.now() - started) * 1000) / n, n };
}

async function measureSteps(app: WritApp, n: number): Promise<StepCost[]> {
  await loadStatementParser();
  const enforcement = { readOnly: true, guardrails: [], logParameters: false, allowSuperuser: false };
  const steps: StepCost[] = [];
  steps.push(timeLoop('judge a new text (libpg-query parse + read-only rules): simple protocol', n, (i) => createStatementJudge(enforcement)(simpleSql(i))));
  const cached = createStatementJudge(enforcement);
  steps.push(timeLoop('judge a text seen before (cache hit): extended protocol', n, () => cached(EXTENDED_SQL)));
  steps.push(timeLoop('build gateway.statement.executed (incl. SHA-256 of the text)', n, (i) => {
    statementExecutedEvent(identity, { statementIndex: i, protocol: 'simple', sql: simpleSql(i), statementKinds: ['SelectStmt'], parameterCount: 0 });
  }));
  const event = statementExecutedEvent(identity, { statementIndex: 1, protocol: 'simple', sql: simpleSql(1), statementKinds: ['SelectStmt'], parameterCount: 0 });
  steps.push(timeLoop('ledger entry of it: auditEntry (zod, RFC 8785 JSON, leaf hash)', n, () => app.auditEntry(event)));
  const commits = Math.max(200, Math.round(n / 10));
  const entries = Array.from({ length: commits }, (_, i) => statementEntry(app, i));
  const started = performance.now();
  for (const entry of entries) await app.store.appendPending([entry]);
  steps.push({ step: 'commit one entry alone (appendPending, one transaction)', microseconds: ((performance.now() - started) * 1000) / commits, n: commits });
  const batches = Array.from({ length: 20 }, (_, b) => Array.from({ length: 100 }, (_, i) => statementEntry(app, commits + b * 100 + i)));
  const batchStarted = performance.now();
  for (const batch of batches) await app.store.appendPending(batch);
  steps.push({ step: 'commit 100 entries in one transaction, per entry', microseconds: ((performance.now() - batchStarted) * 1000) / 2000, n: 2000 });
  return steps;
}

/** `sessions` loops, each building one statement entry and awaiting its commit before the next (as a session does); sequencer running. */
async function groupCommitCase(backend: Backend, sessions: number, seconds: number): Promise<GroupCommitCase> {
  const bench = await openBenchStore(backend);
  try {
    const { app } = bench;
    let transactions = 0;
    const counted: LedgerStore = {
      ...app.store,
      appendPending: (entries) => {
        transactions += 1;
        return app.store.appendPending(entries);
      },
    };
    const appender = createGroupCommitAppender(counted, { maxBatch: app.config.sequencerBatchSize, maxInFlight: IN_FLIGHT[backend] });
    const sequencer = app.startSequencer();
    const latency = new Samples();
    let next = 0;
    const endAt = performance.now() + seconds * 1000;
    const begun = performance.now();
    await Promise.all(
      Array.from({ length: sessions }, async () => {
        while (performance.now() < endAt) {
          const sent = performance.now();
          await appender.append([statementEntry(app, next++)]);
          latency.add(performance.now() - sent);
        }
      }),
    );
    const elapsed = (performance.now() - begun) / 1000;
    await sequencer.stop();
    const s = latency.summary();
    return { backend, sessions, statementsPerSecond: s.n / elapsed, transactions, entriesPerTransaction: s.n / Math.max(1, transactions), appendP50Ms: s.p50, appendP99Ms: s.p99 };
  } finally {
    await bench.dispose();
  }
}

/**
 * Per-statement audit costs on SQLite, then group commit with 1, 8 and 64 sessions on each backend.
 * @example const costs = await runAuditCosts(['sqlite', 'postgres'], { quick: false })
 */
export async function runAuditCosts(backends: readonly Backend[], options: { quick: boolean }): Promise<AuditCostsResult> {
  const bench = await openBenchStore('sqlite');
  let steps: StepCost[];
  try {
    steps = await measureSteps(bench.app, options.quick ? 5000 : 20_000);
  } finally {
    await bench.dispose();
  }
  const groupCommit: GroupCommitCase[] = [];
  for (const backend of backends) {
    for (const sessions of [1, 8, 64]) groupCommit.push(await groupCommitCase(backend, sessions, options.quick ? 1.5 : 4));
  }
  return { steps, groupCommit };
}
