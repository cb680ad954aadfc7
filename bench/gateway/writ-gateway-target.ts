// Writ as a benchmark target: the real `writ serve` in its own process (SQLite or PostgreSQL store), set up through its API.
import { randomBytes } from 'node:crypto';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { createPgSchema, type Backend } from '../bench-support.ts';
import { spawnServer, type ServerProcess } from './child-process.ts';
import { COMMIT_COUNT_FILE_ENV, type CommitCounts } from './commit-counter.ts';
import { postgresLedgerCounter, sqliteLedgerCounter, type LedgerCounter } from './ledger-counts.ts';
import { freePort, waitForPort } from './local-ports.ts';
import type { PgTarget } from './pgbench-run.ts';
import type { RunningProxy } from './pgbouncer.ts';
import { benchPolicy, issueBenchCredential } from './writ-bench-access.ts';

export interface WritGateway extends RunningProxy {
  readonly store: Backend;
  /** Reads the ledger of this Writ while it runs. */
  readonly ledger: LedgerCounter;
  /** The database commits Writ has made so far (counted inside its process by commit-counter.ts). */
  commits(): CommitCounts | undefined;
}

export interface WritGatewayOptions {
  readonly store: Backend;
  /** For the PostgreSQL store: the database in which a fresh schema is made (dropped at close). */
  readonly storeUrl: string;
  /** When set, Writ runs under `node --cpu-prof` and writes its profile here at exit. */
  readonly cpuProfileDir?: string | undefined;
}

const WRIT_BIN = fileURLToPath(new URL('../../bin/writ.js', import.meta.url));
const COMMIT_COUNTER = fileURLToPath(new URL('./commit-counter.ts', import.meta.url));

function readCommitCounts(file: string): CommitCounts | undefined {
  if (!existsSync(file)) return undefined;
  try {
    return JSON.parse(readFileSync(file, 'utf8')) as CommitCounts;
  } catch {
    return undefined;
  }
}

/** The environment of the Writ process: none of the caller's WRIT_* settings, only the benchmark's. */
function writEnv(settings: Record<string, string>): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = {};
  for (const [name, value] of Object.entries(process.env)) if (!name.startsWith('WRIT_')) env[name] = value;
  return { ...env, ...settings };
}

async function startWrit(dir: string, upstream: PgTarget, options: WritGatewayOptions, pgUrl: string | undefined): Promise<{ server: ServerProcess; httpPort: number; pgPort: number; adminPassword: string }> {
  const httpPort = await freePort();
  const pgPort = await freePort();
  const adminPassword = `Adm-${randomBytes(18).toString('base64url')}`;
  const policyFile = join(dir, 'bench.policy.yaml');
  writeFileSync(policyFile, benchPolicy(upstream));
  const settings: Record<string, string> = { WRIT_DATA: join(dir, 'data'), WRIT_DEMO_DB: 'off', WRIT_ADMIN_PASSWORD: adminPassword, WRIT_LOG_LEVEL: 'warn' };
  if (pgUrl !== undefined) settings.WRIT_PG_URL = pgUrl;
  if (upstream.password !== undefined) settings.WRIT_BENCH_UPSTREAM_PASSWORD = upstream.password;
  settings[COMMIT_COUNT_FILE_ENV] = join(dir, 'commits.json');
  const profile = options.cpuProfileDir === undefined ? [] : ['--cpu-prof', '--cpu-prof-dir', options.cpuProfileDir];
  const args = [...profile, '--import', 'tsx', '--import', COMMIT_COUNTER, WRIT_BIN, 'serve', '--listen', `127.0.0.1:${httpPort}`, '--pg-listen', `127.0.0.1:${pgPort}`, '--policy', policyFile];
  const server = spawnServer(process.execPath, args, { env: writEnv(settings) });
  try {
    await waitForPort('127.0.0.1', httpPort, 60_000, () => `writ serve: ${server.output()}`);
    await waitForPort('127.0.0.1', pgPort, 30_000, () => `writ serve: ${server.output()}`);
  } catch (error) {
    await server.stop();
    throw error;
  }
  return { server, httpPort, pgPort, adminPassword };
}

/**
 * Starts `writ serve` with a temporary data directory (and, for the PostgreSQL store, a fresh schema), applies the bench
 * policy, and issues a gateway password for a bench user; `target` is the gateway with that password.
 * @example const writ = await startWritGateway(direct, { store: 'sqlite', storeUrl }); ...; await writ.close();
 */
export async function startWritGateway(upstream: PgTarget, options: WritGatewayOptions): Promise<WritGateway> {
  const dir = mkdtempSync(join(tmpdir(), 'writ-gateway-bench-'));
  const schema = options.store === 'postgres' ? await createPgSchema(options.storeUrl) : undefined;
  const cleanUp = async (): Promise<void> => {
    if (schema !== undefined) await schema.drop();
    rmSync(dir, { recursive: true, force: true });
  };
  let started: Awaited<ReturnType<typeof startWrit>>;
  try {
    started = await startWrit(dir, upstream, options, schema?.url);
  } catch (error) {
    await cleanUp();
    throw error;
  }
  const { server } = started;
  let ledger: LedgerCounter | undefined;
  try {
    const credential = await issueBenchCredential(`http://127.0.0.1:${started.httpPort}`, started.adminPassword);
    ledger = schema === undefined ? sqliteLedgerCounter(join(dir, 'data')) : await postgresLedgerCounter(schema.url);
    const counter = ledger;
    return {
      store: options.store,
      ledger: counter,
      pid: server.child.pid,
      commits: () => readCommitCounts(join(dir, 'commits.json')),
      target: { host: '127.0.0.1', port: started.pgPort, user: credential.user, database: credential.database, password: credential.password },
      async close() {
        await counter.close();
        await server.stop(60_000);
        await cleanUp();
      },
    };
  } catch (error) {
    await ledger?.close();
    await server.stop();
    await cleanUp();
    throw new Error(`could not set up Writ (${options.store} store): ${error instanceof Error ? error.message : String(error)}; ${server.output()}`);
  }
}
