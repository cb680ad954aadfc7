// Found by issue 11's attacker's pass: a second Parse under a name the server already holds fails there; Writ once took
// its text anyway, so the ledger named the wrong statement for every later Execute. Now Writ refuses the duplicate
// itself (42P05, as the server would) and takes a Parse's text only at the server's ParseComplete.
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { serialize } from 'pg-protocol';
import { createGatewayHarness, type GatewayHarness, type RecordedEvent } from './testing/gateway-harness.ts';
import { eventually } from './testing/gateway-test-helpers.ts';
import { openRawSession } from './testing/raw-session.ts';
import { queryTestUpstream, withScratchTable } from './testing/test-upstream.ts';

describe('attack: a named statement parsed twice, the second time refused by the server', { skip: process.env.WRIT_TEST_PG_URL === undefined ? 'needs a real PostgreSQL (WRIT_TEST_PG_URL)' : false }, () => {
  let h: GatewayHarness;
  before(async () => {
    h = await createGatewayHarness('sqlite');
  });
  after(async () => {
    await h.close();
  });

  const executedSince = async (mark: number): Promise<RecordedEvent[]> => h.eventsSince(mark, 'gateway.statement.executed');

  test('read-only: the ledger records "SELECT 1" while the server ran the first, unrecorded read', async () => {
    const connection = await h.grantAndConnect('read-only');
    const mark = (await h.events()).length;
    const raw = await openRawSession(connection);
    const hidden = "SELECT 'the read the ledger never shows' AS secret";
    const first = await raw.send(Buffer.concat([serialize.parse({ name: 's1', text: hidden }), serialize.sync()]));
    assert.deepEqual(first.answers.map((answer) => answer.name), ['parseComplete', 'readyForQuery']);
    const second = await raw.send(Buffer.concat([serialize.parse({ name: 's1', text: 'SELECT 1 AS innocuous' }), serialize.sync()]));
    assert.equal(second.answers[0]?.code, '42P05', 'the duplicate name is refused and the first statement kept');
    const run = await raw.send(Buffer.concat([serialize.bind({ statement: 's1' }), serialize.execute({}), serialize.sync()]));
    raw.end();
    const row = run.answers.find((answer) => answer.name === 'dataRow');
    assert.deepEqual(row?.fields, ['the read the ledger never shows'], 'the server ran the first text');
    const executed = await eventually('the Execute recorded', async () => (await executedSince(mark))[0]);
    // What the server ran must be what the ledger says was run.
    assert.equal(executed.data.sql, hidden);
  });

  test('read-write: a DELETE (in a CTE, so the tag is SELECT) is recorded as "SELECT 1", with no violation', async () => {
    await withScratchTable(h.upstream, 'id int', async (table) => {
      await queryTestUpstream(h.upstream, `INSERT INTO ${table} SELECT generate_series(1, 5)`);
      const connection = await h.grantAndConnect('read-write');
      const mark = (await h.events()).length;
      const raw = await openRawSession(connection);
      const hidden = `WITH gone AS (DELETE FROM ${table} WHERE id > 0 RETURNING id) SELECT count(*) FROM gone`;
      await raw.send(Buffer.concat([serialize.parse({ name: 'w1', text: hidden }), serialize.sync()]));
      const second = await raw.send(Buffer.concat([serialize.parse({ name: 'w1', text: 'SELECT 1' }), serialize.sync()]));
      assert.equal(second.answers[0]?.code, '42P05');
      const run = await raw.send(Buffer.concat([serialize.bind({ statement: 'w1' }), serialize.execute({}), serialize.sync()]));
      raw.end();
      assert.equal(run.closed, false);
      const left = await queryTestUpstream(h.upstream, `SELECT count(*)::int AS n FROM ${table}`);
      assert.equal((left.rows[0] as { n: number } | undefined)?.n, 0, 'the server deleted every row');
      const executed = await eventually('the Execute recorded', async () => (await executedSince(mark))[0]);
      assert.equal(executed.data.sql, hidden, 'the ledger must name the DELETE that ran');
    });
  });
});

describe('a Parse the server refuses is never taken as the statement', { skip: process.env.WRIT_TEST_PG_URL === undefined ? 'needs a real PostgreSQL (WRIT_TEST_PG_URL)' : false }, () => {
  let h: GatewayHarness;
  before(async () => {
    h = await createGatewayHarness('sqlite');
  });
  after(async () => {
    await h.close();
  });

  test('a named Parse that fails on the server (no such table) can be prepared again under its name, and runs what was recorded', async () => {
    const connection = await h.grantAndConnect('read-only');
    const raw = await openRawSession(connection);
    const failed = await raw.send(Buffer.concat([serialize.parse({ name: 'p1', text: 'SELECT * FROM writ_no_such_table_anywhere' }), serialize.sync()]));
    assert.equal(failed.answers[0]?.code, '42P01');
    const mark = (await h.events()).length;
    const again = await raw.send(Buffer.concat([serialize.parse({ name: 'p1', text: "SELECT 'second' AS v" }), serialize.bind({ statement: 'p1' }), serialize.execute({}), serialize.sync()]));
    raw.end();
    assert.deepEqual(again.answers.find((answer) => answer.name === 'dataRow')?.fields, ['second']);
    const executed = await eventually('the Execute recorded', async () => (await h.eventsSince(mark, 'gateway.statement.executed'))[0]);
    assert.equal(executed.data.sql, "SELECT 'second' AS v");
  });

  test('an Execute of a name SQL PREPARE made, after a protocol Parse of it failed, is recorded as that EXECUTE, not as the failed text', async () => {
    const connection = await h.grantAndConnect('read-only');
    const raw = await openRawSession(connection);
    await raw.send(serialize.query("PREPARE q1 AS SELECT 'prepared in SQL' AS v"));
    const mark = (await h.events()).length;
    const clash = await raw.send(Buffer.concat([serialize.parse({ name: 'q1', text: 'SELECT 1 AS innocuous' }), serialize.sync()]));
    assert.equal(clash.answers[0]?.code, '42P05', 'the server refused the protocol Parse');
    const run = await raw.send(Buffer.concat([serialize.bind({ statement: 'q1' }), serialize.execute({}), serialize.sync()]));
    raw.end();
    assert.deepEqual(run.answers.find((answer) => answer.name === 'dataRow')?.fields, ['prepared in SQL']);
    const executed = await eventually('the Execute recorded', async () => (await h.eventsSince(mark, 'gateway.statement.executed'))[0]);
    assert.equal(executed.data.sql, 'EXECUTE "q1"');
  });
});
