// postgres.js through the gateway: named and unnamed statements, pipelining, transactions, COPY, LISTEN/NOTIFY, notices, cancel, TLS, audit.
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { after, before, describe, test } from 'node:test';
import postgres from 'postgres';
import { defaultGatewaySettings } from './gateway-deps.ts';
import { startPostgresGateway } from './gateway-server.ts';
import { loadGatewayTls } from './gateway-tls.ts';
import { createGatewayHarness, type GatewayConnection, type GatewayHarness } from './testing/gateway-harness.ts';
import { queryTestUpstream } from './testing/test-upstream.ts';
import { eventually, sqlStateOf } from './testing/gateway-test-helpers.ts';

type Options = postgres.Options<Record<string, postgres.PostgresType>>;

function connect(connection: GatewayConnection, options: Options = {}): postgres.Sql {
  return postgres({ host: connection.host, port: connection.port, database: connection.database, user: connection.user, password: connection.password, ssl: false, max: 1, connect_timeout: 10, onnotice: () => undefined, ...options });
}

/** SQL beside the gateway; PGlite shares one backend, which a read-only gateway session leaves read-only. */
async function onUpstream(h: GatewayHarness, sql: string): Promise<Record<string, unknown>[]> {
  if (h.upstream.kind === 'pglite') await queryTestUpstream(h.upstream, 'SET SESSION CHARACTERISTICS AS TRANSACTION READ WRITE');
  return (await queryTestUpstream(h.upstream, sql)).rows as Record<string, unknown>[];
}

describe('postgres.js through the gateway', () => {
  let h: GatewayHarness;
  before(async () => {
    h = await createGatewayHarness('sqlite');
  });
  after(async () => {
    await h.close();
  });


  test('tagged queries: named prepared statements with prepare: true, unnamed ones with prepare: false', async () => {
    const connection = await h.grantAndConnect('read-only');
    for (const prepare of [true, false]) {
      // A marker per mode: on PGlite the statements of an earlier connection stay in the shared backend.
      const marker = `writ_${randomBytes(4).toString('hex')}`;
      const sql = connect(connection, { prepare });
      try {
        for (let run = 1; run <= 3; run++) {
          // The marker is an identifier, so it is part of the statement text the server keeps.
          const rows = await sql`SELECT ${run}::int * 2 AS ${sql(marker)}`;
          assert.deepEqual(rows.map((row) => ({ ...row })), [{ [marker]: run * 2 }]);
        }
        const prepared = await sql`SELECT name FROM pg_prepared_statements WHERE statement LIKE ${'%' + marker + '%'} AND statement NOT LIKE '%pg_prepared_statements%'`;
        assert.equal(prepared.length, prepare ? 1 : 0, `prepare: ${prepare} leaves ${prepare ? 'one named statement' : 'none'} on the server`);
      } finally {
        await sql.end();
      }
    }
  });

  test('.describe() (Parse and Describe, nothing executed) and .cursor() (a portal read in batches)', async () => {
    const connection = await h.grantAndConnect('read-only');
    const sql = connect(connection);
    const mark = (await h.events()).length;
    try {
      const described = await sql`SELECT ${1}::int AS n, ${'x'}::text AS label`.describe();
      assert.deepEqual(described.types, [23, 25]);
      assert.deepEqual(described.columns.map((column) => column.name), ['n', 'label']);
      const batches: number[][] = [];
      for await (const rows of sql`SELECT n FROM generate_series(1, 25) AS n`.cursor(10)) batches.push(rows.map((row) => row.n as number));
      assert.deepEqual(batches.map((batch) => batch.length), [10, 10, 5]);
      assert.equal(batches.flat().reduce((sum, n) => sum + n, 0), 325);
    } finally {
      await sql.end();
    }
    await h.endedSince(mark, 1);
    const executed = (await h.eventsSince(mark, 'gateway.statement.executed')).map((event) => String(event.data.sql));
    assert.ok(!executed.some((text) => text.includes('AS label')), 'the described statement was not executed');
    assert.equal(executed.filter((text) => text.includes('generate_series(1, 25)')).length, 3, 'one Execute per batch');
  });

  test('200 queries pipelined on one connection answer in order; refused writes among them fail alone', async () => {
    const connection = await h.grantAndConnect('read-only');
    const sql = connect(connection);
    const mark = (await h.events()).length;
    try {
      const outcomes = await Promise.all(
        Array.from({ length: 200 }, (_, index) =>
          index % 50 === 25
            ? sqlStateOf(sql`CREATE TABLE writ_pipelined_never (id int)`)
            : sql`SELECT ${index}::int AS i, repeat('x', ${index}) AS padding`.then((rows) => rows[0]?.i as number | undefined),
        ),
      );
      assert.deepEqual(outcomes, Array.from({ length: 200 }, (_, index) => (index % 50 === 25 ? '42501' : index)));
      const [after] = await sql`SELECT 'still fine' AS state`;
      assert.equal(after?.state, 'still fine');
    } finally {
      await sql.end();
    }
    const [ended] = await h.endedSince(mark, 1);
    assert.equal(ended?.data.blockedCount, 4);
    assert.equal((await h.eventsSince(mark, 'gateway.statement.blocked')).length, 4);
  });

  test('sql.begin: an error rolls the transaction back, a failed savepoint is recovered from, the connection stays usable', async () => {
    const connection = await h.grantAndConnect('read-write');
    const table = `writ_pjs_${randomBytes(4).toString('hex')}`;
    const sql = connect(connection);
    try {
      await sql`CREATE TABLE ${sql(table)} (id int PRIMARY KEY)`;
      const failed = await sqlStateOf(
        sql.begin(async (tx) => {
          await tx`INSERT INTO ${tx(table)} VALUES (1)`;
          await tx`SELECT 1 / 0`;
        }),
      );
      assert.equal(failed, '22012');
      await sql.begin(async (tx) => {
        await tx`INSERT INTO ${tx(table)} VALUES (2)`;
        const duplicate = await sqlStateOf(tx.savepoint((inner) => inner`INSERT INTO ${inner(table)} VALUES (2)`));
        assert.equal(duplicate, '23505');
        await tx`INSERT INTO ${tx(table)} VALUES (3)`;
      });
      const ids = await sql`SELECT id FROM ${sql(table)} ORDER BY id`;
      assert.deepEqual(ids.map((row) => row.id as number), [2, 3]);
    } finally {
      await sql.end();
      await onUpstream(h, `DROP TABLE IF EXISTS ${table}`);
    }
  });

  test('COPY TO STDOUT through .readable()', async () => {
    const connection = await h.grantAndConnect('read-only');
    const sql = connect(connection);
    try {
      const stream = await sql`COPY (SELECT n, 'row ' || n FROM generate_series(1, 500) AS n) TO STDOUT`.readable();
      let text = '';
      for await (const chunk of stream) text += (chunk as Buffer).toString('utf8');
      const lines = text.trimEnd().split('\n');
      assert.equal(lines.length, 500);
      assert.equal(lines[499], '500\trow 500');
      const [after] = await sql`SELECT 1 AS one`;
      assert.equal(after?.one, 1);
    } finally {
      await sql.end();
    }
  });

  test('COPY FROM STDIN through .writable()', async (t) => {
    if (h.upstream.kind === 'pglite') {
      t.skip('PGlite behind pglite-socket cannot take COPY FROM STDIN (it stops answering); run with WRIT_TEST_PG_URL');
      return;
    }
    const connection = await h.grantAndConnect('read-write');
    const table = `writ_pjs_${randomBytes(4).toString('hex')}`;
    const sql = connect(connection);
    const mark = (await h.events()).length;
    try {
      await sql`CREATE TABLE ${sql(table)} (id int, name text)`;
      const sink = await sql`COPY ${sql(table)} FROM STDIN`.writable();
      await pipeline(Readable.from(Array.from({ length: 2000 }, (_, index) => `${index}\tname ${index}\n`)), sink);
      const [summary] = await sql`SELECT count(*)::int AS n, sum(id)::int AS total FROM ${sql(table)}`;
      assert.deepEqual({ ...summary }, { n: 2000, total: 1_999_000 });
    } finally {
      await sql.end();
      await onUpstream(h, `DROP TABLE IF EXISTS ${table}`);
    }
    await h.endedSince(mark, 1);
    const completed = (await h.eventsSince(mark, 'gateway.statements.completed')).flatMap((event) => event.data.statements as { commandTag?: string; rowCount?: number }[]);
    assert.ok(completed.some((statement) => statement.commandTag === 'COPY 2000' && statement.rowCount === 2000));
  });

  test('notices reach onnotice; NOTIFY is refused at read-only', async () => {
    const writer = await h.grantAndConnect('read-write');
    const notices: string[] = [];
    const sql = connect(writer, { onnotice: (notice) => notices.push(String(notice.message)) });
    try {
      await sql`DO $$ BEGIN RAISE NOTICE 'writ notice %', 1; RAISE WARNING 'writ warning %', 2; END $$`;
      assert.deepEqual(notices, ['writ notice 1', 'writ warning 2']);
    } finally {
      await sql.end();
    }
    const reader = connect(await h.grantAndConnect('read-only'));
    try {
      assert.equal(await sqlStateOf(reader.notify('writ_channel', 'nope')), '42501');
      assert.equal(await sqlStateOf(reader`NOTIFY writ_channel`), '42501');
    } finally {
      await reader.end();
    }
  });

  test('LISTEN on one connection receives a NOTIFY sent from another', async (t) => {
    if (h.upstream.kind === 'pglite') {
      t.skip('PGlite serves all connections from one backend and delivers no notification to an idle listener; run with WRIT_TEST_PG_URL');
      return;
    }
    const connection = await h.grantAndConnect('read-write');
    const listener = connect(connection);
    const sender = connect(connection);
    const channel = `writ_${randomBytes(4).toString('hex')}`;
    try {
      const payloads: string[] = [];
      let heard: () => void = () => undefined;
      const both = new Promise<void>((resolve) => (heard = resolve));
      await listener.listen(channel, (payload) => {
        payloads.push(payload);
        if (payloads.length === 2) heard();
      });
      await sender.notify(channel, 'first');
      await sender`SELECT pg_notify(${channel}, 'second')`;
      await both;
      assert.deepEqual(payloads, ['first', 'second']);
    } finally {
      await listener.end();
      await sender.end();
    }
  });

  test('query.cancel() cancels a running query (57014) and the connection goes on', async (t) => {
    if (h.upstream.kind === 'pglite') {
      t.skip('PGlite cannot cancel a running query (one single-user backend); run with WRIT_TEST_PG_URL');
      return;
    }
    const connection = await h.grantAndConnect('read-only');
    const sql = connect(connection);
    const marker = `writ_cancel_${randomBytes(4).toString('hex')}`;
    try {
      const sleeping = sql`SELECT pg_sleep(30) AS ${sql(marker)}`.execute();
      await eventually('the query to run on the server', async () => {
        const active = await queryTestUpstream(h.upstream, `SELECT count(*)::int AS n FROM pg_stat_activity WHERE state = 'active' AND query LIKE '%${marker}%' AND query NOT LIKE '%pg_stat_activity%'`);
        return (active.rows[0] as { n: number }).n === 1 ? true : undefined;
      });
      sleeping.cancel();
      assert.equal(await sqlStateOf(sleeping), '57014');
      const [after] = await sql`SELECT 'after the cancel' AS state`;
      assert.equal(after?.state, 'after the cancel');
    } finally {
      await sql.end();
    }
  });

  test('the audit trail: statements logged with their text, completions with tags and row counts after the session ends', async () => {
    const connection = await h.grantAndConnect('read-only');
    const sql = connect(connection);
    const mark = (await h.events()).length;
    try {
      await sql`SELECT generate_series(1, ${7}::int) AS n`;
      await sql.unsafe('SELECT 1 AS a; SELECT 2 AS b UNION SELECT 3');
    } finally {
      await sql.end();
    }
    const [ended] = await h.endedSince(mark, 1);
    assert.equal(ended?.data.endReason, 'client_closed');
    const executed = await h.eventsSince(mark, 'gateway.statement.executed');
    const texts = executed.map((event) => event.data.sql);
    assert.ok(texts.includes('SELECT generate_series(1, $1::int) AS n'), JSON.stringify(texts));
    assert.ok(texts.includes('SELECT 1 AS a; SELECT 2 AS b UNION SELECT 3'), JSON.stringify(texts));
    const completed = (await h.eventsSince(mark, 'gateway.statements.completed')).flatMap((event) => event.data.statements as { statementIndex: number; commandTag?: string; rowCount?: number }[]);
    const byIndex = new Map(completed.map((statement) => [statement.statementIndex, statement]));
    const series = executed.find((event) => event.data.sql === 'SELECT generate_series(1, $1::int) AS n');
    const multi = executed.find((event) => event.data.sql === 'SELECT 1 AS a; SELECT 2 AS b UNION SELECT 3');
    assert.deepEqual(byIndex.get(series?.data.statementIndex as number)?.rowCount, 7);
    assert.deepEqual(byIndex.get(series?.data.statementIndex as number)?.commandTag, 'SELECT 7');
    assert.deepEqual(byIndex.get(multi?.data.statementIndex as number)?.commandTag, 'SELECT 1; SELECT 2');
  });

  test('ssl: require connects to a gateway that requires TLS; without TLS it is refused (28000)', async () => {
    const dataDir = mkdtempSync(join(tmpdir(), 'writ-pjs-tls-'));
    const tls = await loadGatewayTls({ dataDir, certFile: undefined, keyFile: undefined });
    const gateway = await startPostgresGateway(h.api.app.gatewayDeps(), { ...defaultGatewaySettings, tls: tls.context, requireTls: true }, { host: '127.0.0.1', port: 0 });
    const connection = { ...(await h.grantAndConnect('read-only')), port: gateway.address.port };
    try {
      const secure = connect(connection, { ssl: 'require' });
      try {
        const [row] = await secure`SELECT 'over tls' AS state`;
        assert.equal(row?.state, 'over tls');
      } finally {
        await secure.end();
      }
      const plain = connect(connection, { ssl: false });
      try {
        assert.equal(await sqlStateOf(plain`SELECT 1`), '28000');
      } finally {
        await plain.end();
      }
    } finally {
      await gateway.close();
      rmSync(dataDir, { recursive: true, force: true });
    }
  });
});
