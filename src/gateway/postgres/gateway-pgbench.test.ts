// pgbench through the gateway: the select-only script in -M simple, extended and prepared, and TPC-B-like writes, every statement audited.
import assert from 'node:assert/strict';
import { spawn, spawnSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { after, before, describe, test } from 'node:test';
import type { GatewayDeps, GatewayResource } from './gateway-deps.ts';
import { createGatewayHarness, type GatewayConnection, type GatewayHarness } from './testing/gateway-harness.ts';
import { queryTestUpstream, type TestUpstream } from './testing/test-upstream.ts';

const pgbenchMissing = spawnSync('pgbench', ['--version']).status === 0 ? false : 'pgbench is not installed (the PostgreSQL client package provides it)';

interface Finished {
  readonly code: number | null;
  readonly stdout: string;
  readonly stderr: string;
}

/** Runs pgbench with a clean environment; asynchronous, since the gateway answers it from this very process. */
function pgbench(args: readonly string[], env: Record<string, string> = {}): Promise<Finished> {
  const child = spawn('pgbench', args, { env: { PATH: process.env.PATH ?? '', LC_ALL: 'C', PGCONNECT_TIMEOUT: '10', ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
  let stdout = '';
  let stderr = '';
  child.stdout.setEncoding('utf8').on('data', (text: string) => (stdout += text));
  child.stderr.setEncoding('utf8').on('data', (text: string) => (stderr += text));
  return new Promise((resolve, reject) => {
    child.once('error', reject);
    child.once('close', (code) => {
      resolve({ code, stdout, stderr });
    });
  });
}

function gatewayUrl(connection: GatewayConnection): string {
  return `postgresql://${connection.user}@${connection.host}:${connection.port}/${connection.database}?sslmode=disable`;
}

/** The same resource, with its sessions sent to another database of the same server. */
function inDatabase(resource: GatewayResource, database: () => string | undefined): GatewayResource {
  return {
    id: resource.id,
    levels: resource.levels,
    enforcement: (level) => resource.enforcement(level),
    upstream: async (level) => {
      const target = await resource.upstream(level);
      return { ...target, database: database() ?? target.database };
    },
  };
}

/**
 * Where the pgbench tables live. On a real server, a database of their own (the test server is shared, and
 * this keeps pgbench_* away from everything else); PGlite has one database, private to this process.
 */
function benchDatabaseUrl(upstream: TestUpstream, database: string | undefined): string {
  const url = new URL(upstream.url);
  if (database !== undefined) url.pathname = `/${database}`;
  return url.toString();
}

describe('pgbench through the gateway', { skip: pgbenchMissing }, () => {
  let h: GatewayHarness;
  let database: string | undefined;
  before(async () => {
    h = await createGatewayHarness('sqlite', { deps: (deps: GatewayDeps) => ({ ...deps, resource: (id) => { const found = deps.resource(id); return found && inDatabase(found, () => database); } }) });
    if (h.upstream.kind === 'postgres') {
      database = `writ_pgbench_${randomBytes(4).toString('hex')}`;
      await queryTestUpstream(h.upstream, `CREATE DATABASE ${database}`);
    }
    // Server-side data generation: PGlite behind pglite-socket cannot take the COPY FROM STDIN of client-side generation.
    const init = await pgbench(['-i', '-s', '1', '-q', '-I', 'dtGp', benchDatabaseUrl(h.upstream, database)]);
    assert.equal(init.code, 0, init.stderr);
  });
  after(async () => {
    await h.close();
    if (database !== undefined) await queryTestUpstream(h.upstream, `DROP DATABASE IF EXISTS ${database} WITH (FORCE)`);
  });


  /** Statements prepared by an earlier pgbench stay in PGlite's one backend and would collide with the next run's. */
  const forgetPreparedOnPglite = async (): Promise<void> => {
    if (h.upstream.kind === 'pglite') await queryTestUpstream(h.upstream, 'DEALLOCATE ALL');
  };

  for (const mode of ['simple', 'extended', 'prepared'] as const) {
    test(`pgbench -S -M ${mode}: every transaction through a read-only grant, every statement logged and completed`, async () => {
      const connection = await h.grantAndConnect('read-only');
      await forgetPreparedOnPglite();
      // PGlite's connections share one backend, so two clients would prepare the same statement names twice.
      const clients = h.upstream.kind === 'pglite' && mode === 'prepared' ? 1 : 2;
      const mark = (await h.events()).length;
      const run = await pgbench(['-n', '-S', '-t', '50', '-c', String(clients), '-M', mode, gatewayUrl(connection)], { PGPASSWORD: connection.password });
      assert.equal(run.code, 0, run.stderr);
      assert.doesNotMatch(run.stderr, /error/i);
      assert.match(run.stdout, new RegExp(`number of transactions actually processed: ${50 * clients}/${50 * clients}\\n`));
      // One setup connection (the scale and partition look-ups), then one session per client.
      const ended = await h.endedSince(mark, clients + 1);
      assert.ok(ended.every((event) => event.data.endReason === 'client_closed' && event.data.blockedCount === 0));
      const executed = await h.eventsSince(mark, 'gateway.statement.executed');
      const selects = executed.filter((event) => /^SELECT abalance FROM pgbench_accounts WHERE aid = /.test(String(event.data.sql)));
      assert.equal(selects.length, 50 * clients);
      assert.equal(executed.length, 50 * clients + 2, JSON.stringify(executed.filter((event) => !selects.includes(event)).map((event) => event.data.sql)));
      assert.ok(selects.every((event) => event.data.protocol === (mode === 'simple' ? 'simple' : 'extended')));
      const completed = (await h.eventsSince(mark, 'gateway.statements.completed')).flatMap((event) => event.data.statements as { commandTag?: string; rowCount?: number }[]);
      assert.equal(completed.length, executed.length);
      assert.ok(completed.every((statement) => statement.commandTag === 'SELECT 1' && statement.rowCount === 1));
    });
  }

  test('pgbench TPC-B-like transactions through a read-write grant (-M prepared): history rows match, each statement audited', async () => {
    const connection = await h.grantAndConnect('read-write');
    await forgetPreparedOnPglite();
    // Two clients would interleave their transactions inside PGlite's one backend.
    const clients = h.upstream.kind === 'pglite' ? 1 : 2;
    const benchUrl = benchDatabaseUrl(h.upstream, database);
    await queryTestUpstream({ ...h.upstream, url: benchUrl }, 'TRUNCATE pgbench_history');
    const mark = (await h.events()).length;
    const run = await pgbench(['-n', '-t', '20', '-c', String(clients), '-M', 'prepared', gatewayUrl(connection)], { PGPASSWORD: connection.password });
    assert.equal(run.code, 0, run.stderr);
    assert.doesNotMatch(run.stderr, /error/i);
    assert.match(run.stdout, new RegExp(`number of transactions actually processed: ${20 * clients}/${20 * clients}\\n`));
    const history = await queryTestUpstream({ ...h.upstream, url: benchUrl }, 'SELECT count(*)::int AS n FROM pgbench_history');
    assert.equal((history.rows[0] as { n: number }).n, 20 * clients);
    await h.endedSince(mark, clients + 1);
    const executed = await h.eventsSince(mark, 'gateway.statement.executed');
    // BEGIN, three UPDATEs, a SELECT, an INSERT and END per transaction, plus the setup connection's two look-ups.
    assert.equal(executed.length, 7 * 20 * clients + 2);
    const completed = (await h.eventsSince(mark, 'gateway.statements.completed')).flatMap((event) => event.data.statements as { commandTag?: string; sqlState?: string }[]);
    const tags = new Map<string, number>();
    for (const statement of completed) tags.set(statement.commandTag ?? `error ${statement.sqlState ?? ''}`, (tags.get(statement.commandTag ?? `error ${statement.sqlState ?? ''}`) ?? 0) + 1);
    const transactions = 20 * clients;
    assert.deepEqual(Object.fromEntries(tags), { 'SELECT 1': transactions + 2, BEGIN: transactions, 'UPDATE 1': 3 * transactions, 'INSERT 0 1': transactions, COMMIT: transactions });
  });
});
