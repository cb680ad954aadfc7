// node-postgres through the gateway: sign-in, simple and extended queries, enforcement, and the audit trail.
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import pg from 'pg';
import { createGatewayHarness, type GatewayHarness } from './testing/gateway-harness.ts';
import { queryTestUpstream } from './testing/test-upstream.ts';
import { sqlStateOf } from './testing/gateway-test-helpers.ts';

type Row = Record<string, unknown>;

function client(url: string): pg.Client {
  return new pg.Client({ connectionString: url, connectionTimeoutMillis: 10_000 });
}

describe('node-postgres through the gateway', () => {
  let h: GatewayHarness;
  before(async () => {
    h = await createGatewayHarness('sqlite');
  });
  after(async () => {
    await h.close();
  });

  test('a read-only grant reads with both protocols and is refused writes; every statement is logged first', async () => {
    const connection = await h.grantAndConnect('read-only');
    const c = client(connection.url);
    await c.connect();
    try {
      const simple = await c.query<Row>('SELECT 1 AS one');
      assert.equal(simple.rows[0]?.one, 1);
      const extended = await c.query<Row>('SELECT $1::int + 1 AS two', [1]);
      assert.equal(extended.rows[0]?.two, 2);
      assert.equal(await sqlStateOf(c.query('CREATE TABLE writ_should_not_exist (id int)')), '42501');
      assert.equal(await sqlStateOf(c.query('SELECT set_config($1, $2, false)', ['default_transaction_read_only', 'off'])), '42501');
      const after = await c.query<Row>('SELECT 3 AS three');
      assert.equal(after.rows[0]?.three, 3, 'the session stays usable after a refusal');
      const readOnly = await c.query<Row>('SHOW transaction_read_only');
      assert.equal(readOnly.rows[0]?.transaction_read_only, 'on');
    } finally {
      await c.end();
    }
    const executed = await h.events('gateway.statement.executed');
    const texts = executed.map((event) => event.data.sql);
    assert.ok(texts.includes('SELECT 1 AS one'));
    assert.ok(texts.includes('SELECT $1::int + 1 AS two'));
    assert.ok(!texts.some((text) => String(text).includes('writ_should_not_exist')));
    const blocked = await h.events('gateway.statement.blocked');
    assert.equal(blocked.length, 2);
    assert.equal(blocked[0]?.outcome, 'denied');
    assert.equal(blocked[0].data['rule'], 'read-only');
    const started = await h.events('gateway.session.started');
    assert.equal(started.at(-1)?.data['level'], 'read-only');
  });

  test('a client message larger than a socket read (a 3 MB bind value) reaches the server', { timeout: 60_000 }, async () => {
    const connection = await h.grantAndConnect('read-only');
    const c = client(connection.url);
    await c.connect();
    try {
      const big = 'x'.repeat(3 * 1024 * 1024);
      const result = await c.query<Row>('SELECT length($1::text) AS n', [big]);
      assert.equal(result.rows[0]?.n, big.length);
    } finally {
      await c.end();
    }
  });

  test('a wrong password is refused with 28P01 and recorded on its own, an unknown database with 3D000 and counted in a refusal summary', async () => {
    const connection = await h.grantAndConnect('read-only');
    const unknownBefore = (await h.refusalCounts()).unknown_resource ?? 0;
    const wrong = client(connection.url.replace(encodeURIComponent(connection.password), 'not-the-password'));
    assert.equal(await sqlStateOf(wrong.connect()), '28P01');
    const unknown = client(connection.url.replace('/pg-dev', '/no-such-db'));
    assert.equal(await sqlStateOf(unknown.connect()), '3D000');
    const refused = await h.events('gateway.connection.refused');
    assert.equal(refused.at(-1)?.data.reason, 'authentication_failed');
    assert.equal((await h.refusalCounts()).unknown_resource, unknownBefore + 1);
  });

  test('read-write: guardrails refuse DROP and DELETE without WHERE, a transaction recovers, parameters are logged when policy allows', async () => {
    const connection = await h.grantAndConnect('read-write');
    const c = client(connection.url);
    await c.connect();
    try {
      await c.query('CREATE TABLE IF NOT EXISTS writ_gateway_rw (id int, name text)');
      await c.query('INSERT INTO writ_gateway_rw VALUES ($1, $2)', [1, 'one']);
      assert.equal(await sqlStateOf(c.query('DELETE FROM writ_gateway_rw')), '42501');
      await c.query('BEGIN');
      assert.equal(await sqlStateOf(c.query('DROP TABLE writ_gateway_rw')), '42501');
      assert.equal(await sqlStateOf(c.query('SELECT 1')), '25P02', 'the refusal aborted the transaction as PostgreSQL would');
      await c.query('ROLLBACK');
      const rows = await c.query<Row>('SELECT count(*)::int AS n FROM writ_gateway_rw');
      assert.equal(rows.rows[0]?.n, 1);
      await c.query('DELETE FROM writ_gateway_rw WHERE id = $1', [1]);
    } finally {
      await c.end();
      await queryTestUpstream(h.upstream, 'DROP TABLE IF EXISTS writ_gateway_rw');
    }
    const blocked = await h.events('gateway.statement.blocked');
    assert.deepEqual(blocked.slice(-2).map((event) => event.data.rule), ['no-unbounded-delete', 'no-drop']);
  });
});
