// node-postgres through the gateway, protocol details: named statements, portals read in pages, big results, queued errors, Terminate.
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import pg from 'pg';
import { defaultGatewaySettings } from './gateway-deps.ts';
import { startPostgresGateway } from './gateway-server.ts';
import { loadGatewayTls } from './gateway-tls.ts';
import { createGatewayHarness, type GatewayConnection, type GatewayHarness } from './testing/gateway-harness.ts';
import { queryTestUpstream } from './testing/test-upstream.ts';
import { sqlStateOf } from './testing/gateway-test-helpers.ts';

type Row = Record<string, unknown>;

async function connected(connection: GatewayConnection, config: pg.ClientConfig = {}): Promise<pg.Client> {
  const { host, port, database, user, password } = connection;
  const client = new pg.Client({ host, port, database, user, password, connectionTimeoutMillis: 10_000, ...config });
  await client.connect();
  return client;
}

describe('node-postgres protocol details through the gateway', () => {
  let h: GatewayHarness;
  before(async () => {
    h = await createGatewayHarness('sqlite');
  });
  after(async () => {
    await h.close();
  });


  test('a named prepared statement is parsed once and reused; each execution is logged with its own index', async () => {
    const client = await connected(await h.grantAndConnect('read-only'));
    const name = `writ_q_${randomBytes(4).toString('hex')}`;
    const text = 'SELECT $1::int * $2::int AS product';
    const mark = (await h.events()).length;
    try {
      for (const [a, b] of [[2, 3], [4, 5], [6, 7]] as const) {
        const result = await client.query<Row>({ name, text, values: [a, b] });
        assert.equal(result.rows[0]?.product, a * b);
      }
      const prepared = await client.query<Row>('SELECT statement FROM pg_prepared_statements WHERE name = $1', [name]);
      assert.deepEqual(prepared.rows, [{ statement: text }], 'one server-side statement under the client\'s name');
    } finally {
      await client.end();
    }
    await h.endedSince(mark, 1);
    const executed = (await h.eventsSince(mark, 'gateway.statement.executed')).filter((event) => event.data.sql === text);
    assert.deepEqual(executed.map((event) => [event.data.protocol, event.data.statementIndex, event.data.parameterCount]), [['extended', 0, 2], ['extended', 1, 2], ['extended', 2, 2]]);
  });

  test('rowMode array with the column descriptions; a query with no rows still describes its columns', async () => {
    const client = await connected(await h.grantAndConnect('read-only'));
    try {
      const arrays = await client.query<unknown[]>({ text: "SELECT 1::int AS a, 'b'::text AS b, NULL::numeric AS c", rowMode: 'array' });
      assert.deepEqual(arrays.rows, [[1, 'b', null]]);
      assert.deepEqual(arrays.fields.map((field) => [field.name, field.dataTypeID]), [['a', 23], ['b', 25], ['c', 1700]]);
      const empty = await client.query<Row>({ text: 'SELECT 1::int AS only_column WHERE $1::bool', values: [false] });
      assert.equal(empty.rowCount, 0);
      assert.deepEqual(empty.fields.map((field) => field.name), ['only_column']);
    } finally {
      await client.end();
    }
  });

  test('10,000 rows and a few megabytes stream through the relay, whole and in pages from a named portal', async () => {
    const client = await connected(await h.grantAndConnect('read-only'));
    const mark = (await h.events()).length;
    try {
      const many = await client.query<Row>({ text: "SELECT n, md5(n::text) AS hash FROM generate_series(1, $1::int) AS n", values: [10_000] });
      assert.equal(many.rowCount, 10_000);
      assert.deepEqual(many.rows[9_999], { n: 10_000, hash: 'b7a782741f667201b54880c925faec4b' });
      const big = await client.query<Row>("SELECT n, repeat(chr(64 + n), 1000000) AS blob FROM generate_series(1, 5) AS n");
      assert.deepEqual(big.rows.map((row) => [row.n, (row.blob as string).length, (row.blob as string).at(-1)]), [[1, 1e6, 'A'], [2, 1e6, 'B'], [3, 1e6, 'C'], [4, 1e6, 'D'], [5, 1e6, 'E']]);
      // rows: Execute with a row limit and Flush, again after each PortalSuspended, then Sync.
      const paging = { text: 'SELECT n FROM generate_series(1, 2500) AS n', portal: 'writ_pages', rows: 1000 } as pg.QueryConfig;
      const paged = await client.query<Row>(paging);
      assert.equal(paged.rows.length, 2500);
      assert.equal(paged.rows[2499]?.n, 2500);
      const after = await client.query<Row>('SELECT 1 AS one');
      assert.equal(after.rows[0]?.one, 1);
    } finally {
      await client.end();
    }
    await h.endedSince(mark, 1);
    const completed = (await h.eventsSince(mark, 'gateway.statements.completed')).flatMap((event) => event.data.statements as { commandTag?: string }[]);
    // Each Execute of the paged portal is a statement of its own in the audit.
    assert.deepEqual(completed.map((statement) => statement.commandTag), ['SELECT 10000', 'SELECT 5', 'PORTAL SUSPENDED', 'PORTAL SUSPENDED', 'SELECT 500', 'SELECT 1']);
  });

  test('an error in the middle of queued queries fails that query alone, and the rest answer in order', async () => {
    const client = await connected(await h.grantAndConnect('read-only'));
    try {
      const outcomes = await Promise.all([
        client.query<Row>('SELECT 1 AS v').then((result) => result.rows[0]?.v),
        client.query<Row>('SELECT $1::int AS v', [2]).then((result) => result.rows[0]?.v),
        sqlStateOf(client.query('SELECT 1 / $1::int', [0])),
        sqlStateOf(client.query('SELECT * FROM writ_no_such_table')),
        client.query<Row>('SELECT $1::text AS v', ['five']).then((result) => result.rows[0]?.v),
        client.query<Row>('SELECT 6 AS v').then((result) => result.rows[0]?.v),
      ]);
      assert.deepEqual(outcomes, [1, 2, '22012', '42P01', 'five', 6]);
    } finally {
      await client.end();
    }
  });

  test('refused statements among queued extended queries: the others get their own answers, in order, and the audit matches', async () => {
    const client = await connected(await h.grantAndConnect('read-only'));
    const mark = (await h.events()).length;
    try {
      const outcomes = await Promise.all([
        client.query<Row>('SELECT $1::int AS v', [1]).then((result) => result.rows[0]?.v),
        sqlStateOf(client.query('INSERT INTO writ_never (id) VALUES ($1)', [2])),
        client.query<Row>('SELECT $1::int AS v', [3]).then((result) => result.rows[0]?.v),
        sqlStateOf(client.query({ name: 'writ_refused_named', text: 'DELETE FROM writ_never WHERE id = $1', values: [4] })),
        client.query<Row>({ name: 'writ_allowed_named', text: 'SELECT $1::int AS v', values: [5] }).then((result) => result.rows[0]?.v),
        client.query<Row>({ name: 'writ_allowed_named', text: 'SELECT $1::int AS v', values: [6] }).then((result) => result.rows[0]?.v),
        sqlStateOf(client.query('SELECT set_config($1, $2, false)', ['transaction_read_only', 'off'])),
        client.query<Row>('SHOW transaction_read_only').then((result) => result.rows[0]?.transaction_read_only),
      ]);
      assert.deepEqual(outcomes, [1, '42501', 3, '42501', 5, 6, '42501', 'on']);
    } finally {
      await client.end();
    }
    await h.endedSince(mark, 1);
    assert.deepEqual((await h.eventsSince(mark, 'gateway.statement.blocked')).map((event) => event.data.statementIndex), [1, 3, 6]);
    const executed = await h.eventsSince(mark, 'gateway.statement.executed');
    assert.deepEqual(executed.map((event) => event.data.statementIndex), [0, 2, 4, 5, 7]);
    const completed = (await h.eventsSince(mark, 'gateway.statements.completed')).flatMap((event) => event.data.statements as { statementIndex: number; commandTag?: string }[]);
    assert.deepEqual(completed.map((statement) => [statement.statementIndex, statement.commandTag]), [[0, 'SELECT 1'], [2, 'SELECT 1'], [4, 'SELECT 1'], [5, 'SELECT 1'], [7, 'SHOW']]);
  });

  test('empty queries answer EmptyQueryResponse, with both protocols', async () => {
    const client = await connected(await h.grantAndConnect('read-only'));
    try {
      const simple = await client.query('');
      assert.equal(simple.command, null);
      const whitespace = await client.query('   ');
      assert.equal(whitespace.rows.length, 0);
      const extended = await client.query({ text: '', queryMode: 'extended' } as pg.QueryConfig);
      assert.equal(extended.rows.length, 0);
      const after = await client.query<Row>('SELECT 1 AS one');
      assert.equal(after.rows[0]?.one, 1);
    } finally {
      await client.end();
    }
  });

  test('LISTEN and NOTIFY on one client, and notices, through a read-write grant', async () => {
    const client = await connected(await h.grantAndConnect('read-write'));
    const channel = `writ_${randomBytes(4).toString('hex')}`;
    try {
      const notifications: { channel: string; payload: string | undefined }[] = [];
      const notices: string[] = [];
      client.on('notification', (message) => notifications.push({ channel: message.channel, payload: message.payload }));
      client.on('notice', (notice) => notices.push(notice.message ?? ''));
      await client.query(`LISTEN ${channel}`);
      await client.query(`NOTIFY ${channel}, 'one'`);
      await client.query('SELECT pg_notify($1, $2)', [channel, 'two']);
      await client.query("DO $$ BEGIN RAISE NOTICE 'writ notice'; END $$");
      await client.query(`UNLISTEN ${channel}`);
      assert.deepEqual(notifications, [{ channel, payload: 'one' }, { channel, payload: 'two' }]);
      assert.deepEqual(notices, ['writ notice']);
    } finally {
      await client.end();
    }
  });

  test('COPY FROM STDIN that node-postgres answers with CopyFail leaves the session usable', async (t) => {
    if (h.upstream.kind === 'pglite') {
      t.skip('PGlite behind pglite-socket cannot take COPY FROM STDIN (it stops answering); run with WRIT_TEST_PG_URL');
      return;
    }
    const table = `writ_pg_${randomBytes(4).toString('hex')}`;
    await queryTestUpstream(h.upstream, `CREATE TABLE ${table} (id int)`);
    const client = await connected(await h.grantAndConnect('read-write'));
    try {
      assert.equal(await sqlStateOf(client.query(`COPY ${table} FROM STDIN`)), '57014');
      const count = await client.query<Row>(`SELECT count(*)::int AS n FROM ${table}`);
      assert.equal(count.rows[0]?.n, 0);
    } finally {
      await client.end();
      await queryTestUpstream(h.upstream, `DROP TABLE IF EXISTS ${table}`);
    }
  });

  test('Terminate (client.end) ends the session as client_closed, with its statements and bytes counted', async () => {
    const client = await connected(await h.grantAndConnect('read-only'));
    const mark = (await h.events()).length;
    await client.query('SELECT 1');
    await client.query('SELECT $1::text AS t', ['x'.repeat(5000)]);
    await client.end();
    const [ended] = await h.endedSince(mark, 1);
    assert.equal(ended?.data.endReason, 'client_closed');
    assert.equal(ended.data.statementCount, 2);
    assert.ok((ended.data.bytesFromClient as number) > 5000, 'the 5000-byte parameter went through');
    assert.ok((ended.data.bytesToClient as number) > 5000, 'the 5000-byte value came back');
  });

  test('TLS: node-postgres verifies the generated certificate and reads over it', async () => {
    const dataDir = mkdtempSync(join(tmpdir(), 'writ-pg-tls-'));
    const tls = await loadGatewayTls({ dataDir, certFile: undefined, keyFile: undefined });
    const gateway = await startPostgresGateway(h.api.app.gatewayDeps(), { ...defaultGatewaySettings, tls: tls.context, requireTls: true }, { host: '127.0.0.1', port: 0 });
    try {
      const connection = { ...(await h.grantAndConnect('read-only')), port: gateway.address.port };
      const ca = readFileSync(join(dataDir, 'gateway-tls-cert.pem'), 'utf8');
      const client = await connected(connection, { ssl: { ca, servername: 'localhost' } });
      try {
        const result = await client.query<Row>('SELECT $1::text AS state', ['verified']);
        assert.equal(result.rows[0]?.state, 'verified');
      } finally {
        await client.end();
      }
      const plain = new pg.Client({ ...connection, ssl: false, connectionTimeoutMillis: 10_000 });
      assert.equal(await sqlStateOf(plain.connect()), '28000');
    } finally {
      await gateway.close();
      rmSync(dataDir, { recursive: true, force: true });
    }
  });
});
