// Parser differentials: the session cannot make the server lex text differently from Writ, and the server's word is checked.
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { after, before, describe, test } from 'node:test';
import pg from 'pg';
import { serialize } from 'pg-protocol';
import { createGatewayHarness, type GatewayConnection, type GatewayHarness } from './testing/gateway-harness.ts';
import { openRawSession } from './testing/raw-session.ts';
import { queryTestUpstream } from './testing/test-upstream.ts';
import { eventually, sqlStateOf } from './testing/gateway-test-helpers.ts';
import { connectUpstream } from './upstream-connection.ts';

/** Writ (standard_conforming_strings on) reads one SELECT of two strings; a server with it off reads a SELECT, then `tail`. */
function smuggled(tail: string): string {
  return `SELECT 'a\\' , '; ${tail}; --'`;
}

async function tableExists(h: GatewayHarness, table: string): Promise<boolean> {
  const found = await queryTestUpstream(h.upstream, `SELECT to_regclass('${table}')::text AS name`);
  return (found.rows as { name: string | null }[])[0]?.name !== null;
}

function extended(sql: string): Buffer[] {
  return [serialize.parse({ text: sql }), serialize.bind({}), serialize.execute({})];
}

// The ledger's store changes nothing here, and both are run to show it.
for (const backend of ['sqlite', 'postgres'] as const) {
describe(`pinned lexing settings, on real PostgreSQL (and PGlite where it can) (${backend} store)`, () => {
  let h: GatewayHarness;
  let readWrite: GatewayConnection;
  let readOnly: GatewayConnection;
  const suffix = randomBytes(4).toString('hex');
  const table = `writ_lexing_${suffix}`;
  const flip = `writ_flip_scs_${suffix}`;
  const lift = `writ_lift_ro_${suffix}`;
  before(async () => {
    h = await createGatewayHarness(backend);
    await queryTestUpstream(h.upstream, `CREATE TABLE ${table} (id int PRIMARY KEY); INSERT INTO ${table} VALUES (1), (2)`);
    await queryTestUpstream(h.upstream, `CREATE FUNCTION ${flip}() RETURNS int LANGUAGE plpgsql AS $$ BEGIN PERFORM set_config('standard_conforming_strings', 'off', false); RETURN 1; END $$`);
    await queryTestUpstream(h.upstream, `CREATE FUNCTION ${lift}() RETURNS int LANGUAGE plpgsql AS $$ BEGIN PERFORM set_config('default_transaction_read_only', 'off', false); RETURN 1; END $$`);
    readWrite = await h.grantAndConnect('read-write');
    readOnly = await h.grantAndConnect('read-only');
  });
  after(async () => {
    try {
      await queryTestUpstream(h.upstream, 'SET SESSION CHARACTERISTICS AS TRANSACTION READ WRITE');
      await queryTestUpstream(h.upstream, `DROP TABLE IF EXISTS ${table}; DROP FUNCTION IF EXISTS ${flip}(); DROP FUNCTION IF EXISTS ${lift}()`);
    } finally {
      await h.close();
    }
  });

  test('every way of changing a pinned setting is refused on every level and recorded; setting the pinned value is not', async () => {
    const attempts = [
      'SET standard_conforming_strings = off',
      'SET LOCAL standard_conforming_strings TO off',
      "SET NAMES 'SJIS'",
      "SET client_encoding = 'BIG5'",
      'RESET client_encoding',
      'SET standard_conforming_strings TO DEFAULT',
      'RESET ALL',
      'DISCARD ALL',
      "SELECT set_config('standard_conforming_strings', 'off', false)",
      "SELECT pg_catalog.set_config('client_encoding', 'SJIS', true)",
      "SELECT set_config(lower('CLIENT_ENCODING'), 'SJIS', false)",
      'ALTER ROLE CURRENT_USER SET standard_conforming_strings = off',
      "ALTER DATABASE postgres SET client_encoding = 'SJIS'",
      "SELECT 1; SET standard_conforming_strings = 'off'",
    ];
    for (const connection of [readWrite, readOnly]) {
      const c = new pg.Client({ connectionString: connection.url });
      await c.connect();
      try {
        for (const sql of attempts) {
          assert.equal(await sqlStateOf(c.query(sql)), '42501', sql);
          const blocked = (await h.events('gateway.statement.blocked')).filter((event) => event.data.sql === sql).at(-1);
          assert.equal(blocked?.data.rule, 'pinned-setting', sql);
        }
        const settings = await c.query<{ scs: string; encoding: string }>("SELECT current_setting('standard_conforming_strings') AS scs, current_setting('client_encoding') AS encoding");
        assert.deepEqual(settings.rows[0], { scs: 'on', encoding: 'UTF8' });
        await c.query("SET NAMES 'UTF8'");
        await c.query('SET standard_conforming_strings = on');
      } finally {
        await c.end();
      }
    }
  });

  test('the smuggled text is one SELECT to the server too, in both protocols', async () => {
    const c = new pg.Client({ connectionString: readWrite.url });
    await c.connect();
    try {
      const simple = await c.query({ text: smuggled(`DROP TABLE ${table}`), rowMode: 'array' });
      assert.deepEqual(simple.rows, [['a\\', `; DROP TABLE ${table}; --`]]);
      const prepared = await c.query({ text: `${smuggled(`DROP TABLE ${table}`)}, $1::int`, values: [7], rowMode: 'array' });
      assert.equal(prepared.rows[0]?.length, 3);
      assert.equal(await tableExists(h, table), true);
    } finally {
      await c.end();
    }
  });

  test('a startup packet asking for another encoding or for standard_conforming_strings off gets a FATAL that says why, and is recorded', async () => {
    // node-postgres always asks for UTF8, so the packets are written with Writ's own client code.
    const target = { host: readWrite.host, port: readWrite.port, database: readWrite.database, user: readWrite.user, password: readWrite.password, tls: 'disable' as const };
    for (const startupParameters of [{ client_encoding: 'SJIS' }, { client_encoding: 'GBK' }, { options: '-c standard_conforming_strings=off' }, { options: '-c session_replication_role=replica' }, { options: '-d 5' }]) {
      const error = await connectUpstream(target, { startupParameters, connectTimeoutMs: 10_000 }).then(
        (session) => {
          session.socket.destroy();
          return undefined;
        },
        (failure: unknown) => failure as Error,
      );
      assert.ok(error !== undefined, `${JSON.stringify(startupParameters)} was refused`);
      assert.match(error.message, /(22023|42501).*Writ|Writ.*(22023|42501)|Writ (accepts|keeps|does not pass|passes)/, `${JSON.stringify(startupParameters)}: ${error.message}`);
    }
    // Recorded after the FATAL went out, so waited for.
    await eventually('five setting refusals', async () => {
      const refusals = await h.events('gateway.connection.refused');
      return refusals.filter((event) => event.data.reason === 'setting_refused').length >= 5 ? true : undefined;
    });
    // The same client with UTF8 connects: libpq in the C locale asks for SQL_ASCII, read by the server's lexer as UTF8.
    for (const encoding of ['UTF8', 'utf-8', 'SQL_ASCII']) {
      const c = new pg.Client({ connectionString: readWrite.url, client_encoding: encoding });
      await c.connect();
      const shown = await c.query<{ client_encoding: string }>('SHOW client_encoding');
      assert.equal(shown.rows[0]?.client_encoding, 'UTF8', encoding);
      await c.end();
    }
  });

  test("a driver's startup settings reach the server (statement_timeout holds) where they are harmless", async (t) => {
    if (h.upstream.kind !== 'postgres') {
      t.skip('PGlite ignores startup settings and has no statement timeout: real PostgreSQL only (WRIT_TEST_PG_URL)');
      return;
    }
    const c = new pg.Client({ connectionString: readOnly.url, statement_timeout: 100, options: '-c search_path=pg_catalog,public -c lock-timeout=2s' });
    await c.connect();
    try {
      const shown = await c.query<{ search_path: string; lock_timeout: string; ro: string }>("SELECT current_setting('search_path') AS search_path, current_setting('lock_timeout') AS lock_timeout, current_setting('default_transaction_read_only') AS ro");
      assert.deepEqual(shown.rows[0], { search_path: 'pg_catalog,public', lock_timeout: '2s', ro: 'on' });
      assert.equal(await sqlStateOf(c.query('SELECT pg_sleep(5)')), '57014', 'the statement timeout cancelled the sleep');
    } finally {
      await c.end();
    }
  });

  test('a function that turns standard_conforming_strings off ends the session before pipelined text with a backslash reaches the server (simple protocol)', async (t) => {
    if (h.upstream.kind !== 'postgres') {
      t.skip('PGlite does not report changed settings: real PostgreSQL only (WRIT_TEST_PG_URL)');
      return;
    }
    const mark = (await h.events()).length;
    const raw = await openRawSession(readWrite);
    const { answers, closed } = await raw.send(Buffer.concat([serialize.query(`SELECT ${flip}()`), serialize.query(smuggled(`DROP TABLE ${table}`))]), 2);
    assert.equal(closed, true, 'the session was ended');
    const fatal = answers.find((answer) => answer.name === 'error' && answer.severity === 'FATAL');
    assert.equal(fatal?.code, '42501');
    assert.match(String(fatal.message), /standard_conforming_strings = off/);
    assert.equal(await tableExists(h, table), true, 'the hidden DROP never ran');
    const violation = (await eventually('the violation event', async () => (await h.eventsSince(mark, 'gateway.session.violation'))[0]));
    assert.equal(violation.data.kind, 'pinned_setting_changed');
    assert.deepEqual(violation.data.evidence, { parameter: 'standard_conforming_strings', value: 'off' });
    const executed = (await h.eventsSince(mark, 'gateway.statement.executed')).map((event) => event.data.sql);
    assert.deepEqual(executed, [`SELECT ${flip}()`], 'the smuggled text was never forwarded, so never logged as executed');
    await eventually('the session ended for the violation', async () => ((await h.eventsSince(mark, 'gateway.session.ended')).some((event) => event.data.endReason === 'violation') ? true : undefined));
  });

  test('the same in the extended protocol: after a Sync the Parse waits and the session ends; without one the Parse is refused', async (t) => {
    if (h.upstream.kind !== 'postgres') {
      t.skip('PGlite does not report changed settings: real PostgreSQL only (WRIT_TEST_PG_URL)');
      return;
    }
    const synced = await openRawSession(readWrite);
    const first = await synced.send(Buffer.concat([...extended(`SELECT ${flip}()`), serialize.sync(), ...extended(smuggled(`DROP TABLE ${table}`)), serialize.sync()]), 2);
    assert.equal(first.closed, true);
    assert.equal(await tableExists(h, table), true);

    const unsynced = await openRawSession(readWrite);
    const second = await unsynced.send(Buffer.concat([...extended(`SELECT ${flip}()`), ...extended(smuggled(`DROP TABLE ${table}`)), serialize.sync()]), 1);
    const refused = second.answers.find((answer) => answer.name === 'error' && answer.code === '0A000');
    assert.ok(refused !== undefined, `the Parse after an unsynced Execute was refused: ${JSON.stringify(second.answers)}`);
    assert.equal(await tableExists(h, table), true);
    unsynced.end();
  });

  test('a read-only session whose function lifts read-only is ended at once, with the evidence', async (t) => {
    if (h.upstream.kind !== 'postgres') {
      t.skip('PGlite does not report changed settings: real PostgreSQL only (WRIT_TEST_PG_URL)');
      return;
    }
    const mark = (await h.events()).length;
    const raw = await openRawSession(readOnly);
    const { answers, closed } = await raw.send(Buffer.concat([serialize.query(`SELECT ${lift}()`), serialize.query(`SELECT 2`)]), 2);
    assert.equal(closed, true);
    assert.equal(answers.find((answer) => answer.severity === 'FATAL')?.code, '42501');
    const violation = await eventually('the violation event', async () => (await h.eventsSince(mark, 'gateway.session.violation'))[0]);
    assert.equal(violation.data.kind, 'read_only_lifted');
  });

  test('a read-only level that would connect as a superuser is refused unless the policy says allowSuperuser', async (t) => {
    const parameters = await queryTestUpstream(h.upstream, "SELECT current_setting('is_superuser') AS su");
    if ((parameters.rows as { su: string }[])[0]?.su !== 'on') {
      t.skip('the test server connects as a non-superuser');
      return;
    }
    const policy = await h.api.call('GET', '/api/v1/policy', { token: h.api.tokens.admin });
    const text = String((policy.body as { text?: unknown }).text);
    const asSuperuser = text.replace(/read-only: \{ username: "[^"]+"(, allowSuperuser: true)? \}/, `read-only: { username: "${h.upstream.target.user}" }`);
    assert.notEqual(asSuperuser, text);
    const applied = await h.api.call('PUT', '/api/v1/policy', { token: h.api.tokens.admin, body: { text: asSuperuser, fileName: 'superuser.policy.yaml' } });
    assert.equal(applied.status, 200, JSON.stringify(applied.body));
    try {
      const c = new pg.Client({ connectionString: readOnly.url });
      c.on('error', () => undefined);
      const error = await c.connect().then(() => undefined, (failure: unknown) => failure as { code?: string; message?: string });
      await c.end().catch(() => undefined);
      assert.equal(error?.code, '42501');
      assert.match(String(error.message), /superuser/);
      await eventually('the unsafe-upstream refusal', async () => ((await h.events('gateway.connection.refused')).some((event) => event.data.reason === 'unsafe_upstream') ? true : undefined));
    } finally {
      const restored = await h.api.call('PUT', '/api/v1/policy', { token: h.api.tokens.admin, body: { text, fileName: 'gateway-test.policy.yaml' } });
      assert.equal(restored.status, 200);
    }
  });
});
}
