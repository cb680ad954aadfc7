// psql through the gateway: commands and scripts, \copy both ways, errors inside transactions, exit codes, TLS and Ctrl-C.
import assert from 'node:assert/strict';
import { spawn, spawnSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { loadGatewayTls } from './gateway-tls.ts';
import { startPostgresGateway, type PostgresGateway } from './gateway-server.ts';
import { defaultGatewaySettings } from './gateway-deps.ts';
import { createGatewayHarness, type GatewayConnection, type GatewayHarness } from './testing/gateway-harness.ts';
import { queryTestUpstream } from './testing/test-upstream.ts';
import { eventually } from './testing/gateway-test-helpers.ts';

const psqlMissing = spawnSync('psql', ['--version']).status === 0 ? false : 'psql is not installed (the PostgreSQL client package provides it)';

interface Finished {
  readonly code: number | null;
  readonly stdout: string;
  readonly stderr: string;
}

interface PsqlRun {
  readonly finished: Promise<Finished>;
  interrupt(): void;
}

/** The URL without the password: psql takes it from PGPASSWORD, as a user following `writ connect` would. */
function psqlUrl(connection: GatewayConnection, sslmode: string, port = connection.port): string {
  return `postgresql://${connection.user}@${connection.host}:${port}/${connection.database}?sslmode=${sslmode}`;
}

/** Starts psql with a clean environment (no PG* settings of the machine running the tests) and -X (no psqlrc). */
function startPsql(connection: GatewayConnection, args: readonly string[], options: { sslmode?: string; port?: number; extraEnv?: Record<string, string> } = {}): PsqlRun {
  const env = { PATH: process.env.PATH ?? '', LC_ALL: 'C', PGPASSWORD: connection.password, PGCONNECT_TIMEOUT: '10', ...options.extraEnv };
  const child = spawn('psql', ['-X', '--no-password', ...args, psqlUrl(connection, options.sslmode ?? 'disable', options.port)], { env, stdio: ['ignore', 'pipe', 'pipe'] });
  let stdout = '';
  let stderr = '';
  child.stdout.setEncoding('utf8').on('data', (text: string) => (stdout += text));
  child.stderr.setEncoding('utf8').on('data', (text: string) => (stderr += text));
  const finished = new Promise<Finished>((resolve, reject) => {
    child.once('error', reject);
    child.once('close', (code) => {
      resolve({ code, stdout, stderr });
    });
  });
  return { finished, interrupt: () => child.kill('SIGINT') };
}

function psql(connection: GatewayConnection, args: readonly string[], options: { sslmode?: string; port?: number; extraEnv?: Record<string, string> } = {}): Promise<Finished> {
  return startPsql(connection, args, options).finished;
}

/**
 * Runs SQL on the test server beside the gateway. PGlite serves every connection from one backend, so a
 * read-only gateway session leaves it read-only: there it is made read-write first.
 */
async function onUpstream(h: GatewayHarness, sql: string): Promise<Record<string, unknown>[]> {
  if (h.upstream.kind === 'pglite') await queryTestUpstream(h.upstream, 'SET SESSION CHARACTERISTICS AS TRANSACTION READ WRITE');
  const result = await queryTestUpstream(h.upstream, sql);
  return result.rows as Record<string, unknown>[];
}

describe('psql through the gateway', { skip: psqlMissing }, () => {
  let h: GatewayHarness;
  let files: string;
  before(async () => {
    h = await createGatewayHarness('sqlite');
    files = mkdtempSync(join(tmpdir(), 'writ-psql-'));
  });
  after(async () => {
    await h.close();
    rmSync(files, { recursive: true, force: true });
  });

  /** Events appended since `mark` (an earlier length of the whole list). */

  test('psql -c reads through a read-only grant; each command is logged before it runs and the session ends on Terminate', async () => {
    const connection = await h.grantAndConnect('read-only');
    const mark = (await h.events()).length;
    const result = await psql(connection, ['-A', '-t', '-c', 'SELECT 40 + 2 AS answer', '-c', "SELECT 'two words' AS text"]);
    assert.equal(result.code, 0, result.stderr);
    assert.deepEqual(result.stdout.trim().split('\n'), ['42', 'two words']);
    const [ended] = await h.endedSince(mark, 1);
    assert.equal(ended?.data.endReason, 'client_closed');
    assert.equal(ended.data.statementCount, 2);
    const texts = (await h.eventsSince(mark, 'gateway.statement.executed')).map((event) => event.data.sql);
    assert.deepEqual(texts, ['SELECT 40 + 2 AS answer', "SELECT 'two words' AS text"]);
    const completed = (await h.eventsSince(mark, 'gateway.statements.completed')).flatMap((event) => event.data.statements as { commandTag?: string; rowCount?: number }[]);
    assert.deepEqual(completed.map((statement) => [statement.commandTag, statement.rowCount]), [['SELECT 1', 1], ['SELECT 1', 1]]);
  });

  test('a refused statement stops a script under ON_ERROR_STOP (exit 3, 42501 on stderr); without it the script goes on', async () => {
    const connection = await h.grantAndConnect('read-only');
    const script = join(files, 'refused.sql');
    writeFileSync(script, "SELECT 'before';\nCREATE TABLE writ_psql_refused (id int);\nSELECT 'after';\n");
    const mark = (await h.events()).length;
    const stopped = await psql(connection, ['-A', '-t', '-v', 'ON_ERROR_STOP=1', '-v', 'VERBOSITY=verbose', '-f', script]);
    assert.equal(stopped.code, 3, stopped.stderr);
    assert.match(stopped.stderr, /ERROR: {2}42501: read-only access refuses CREATE TABLE/);
    assert.match(stopped.stderr, /Writ rule: read-only/);
    assert.equal(stopped.stdout.trim(), 'before');
    const goesOn = await psql(connection, ['-A', '-t', '-f', script]);
    assert.equal(goesOn.code, 0, goesOn.stderr);
    assert.deepEqual(goesOn.stdout.trim().split('\n'), ['before', 'after']);
    await h.endedSince(mark, 2);
    const blocked = await h.eventsSince(mark, 'gateway.statement.blocked');
    // psql sends each statement of a file with its semicolon.
    assert.deepEqual(blocked.map((event) => event.data.sql), ['CREATE TABLE writ_psql_refused (id int);', 'CREATE TABLE writ_psql_refused (id int);']);
    const executed = (await h.eventsSince(mark, 'gateway.statement.executed')).map((event) => event.data.sql);
    assert.deepEqual(executed, ["SELECT 'before';", "SELECT 'before';", "SELECT 'after';"]);
  });

  test('a read-write script: DDL and DML, an error inside BEGIN rolled back, the session recovering, a notice shown', async () => {
    const connection = await h.grantAndConnect('read-write');
    const table = `writ_psql_${randomBytes(4).toString('hex')}`;
    const script = join(files, 'transaction.sql');
    writeFileSync(
      script,
      [
        `CREATE TABLE ${table} (id int PRIMARY KEY, name text);`,
        `INSERT INTO ${table} VALUES (1, 'one'), (2, 'two');`,
        'BEGIN;',
        `INSERT INTO ${table} VALUES (3, 'three');`,
        'SELECT 1 / 0;',
        "SELECT 'ignored in an aborted transaction';",
        'ROLLBACK;',
        `SELECT count(*) FROM ${table};`,
        "DO $$ BEGIN RAISE NOTICE 'writ notice %', 7; END $$;",
        '',
      ].join('\n'),
    );
    try {
      const result = await psql(connection, ['-q', '-A', '-t', '-f', script]);
      assert.equal(result.code, 0, result.stderr);
      assert.equal(result.stdout.trim(), '2', 'the insert inside the rolled-back transaction is gone');
      assert.match(result.stderr, /ERROR: {2}division by zero/);
      assert.match(result.stderr, /ERROR: {2}current transaction is aborted/);
      assert.match(result.stderr, /NOTICE: {2}writ notice 7/);
      const rows = await onUpstream(h, `SELECT id FROM ${table} ORDER BY id`);
      assert.deepEqual(rows.map((row) => row.id), [1, 2]);
    } finally {
      await onUpstream(h, `DROP TABLE IF EXISTS ${table}`);
    }
  });

  test('\\copy (query) TO a file through a read-only grant; \\copy FROM is refused at read-only', async () => {
    const table = `writ_psql_${randomBytes(4).toString('hex')}`;
    await onUpstream(h, `CREATE TABLE ${table} (id int, name text); INSERT INTO ${table} VALUES (1, 'one'), (2, NULL), (3, 'tab\tinside')`);
    try {
      const connection = await h.grantAndConnect('read-only');
      const out = join(files, 'out.tsv');
      const mark = (await h.events()).length;
      const copied = await psql(connection, ['-c', `\\copy (SELECT id, name FROM ${table} ORDER BY id) TO '${out}'`]);
      assert.equal(copied.code, 0, copied.stderr);
      assert.equal(copied.stdout.trim(), 'COPY 3');
      assert.equal(readFileSync(out, 'utf8'), '1\tone\n2\t\\N\n3\ttab\\tinside\n');
      const source = join(files, 'in.tsv');
      writeFileSync(source, '9\tnine\n');
      const refused = await psql(connection, ['-v', 'VERBOSITY=verbose', '-c', `\\copy ${table} FROM '${source}'`]);
      assert.equal(refused.code, 1);
      assert.match(refused.stderr, /42501: read-only access refuses COPY/);
      await h.endedSince(mark, 2);
      const completed = (await h.eventsSince(mark, 'gateway.statements.completed')).flatMap((event) => event.data.statements as { commandTag?: string; rowCount?: number }[]);
      assert.deepEqual(completed.map((statement) => [statement.commandTag, statement.rowCount]), [['COPY 3', 3]]);
      const count = await onUpstream(h, `SELECT count(*)::int AS n FROM ${table}`);
      assert.equal(count[0]?.n, 3);
    } finally {
      await onUpstream(h, `DROP TABLE IF EXISTS ${table}`);
    }
  });

  test('\\copy table FROM a file through a read-write grant', async (t) => {
    if (h.upstream.kind === 'pglite') {
      t.skip('PGlite behind pglite-socket cannot take COPY FROM STDIN (it stops answering); run with WRIT_TEST_PG_URL');
      return;
    }
    const table = `writ_psql_${randomBytes(4).toString('hex')}`;
    await onUpstream(h, `CREATE TABLE ${table} (id int, name text)`);
    try {
      const connection = await h.grantAndConnect('read-write');
      const source = join(files, 'rows.tsv');
      writeFileSync(source, Array.from({ length: 1000 }, (_, index) => `${index}\tname ${index}\n`).join('') + '1000\t\\N\n');
      const copied = await psql(connection, ['-c', `\\copy ${table} FROM '${source}'`]);
      assert.equal(copied.code, 0, copied.stderr);
      assert.equal(copied.stdout.trim(), 'COPY 1001');
      const summary = await onUpstream(h, `SELECT count(*)::int AS n, count(name)::int AS named, sum(id)::int AS total FROM ${table}`);
      assert.deepEqual(summary[0], { n: 1001, named: 1000, total: 500_500 });
    } finally {
      await onUpstream(h, `DROP TABLE IF EXISTS ${table}`);
    }
  });

  /** Starts psql on a 30-second sleep and presses Ctrl-C once the server is running it. */
  const interruptedSleep = async (connection: GatewayConnection, options: { sslmode?: string; port?: number } = {}): Promise<Finished> => {
    const sleeping = `SELECT pg_sleep(30) AS writ_cancel_${randomBytes(4).toString('hex')}`;
    const run = startPsql(connection, ['-A', '-t', '-c', sleeping], options);
    await eventually('the query to run on the server', async () => {
      const active = await onUpstream(h, `SELECT count(*)::int AS n FROM pg_stat_activity WHERE state = 'active' AND query = '${sleeping}'`);
      return active[0]?.n === 1 ? true : undefined;
    });
    run.interrupt();
    return run.finished;
  };
  const cannotCancel = 'PGlite cannot cancel a running query (one single-user backend); run with WRIT_TEST_PG_URL';

  test('Ctrl-C in psql cancels the running query: Writ maps its own cancel key to the upstream backend', async (t) => {
    if (h.upstream.kind === 'pglite') {
      t.skip(cannotCancel);
      return;
    }
    const connection = await h.grantAndConnect('read-only');
    const mark = (await h.events()).length;
    const result = await interruptedSleep(connection);
    assert.match(result.stderr, /canceling statement due to user request/);
    assert.equal(result.code, 1);
    await h.endedSince(mark, 1);
    const completed = (await h.eventsSince(mark, 'gateway.statements.completed')).flatMap((event) => event.data.statements as { sqlState?: string }[]);
    assert.equal(completed[0]?.sqlState, '57014');
  });

  test('\\gdesc describes a query without running it (Parse and Describe only); a refused one is refused at Parse', async () => {
    const connection = await h.grantAndConnect('read-only');
    const script = join(files, 'gdesc.sql');
    writeFileSync(script, "SELECT 40 + 2 AS answer, 'x'::text AS label \\gdesc\nDROP TABLE writ_psql_never \\gdesc\n");
    const mark = (await h.events()).length;
    const result = await psql(connection, ['-A', '-t', '-f', script]);
    assert.deepEqual(result.stdout.trim().split('\n'), ['answer|integer', 'label|text']);
    assert.match(result.stderr, /ERROR: {2}read-only access refuses DROP TABLE/);
    const [ended] = await h.endedSince(mark, 1);
    assert.equal(ended?.data.blockedCount, 1);
    // psql names the types with a query of its own; the described query itself is never executed.
    const executed = (await h.eventsSince(mark, 'gateway.statement.executed')).map((event) => String(event.data.sql));
    assert.equal(executed.length, 1);
    assert.match(executed[0] ?? '', /format_type/);
    assert.ok(!executed.some((sql) => sql.includes('40 + 2')));
  });

  test('sslmode=require is refused by psql when the gateway offers no TLS', async () => {
    const connection = await h.grantAndConnect('read-only');
    const result = await psql(connection, ['-c', 'SELECT 1'], { sslmode: 'require' });
    assert.equal(result.code, 2);
    assert.match(result.stderr, /server does not support SSL, but SSL was required/);
  });

  describe('with TLS required', () => {
    let tlsGateway: PostgresGateway;
    let certFile: string;
    before(async () => {
      const tlsDir = join(files, 'tls');
      const tls = await loadGatewayTls({ dataDir: tlsDir, certFile: undefined, keyFile: undefined });
      certFile = join(tlsDir, 'gateway-tls-cert.pem');
      tlsGateway = await startPostgresGateway(h.api.app.gatewayDeps(), { ...defaultGatewaySettings, tls: tls.context, requireTls: true }, { host: '127.0.0.1', port: 0 });
    });
    after(async () => {
      await tlsGateway.close();
    });

    test('sslmode=require and verify-full (against the generated certificate) connect; sslmode=disable is refused with 28000', async () => {
      const connection = await h.grantAndConnect('read-only');
      const port = tlsGateway.address.port;
      const required = await psql(connection, ['-A', '-t', '-c', '\\conninfo', '-c', "SELECT 'over tls'"], { sslmode: 'require', port });
      assert.equal(required.code, 0, required.stderr);
      assert.match(required.stdout, /SSL connection \(protocol: TLSv1\.[23]/);
      assert.match(required.stdout, /over tls/);
      const verified = await psql(connection, ['-A', '-t', '-c', "SELECT 'verified'"], { sslmode: 'verify-full', port, extraEnv: { PGSSLROOTCERT: certFile } });
      assert.equal(verified.code, 0, verified.stderr);
      assert.equal(verified.stdout.trim(), 'verified');
      const plain = await psql(connection, ['-c', 'SELECT 1'], { sslmode: 'disable', port });
      assert.equal(plain.code, 2);
      assert.match(plain.stderr, /Writ accepts only TLS connections here/);
    });

    test('Ctrl-C over a TLS session: the CancelRequest (sent in the clear, as libpq does) still reaches the query', async (t) => {
      if (h.upstream.kind === 'pglite') {
        t.skip(cannotCancel);
        return;
      }
      const result = await interruptedSleep(await h.grantAndConnect('read-only'), { sslmode: 'require', port: tlsGateway.address.port });
      assert.match(result.stderr, /canceling statement due to user request/);
      assert.equal(result.code, 1);
    });
  });
});
