// Shared helpers of the benchmarks: temporary stores, PostgreSQL schemas, realistic events and statistics.
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { randomBytes } from 'node:crypto';
import pg from 'pg';
import { openApp, type WritApp } from '../src/app.ts';
import { loadConfig, type ConfigFlags } from '../src/config/load-config.ts';

export type Backend = 'sqlite' | 'postgres';

export const DEFAULT_PG_URL = 'postgres://postgres@127.0.0.1:5432/test';

/** The PostgreSQL server the benchmarks use (a fresh schema of it per case). */
export function benchPgUrl(): string {
  const url = process.env.WRIT_BENCH_PG_URL;
  return url === undefined || url === '' ? DEFAULT_PG_URL : url;
}

/** An opened Writ over a store made for one benchmark case; `dispose` closes it and removes the store. */
export interface BenchStore {
  readonly backend: Backend;
  readonly app: WritApp;
  /** Closes the app, then deletes the data directory (and drops the PostgreSQL schema). */
  dispose(): Promise<void>;
}

async function withClient<T>(url: string, work: (client: pg.Client) => Promise<T>): Promise<T> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    return await work(client);
  } finally {
    await client.end();
  }
}

/** Creates a fresh schema; returns a URL whose connections use it as search path, and a way to drop it. */
export async function createPgSchema(baseUrl: string): Promise<{ url: string; drop: () => Promise<void> }> {
  const schema = `writ_bench_${randomBytes(6).toString('hex')}`;
  await withClient(baseUrl, (client) => client.query(`create schema ${schema}`));
  const url = new URL(baseUrl);
  url.searchParams.delete('options');
  const separator = url.search === '' ? '?' : '&';
  return {
    url: `${url.toString()}${separator}options=-c%20search_path%3D${schema}`,
    drop: async () => {
      await withClient(baseUrl, (client) => client.query(`drop schema ${schema} cascade`));
    },
  };
}

/** The server's version string, or undefined when it does not answer. */
export async function pgServerVersion(baseUrl: string): Promise<string | undefined> {
  try {
    return await withClient(baseUrl, async (client) => {
      const result = await client.query<{ v: string }>('select version() as v');
      return result.rows[0]?.v;
    });
  } catch {
    return undefined;
  }
}

/** Opens Writ (`openApp(loadConfig(...))`) over a new temporary SQLite data dir or a new PostgreSQL schema. */
export async function openBenchStore(backend: Backend, flags: ConfigFlags = {}): Promise<BenchStore> {
  const dataDir = mkdtempSync(join(tmpdir(), 'writ-bench-'));
  const schema = backend === 'postgres' ? await createPgSchema(benchPgUrl()) : undefined;
  const removeDir = (): void => {
    rmSync(dataDir, { recursive: true, force: true });
  };
  try {
    const config = loadConfig({ logLevel: 'warn', ...flags, dataDir, pgUrl: schema?.url }, process.env, undefined);
    const app = await openApp(config);
    return {
      backend,
      app,
      dispose: async () => {
        await app.close();
        if (schema !== undefined) await schema.drop();
        removeDir();
      },
    };
  } catch (error) {
    if (schema !== undefined) await schema.drop();
    removeDir();
    throw error;
  }
}

// ---------------------------------------------------------------------------------------------- events

const verbs = ['viewed', 'updated', 'exported', 'shared', 'deleted'] as const;
const names = ['Alice Example', 'Bob Martin', 'Chandra Rao', 'Dmitri Volkov', 'Eve Okafor'] as const;

function pick<T>(items: readonly T[], n: number): T {
  const item = items[n % items.length];
  if (item === undefined) throw new RangeError('pick from an empty list');
  return item;
}

/**
 * A realistic `app.*` event of about 500 bytes once stored (actor with name and ip, targets, reason, data).
 * @example await app.recorder.record(benchEvent(7))
 */
export function benchEvent(n: number): Record<string, unknown> {
  const user = n % 997;
  return {
    type: `app.document.${pick(verbs, n)}`,
    actor: {
      kind: 'user',
      id: `user-${user}@corp.example`,
      name: pick(names, user),
      ip: `10.${(user >> 8) & 255}.${user & 255}.${n & 255}`,
      userAgent: 'Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/126.0 Safari/537.36',
      authMethod: 'oidc',
    },
    targets: [{ kind: 'document', id: `doc-${(n * 7919) % 100_000}`, name: `Quarterly report ${n % 40}` }],
    outcome: n % 50 === 0 ? 'denied' : 'success',
    reason: `ticket OPS-${10_000 + (n % 5000)}: customer escalation review`,
    context: { requestId: `req-${n.toString(16).padStart(8, '0')}` },
    data: { bytes: 1024 + (n % 65_536), format: n % 3 === 0 ? 'pdf' : 'xlsx', labels: ['finance', `region-${n % 7}`] },
  };
}

// ---------------------------------------------------------------------------------------------- statistics

/** A growable list of samples (milliseconds) with percentiles. */
export class Samples {
  private values = new Float64Array(1024);
  private count = 0;

  add(value: number): void {
    if (this.count === this.values.length) {
      const grown = new Float64Array(this.values.length * 2);
      grown.set(this.values);
      this.values = grown;
    }
    this.values[this.count++] = value;
  }

  get size(): number {
    return this.count;
  }

  /** Nearest-rank p50 and p99, and the maximum; NaN when empty. */
  summary(): { p50: number; p99: number; max: number; n: number } {
    if (this.count === 0) return { p50: Number.NaN, p99: Number.NaN, max: Number.NaN, n: 0 };
    const sorted = this.values.slice(0, this.count).sort();
    const at = (p: number): number => sorted[Math.min(this.count - 1, Math.max(0, Math.ceil((p / 100) * this.count) - 1))] ?? Number.NaN;
    return { p50: at(50), p99: at(99), max: sorted[this.count - 1] ?? Number.NaN, n: this.count };
  }
}

export function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

/** Formats a number for the tables: fixed decimals, thousands separated. */
export function fmt(value: number, decimals = 0): string {
  if (!Number.isFinite(value)) return 'n/a';
  return value.toLocaleString('en-US', { minimumFractionDigits: decimals, maximumFractionDigits: decimals });
}

export function log(message: string): void {
  process.stderr.write(`[bench] ${message}\n`);
}

/**
 * Replaces the block of one bench part in RESULTS.md (between its markers), or appends it; the rest of the file stays.
 * @example writeResultsBlock(RESULTS_FILE, 'witness', markdown)
 */
export function writeResultsBlock(file: URL, part: string, markdown: string): void {
  const begin = `<!-- bench:${part}:begin (generated by \`npm run bench -- --only ${part}\`; edit outside these markers) -->`;
  const end = `<!-- bench:${part}:end -->`;
  const block = `${begin}\n${markdown}\n${end}`;
  const existing = existsSync(file) ? readFileSync(file, 'utf8') : '# Writ benchmark results\n';
  const from = existing.indexOf(begin);
  const to = existing.indexOf(end);
  writeFileSync(file, from >= 0 && to > from ? `${existing.slice(0, from)}${block}${existing.slice(to + end.length)}` : `${existing.trimEnd()}\n\n${block}\n`);
}
