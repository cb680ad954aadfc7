// Runs pgbench (select-only, -S) against one target and reads tps and per-transaction latency percentiles from its logs.
import { execFile } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import pg from 'pg';
import { Samples } from '../bench-support.ts';

const run = promisify(execFile);

export type PgbenchMode = 'simple' | 'extended' | 'prepared';
export const pgbenchModes: readonly PgbenchMode[] = ['simple', 'extended', 'prepared'];

/** Where pgbench connects, and as whom. Every target is reached over TCP without TLS (PGSSLMODE=disable). */
export interface PgTarget {
  readonly host: string;
  readonly port: number;
  readonly user: string;
  readonly database: string;
  readonly password?: string;
}

export interface PgbenchSettings {
  readonly clients: number;
  readonly threads: number;
  readonly seconds: number;
}

export interface PgbenchResult {
  readonly mode: PgbenchMode;
  /** pgbench's own figure, "without initial connection time". */
  readonly tps: number;
  readonly transactions: number;
  readonly failedTransactions: number;
  /** From the per-transaction log (-l): every transaction's latency. */
  readonly p50Ms: number;
  readonly p99Ms: number;
  readonly meanMs: number;
  readonly loggedTransactions: number;
}

/** The target a libpq URL names, with another database. */
export function targetOfUrl(url: string, database: string): PgTarget {
  const parsed = new URL(url);
  const password = decodeURIComponent(parsed.password);
  return {
    host: parsed.hostname === '' ? '127.0.0.1' : parsed.hostname,
    port: parsed.port === '' ? 5432 : Number(parsed.port),
    user: parsed.username === '' ? 'postgres' : decodeURIComponent(parsed.username),
    database,
    ...(password === '' ? {} : { password }),
  };
}

function pgbenchEnv(target: PgTarget): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = { ...process.env, PGSSLMODE: 'disable', PGAPPNAME: 'writ-bench' };
  delete env.PGPASSWORD;
  if (target.password !== undefined) env.PGPASSWORD = target.password;
  return env;
}

function connectionArgs(target: PgTarget): string[] {
  return ['-h', target.host, '-p', String(target.port), '-U', target.user, target.database];
}

/** `pgbench --version`, or undefined when pgbench is not installed. */
export async function pgbenchVersion(): Promise<string | undefined> {
  try {
    const { stdout } = await run('pgbench', ['--version']);
    return stdout.trim();
  } catch {
    return undefined;
  }
}

/** The role Writ's read-only level connects as in the bench: it can read everything and write nothing (ADR 0014). */
export const BENCH_READER_ROLE = 'writ_bench_reader';

/**
 * Creates `database` when missing and fills it with `pgbench -i -s scale` unless it already holds that scale; creates
 * the reader role (with the superuser's password, if it has one) when missing.
 */
export async function ensurePgbenchDatabase(baseUrl: string, database: string, scale: number): Promise<void> {
  const admin = new pg.Client({ connectionString: baseUrl });
  await admin.connect();
  try {
    const found = await admin.query('select 1 from pg_database where datname = $1', [database]);
    if (found.rowCount === 0) await admin.query(`create database ${database}`);
    const role = await admin.query('select 1 from pg_roles where rolname = $1', [BENCH_READER_ROLE]);
    if (role.rowCount === 0) {
      const password = targetOfUrl(baseUrl, database).password;
      await admin.query(`create role ${BENCH_READER_ROLE} login${password === undefined ? '' : ` password ${admin.escapeLiteral(password)}`}`);
      await admin.query(`grant pg_read_all_data to ${BENCH_READER_ROLE}`);
    }
  } finally {
    await admin.end();
  }
  const target = targetOfUrl(baseUrl, database);
  const client = new pg.Client({ host: target.host, port: target.port, user: target.user, database, password: target.password });
  await client.connect();
  let branches = -1;
  try {
    const result = await client.query<{ n: string }>('select count(*) as n from pgbench_branches');
    branches = Number(result.rows[0]?.n ?? -1);
  } catch {
    // No pgbench tables yet.
  } finally {
    await client.end();
  }
  if (branches === scale) return;
  await run('pgbench', ['-i', '-q', '-s', String(scale), ...connectionArgs(target)], { env: pgbenchEnv(target), maxBuffer: 16 * 1024 * 1024 });
}

function numberAfter(output: string, pattern: RegExp): number {
  const match = pattern.exec(output);
  return match?.[1] === undefined ? Number.NaN : Number(match[1]);
}

/** Latencies (µs, the third field) of every logged transaction; failed or skipped ones are left out. */
function readLatencies(dir: string): Samples {
  const samples = new Samples();
  for (const name of readdirSync(dir)) {
    for (const line of readFileSync(join(dir, name), 'utf8').split('\n')) {
      const micros = Number(line.split(' ')[2]);
      if (line !== '' && Number.isFinite(micros)) samples.add(micros / 1000);
    }
  }
  return samples;
}

/**
 * `pgbench -n -S -M <mode> -c -j -T -l` against the target; tps from its summary, p50/p99 from its per-transaction log.
 * @example const result = await runPgbench(direct, 'prepared', { clients: 8, threads: 2, seconds: 20 })
 */
export async function runPgbench(target: PgTarget, mode: PgbenchMode, settings: PgbenchSettings): Promise<PgbenchResult> {
  const dir = mkdtempSync(join(tmpdir(), 'writ-pgbench-'));
  try {
    const args = ['-n', '-S', '-M', mode, '-c', String(settings.clients), '-j', String(settings.threads), '-T', String(settings.seconds)];
    args.push('-l', '--log-prefix', join(dir, 'tx'), ...connectionArgs(target));
    let output: string;
    try {
      const { stdout, stderr } = await run('pgbench', args, { env: pgbenchEnv(target), maxBuffer: 16 * 1024 * 1024 });
      output = `${stdout}\n${stderr}`;
    } catch (error) {
      const detail = error instanceof Error && 'stderr' in error ? String(error.stderr).trim().split('\n').slice(-5).join(' | ') : String(error);
      throw new Error(`pgbench -M ${mode} on ${target.host}:${target.port} failed: ${detail}`);
    }
    const latencies = readLatencies(dir);
    const summary = latencies.summary();
    return {
      mode,
      tps: numberAfter(output, /tps = ([0-9.]+) \(without initial connection time\)/),
      transactions: numberAfter(output, /number of transactions actually processed: (\d+)/),
      failedTransactions: numberAfter(output, /number of failed transactions: (\d+)/) || 0,
      p50Ms: summary.p50,
      p99Ms: summary.p99,
      meanMs: numberAfter(output, /latency average = ([0-9.]+) ms/),
      loggedTransactions: summary.n,
    };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
