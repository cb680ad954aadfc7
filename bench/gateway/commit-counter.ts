// Preloaded into the benchmarked Writ process (node --import): counts its COMMITs and log_pending inserts, written to a file for the benchmark.
import { renameSync, writeFileSync } from 'node:fs';
import { isMainThread } from 'node:worker_threads';
import BetterSqlite3 from 'better-sqlite3';
import pg from 'pg';

/** What the file holds. */
export interface CommitCounts {
  /** COMMITs of every transaction (group commits, the sequencer, the rest). */
  readonly commits: number;
  /** INSERTs into log_pending: one per group-commit transaction (batches under 4096 entries). */
  readonly pendingInserts: number;
}

export const COMMIT_COUNT_FILE_ENV = 'BENCH_COMMIT_COUNT_FILE';

const counts = { commits: 0, pendingInserts: 0 };

function countSql(text: unknown): void {
  if (typeof text !== 'string') return;
  const head = text.trimStart().slice(0, 32).toLowerCase();
  if (head === 'commit') counts.commits += 1;
  else if (head.startsWith('insert into "log_pending"')) counts.pendingInserts += 1;
}

type AnyFunction = (...args: unknown[]) => unknown;

/** better-sqlite3: each statement is counted when it runs (Writ prepares each text once and reuses it). */
function patchSqlite(): void {
  const prototype = BetterSqlite3.prototype as unknown as { prepare: AnyFunction };
  const prepare = prototype.prepare;
  prototype.prepare = function (this: unknown, ...args: unknown[]) {
    const statement = Reflect.apply(prepare, this, args) as { run: AnyFunction; all: AnyFunction };
    const [source] = args;
    for (const method of ['run', 'all'] as const) {
      const original = statement[method];
      statement[method] = function (this: unknown, ...callArgs: unknown[]) {
        countSql(source);
        return Reflect.apply(original, this, callArgs);
      };
    }
    return statement;
  };
}

/** node-postgres: Kysely sends each statement as `client.query(text, parameters)`. */
function patchPostgres(): void {
  const prototype = pg.Client.prototype as unknown as { query: AnyFunction };
  const query = prototype.query;
  prototype.query = function (this: unknown, ...args: unknown[]) {
    const [first] = args;
    countSql(typeof first === 'object' && first !== null && 'text' in first ? first.text : first);
    return Reflect.apply(query, this, args);
  };
}

const file = process.env[COMMIT_COUNT_FILE_ENV];
if (isMainThread && file !== undefined && file !== '') {
  patchSqlite();
  patchPostgres();
  let written = '';
  const write = (): void => {
    const text = JSON.stringify(counts);
    if (text === written) return;
    // Written aside and renamed, so the benchmark never reads half a file.
    writeFileSync(`${file}.tmp`, text);
    renameSync(`${file}.tmp`, file);
    written = text;
  };
  setInterval(write, 100).unref();
  process.on('exit', write);
}
