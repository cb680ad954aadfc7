// Counts what a running Writ's ledger holds (read straight from its store), to show that every statement was audited.
import { join } from 'node:path';
import BetterSqlite3 from 'better-sqlite3';
import pg from 'pg';
import { sleep } from '../bench-support.ts';

/** Totals over the whole ledger; the benchmark subtracts one reading from the next. */
export interface LedgerCounts {
  /** Entries committed but not yet sequenced. */
  readonly pending: number;
  readonly byType: ReadonlyMap<string, number>;
  /** Statements listed in `gateway.statements.completed` events. */
  readonly completedStatements: number;
  /** The sum of `statementCount` over `gateway.session.ended` events: the gateway's own count. */
  readonly sessionStatements: number;
}

export interface LedgerCounter {
  read(): Promise<LedgerCounts>;
  close(): Promise<void>;
}

type Row = Record<string, unknown>;
type Query = (sql: string) => Promise<Row[]>;

const SUMMED_TYPES = "('gateway.statements.completed', 'gateway.session.ended')";

function sumsOf(entry: unknown): { completed: number; session: number } {
  const text = Buffer.isBuffer(entry) ? entry.toString('utf8') : String(entry);
  const event = JSON.parse(text) as { type?: string; data?: { statements?: unknown[]; statementCount?: number } };
  if (event.type === 'gateway.statements.completed') return { completed: event.data?.statements?.length ?? 0, session: 0 };
  return { completed: 0, session: event.data?.statementCount ?? 0 };
}

/** Reads counts through `query`; the completion and session sums are kept incrementally (by log index). */
function createCounter(query: Query, close: () => Promise<void>): LedgerCounter {
  let lastIndex = -1;
  let completedStatements = 0;
  let sessionStatements = 0;
  return {
    async read() {
      const pendingRows = await query('select count(*) as n from log_pending');
      const typeRows = await query('select event_type as t, count(*) as n from log_entries group by event_type');
      const summed = await query(`select idx, entry from log_entries where idx > ${lastIndex} and event_type in ${SUMMED_TYPES} order by idx`);
      for (const row of summed) {
        const sums = sumsOf(row.entry);
        completedStatements += sums.completed;
        sessionStatements += sums.session;
        lastIndex = Math.max(lastIndex, Number(row.idx));
      }
      const byType = new Map(typeRows.map((row) => [String(row.t), Number(row.n)]));
      return { pending: Number(pendingRows[0]?.n ?? 0), byType, completedStatements, sessionStatements };
    },
    close,
  };
}

/** A read-only reader of the SQLite store in `dataDir` (WAL: it reads beside the running Writ). */
export function sqliteLedgerCounter(dataDir: string): LedgerCounter {
  const db = new BetterSqlite3(join(dataDir, 'writ.db'), { readonly: true, fileMustExist: true });
  return createCounter(
    (sql) => Promise.resolve(db.prepare(sql).all() as Row[]),
    () => {
      db.close();
      return Promise.resolve();
    },
  );
}

/** A reader of a PostgreSQL store (the URL carries the store's search_path). */
export async function postgresLedgerCounter(url: string): Promise<LedgerCounter> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  return createCounter(
    async (sql) => (await client.query<Row>(sql)).rows,
    () => client.end(),
  );
}

/** The count of one event type. */
export function countOf(counts: LedgerCounts, type: string): number {
  return counts.byType.get(type) ?? 0;
}

/**
 * Waits until the ledger is quiet after a run: nothing pending, every started session ended, two equal readings.
 * @example const after = await settledCounts(counter, 30_000)
 */
export async function settledCounts(counter: LedgerCounter, timeoutMs: number): Promise<LedgerCounts> {
  const until = Date.now() + timeoutMs;
  let previous = await counter.read();
  for (;;) {
    await sleep(500);
    const current = await counter.read();
    const quiet = current.pending === 0 && countOf(current, 'gateway.session.started') === countOf(current, 'gateway.session.ended');
    const total = (counts: LedgerCounts): number => [...counts.byType.values()].reduce((sum, n) => sum + n, 0);
    if ((quiet && total(current) === total(previous)) || Date.now() > until) return current;
    previous = current;
  }
}
