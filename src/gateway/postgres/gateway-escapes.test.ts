// Escape attempts through the wire on a read-only grant: each refused, recorded, the table untouched and the session still usable.
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import type { Socket } from 'node:net';
import { after, before, describe, test } from 'node:test';
import pg from 'pg';
import { parse, serialize } from 'pg-protocol';
import { createGatewayHarness, type GatewayConnection, type GatewayHarness } from './testing/gateway-harness.ts';
import { queryTestUpstream } from './testing/test-upstream.ts';
import { connectUpstream } from './upstream-connection.ts';
import { sqlStateOf } from './testing/gateway-test-helpers.ts';

const ROWS = "(1, 'one'), (2, 'two')";
const BOUND_MS = 5000;

/** Each attempt: the text sent in one simple Query, the SQLSTATE Writ answers and the rule it records. */
function simpleAttempts(table: string): readonly (readonly [string, string, string])[] {
  return [
    [`SELECT 1; DELETE FROM ${table} WHERE id = 1`, '42501', 'read-only'],
    [`SELECT * FROM ${table};UPDATE ${table} SET note = 'x'; SELECT 2`, '42501', 'read-only'],
    [`WITH gone AS (DELETE FROM ${table} WHERE id = 1 RETURNING *) SELECT * FROM gone`, '42501', 'read-only'],
    ["SELECT set_config('default_transaction_read_only', 'off', false)", '42501', 'read-only'],
    ['SET default_transaction_read_only = off', '42501', 'read-only'],
    ['SET transaction_read_only = off', '42501', 'read-only'],
    ['SET SESSION CHARACTERISTICS AS TRANSACTION READ WRITE', '42501', 'read-only'],
    ['BEGIN READ WRITE', '42501', 'read-only'],
    ['START TRANSACTION ISOLATION LEVEL SERIALIZABLE, READ WRITE', '42501', 'read-only'],
    ['RESET ALL', '42501', 'pinned-setting'],
    [`COPY ${table} FROM STDIN`, '42501', 'read-only'],
    [`COPY ${table} TO PROGRAM 'cat'`, '42501', 'read-only'],
    [`DO $$ BEGIN DELETE FROM ${table}; END $$`, '42501', 'read-only'],
    ['CALL writ_no_such_procedure()', '42501', 'read-only'],
    [`PREPARE writ_escape_delete AS DELETE FROM ${table} WHERE id = 1`, '42501', 'read-only'],
    [`EXPLAIN ANALYZE DELETE FROM ${table}`, '42501', 'read-only'],
    ["SELECT lo_import('writ-no-such-file')", '42501', 'read-only'],
    [`SELECT * INTO ${table}_copy FROM ${table}`, '42501', 'read-only'],
    [`SELECT * FROM ${table} FOR UPDATE`, '42501', 'read-only'],
    ['CREATE TEMP TABLE writ_escape_temp (id int)', '42501', 'read-only'],
    [`DELETE FROM ${table} WHERE id = 1 -- a comment; SELECT 1`, '42501', 'read-only'],
    [`SELEC * FROM ${table}`, '42601', 'unparseable'],
  ];
}

async function contentsOf(h: GatewayHarness, table: string): Promise<string> {
  return JSON.stringify((await queryTestUpstream(h.upstream, `SELECT id, note FROM ${table} ORDER BY id`)).rows);
}

async function blockedRule(h: GatewayHarness, sql: string): Promise<{ outcome: string; rule: unknown } | undefined> {
  const event = (await h.events('gateway.statement.blocked')).find((blocked) => blocked.data.sql === sql);
  return event === undefined ? undefined : { outcome: event.outcome, rule: event.data.rule };
}

/** A session driven by hand after a real SCRAM sign-in: raw messages out, pg-protocol's parser on what comes back. */
async function rawSession(connection: GatewayConnection): Promise<{ socket: Socket; send(bytes: Buffer): Promise<{ name: string; code?: string; fields?: (string | null)[] }[]> }> {
  const session = await connectUpstream(
    { host: connection.host, port: connection.port, database: connection.database, user: connection.user, password: connection.password, tls: 'disable' },
    { startupParameters: {}, connectTimeoutMs: 10_000 },
  );
  assert.equal(session.buffered.length, 0, 'nothing arrived after ReadyForQuery');
  const { socket } = session;
  let received: { name: string; code?: string; fields?: (string | null)[] }[] = [];
  let onReady: (() => void) | undefined;
  void parse(socket, (message) => {
    const { code, fields } = message as { code?: string; fields?: (string | null)[] };
    received.push({ name: message.name, ...(code === undefined ? {} : { code }), ...(fields === undefined ? {} : { fields }) });
    if (message.name === 'readyForQuery') onReady?.();
  });
  socket.resume();
  return {
    socket,
    async send(bytes) {
      received = [];
      const ready = new Promise<void>((resolve, reject) => {
        onReady = resolve;
        setTimeout(() => { reject(new Error(`no ReadyForQuery within ${BOUND_MS} ms`)); }, BOUND_MS).unref();
      });
      socket.write(bytes);
      await ready;
      return received;
    },
  };
}

/**
 * FunctionCall ('F'): Int32 length, Int32 function OID, Int16 argument format count and codes, Int16 argument
 * count, each an Int32 length and its bytes, then Int16 the result format.
 * @see https://www.postgresql.org/docs/current/protocol-message-formats.html#PROTOCOL-MESSAGE-FORMATS-FUNCTIONCALL
 */
function functionCall(functionOid: number, textArguments: readonly string[]): Buffer {
  const parts = [Buffer.alloc(4), Buffer.from([0, 1, 0, 0]), Buffer.alloc(2)];
  parts[0]?.writeInt32BE(functionOid);
  parts[2]?.writeInt16BE(textArguments.length);
  for (const argument of textArguments) {
    const value = Buffer.from(argument, 'utf8');
    const length = Buffer.alloc(4);
    length.writeInt32BE(value.length);
    parts.push(length, value);
  }
  parts.push(Buffer.from([0, 0]));
  const body = Buffer.concat(parts);
  const header = Buffer.alloc(5);
  header.write('F', 0, 'latin1');
  header.writeInt32BE(body.length + 4, 1);
  return Buffer.concat([header, body]);
}

describe('escape attempts on a read-only grant', () => {
  let h: GatewayHarness;
  let connection: GatewayConnection;
  const table = `writ_escape_${randomBytes(5).toString('hex')}`;
  before(async () => {
    h = await createGatewayHarness('sqlite');
    await queryTestUpstream(h.upstream, `CREATE TABLE ${table} (id int PRIMARY KEY, note text); INSERT INTO ${table} VALUES ${ROWS}`);
    connection = await h.grantAndConnect('read-only');
  });
  after(async () => {
    try {
      // PGlite serves every connection from one backend, which the read-only sessions left read-only.
      await queryTestUpstream(h.upstream, 'SET SESSION CHARACTERISTICS AS TRANSACTION READ WRITE');
      await queryTestUpstream(h.upstream, `DROP TABLE IF EXISTS ${table}; DROP TABLE IF EXISTS ${table}_copy`);
    } finally {
      await h.close();
    }
  });

  test('every escape in one simple Query is refused, recorded with its rule, changes nothing, and the session goes on', async () => {
    const original = await contentsOf(h, table);
    const c = new pg.Client({ connectionString: connection.url });
    await c.connect();
    try {
      for (const [sql, sqlState, rule] of simpleAttempts(table)) {
        assert.equal(await sqlStateOf(c.query(sql)), sqlState, sql);
        assert.equal(await contentsOf(h, table), original, `the table is unchanged after: ${sql}`);
        assert.deepEqual(await blockedRule(h, sql), { outcome: 'denied', rule }, sql);
        assert.equal((await c.query<{ one: number }>('SELECT 1 AS one')).rows[0]?.one, 1, `the session is usable after: ${sql}`);
      }
      assert.equal(await sqlStateOf(c.query('EXECUTE writ_escape_delete')), '26000', 'the refused PREPARE left nothing to EXECUTE');
      assert.equal(await contentsOf(h, table), original);
      const copy = await queryTestUpstream(h.upstream, `SELECT to_regclass('${table}_copy')::text AS copy`);
      assert.equal((copy.rows as { copy: string | null }[])[0]?.copy, null, 'SELECT INTO made no table');
      assert.equal((await c.query<{ transaction_read_only: string }>('SHOW transaction_read_only')).rows[0]?.transaction_read_only, 'on', 'the upstream session itself is read-only');
    } finally {
      await c.end();
    }
  });

  test('a Parse of a write, unnamed or named, is refused before the server sees it', async () => {
    const original = await contentsOf(h, table);
    const c = new pg.Client({ connectionString: connection.url });
    await c.connect();
    try {
      const unnamed = `DELETE FROM ${table} WHERE id = $1`;
      assert.equal(await sqlStateOf(c.query(unnamed, [1])), '42501');
      assert.deepEqual(await blockedRule(h, unnamed), { outcome: 'denied', rule: 'read-only' });
      const named = `UPDATE ${table} SET note = $1 WHERE id = 2`;
      assert.equal(await sqlStateOf(c.query({ name: 'writ_escape_update', text: named, values: ['changed'] })), '42501');
      assert.deepEqual(await blockedRule(h, named), { outcome: 'denied', rule: 'read-only' });
      assert.equal(await contentsOf(h, table), original);
      assert.equal((await c.query<{ two: number }>('SELECT $1::int + 1 AS two', [1])).rows[0]?.two, 2, 'the extended protocol still works');
    } finally {
      await c.end();
    }
  });

  test('a fast-path FunctionCall is refused with 42501 and recorded; the session answers queries afterwards', async () => {
    const found = await queryTestUpstream(h.upstream, "SELECT 'lo_creat(integer)'::regprocedure::oid::int AS oid, (SELECT count(*)::int FROM pg_largeobject_metadata) AS objects");
    const { oid, objects } = (found.rows as { oid: number; objects: number }[])[0] ?? { oid: 0, objects: -1 };
    const raw = await rawSession(connection);
    try {
      const answer = await raw.send(functionCall(oid, ['-1']));
      assert.deepEqual(answer.map((message) => message.name), ['error', 'readyForQuery']);
      assert.equal(answer[0]?.code, '42501');
      const count = await queryTestUpstream(h.upstream, 'SELECT count(*)::int AS objects FROM pg_largeobject_metadata');
      assert.equal((count.rows as { objects: number }[])[0]?.objects, objects, 'no large object was created');
      assert.deepEqual(await blockedRule(h, 'fast-path function call'), { outcome: 'denied', rule: 'function-call' });
      const next = await raw.send(serialize.query('SELECT 1 AS one'));
      assert.deepEqual(next.find((message) => message.name === 'dataRow')?.fields, ['1']);
    } finally {
      raw.socket.end(serialize.end());
    }
  });
});
