// Found by issue 11's attacker's pass: plain statements that destroyed data past the harness's read-write guardrails
// (no-drop: drop, truncate; no-unbounded-delete: delete, update without WHERE): a MERGE that deletes every row, and
// ALTER TABLE ... DROP COLUMN. Both are refused now (statement-facts.ts).
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import pg from 'pg';
import { createGatewayHarness, type GatewayHarness } from './testing/gateway-harness.ts';
import { sqlStateOf } from './testing/gateway-test-helpers.ts';
import { queryTestUpstream, withScratchTable } from './testing/test-upstream.ts';

describe('attack: data destroyed on the read-write level past its guardrails', { skip: process.env.WRIT_TEST_PG_URL === undefined ? 'needs a real PostgreSQL (WRIT_TEST_PG_URL)' : false }, () => {
  let h: GatewayHarness;
  let client: pg.Client;
  before(async () => {
    h = await createGatewayHarness('sqlite');
    const connection = await h.grantAndConnect('read-write');
    client = new pg.Client({ connectionString: connection.url });
    await client.connect();
  });
  after(async () => {
    await client.end();
    await h.close();
  });

  test('MERGE ... ON true WHEN MATCHED THEN DELETE (every row) is refused like DELETE without WHERE', async () => {
    await withScratchTable(h.upstream, 'id int', async (table) => {
      await queryTestUpstream(h.upstream, `INSERT INTO ${table} SELECT generate_series(1, 5)`);
      assert.equal(await sqlStateOf(client.query(`DELETE FROM ${table}`)), '42501', 'the guardrail refuses the plain form');
      const state = await sqlStateOf(client.query(`MERGE INTO ${table} USING (SELECT 1) AS s ON true WHEN MATCHED THEN DELETE`));
      const left = await queryTestUpstream(h.upstream, `SELECT count(*)::int AS n FROM ${table}`);
      assert.equal((left.rows[0] as { n: number } | undefined)?.n, 5, `no row may be deleted (the MERGE answered ${String(state)})`);
      assert.equal(state, '42501');
    });
  });

  test('ALTER TABLE ... DROP COLUMN (the column\'s data is gone) is refused by no-drop', async () => {
    await withScratchTable(h.upstream, 'id int, payload text', async (table) => {
      const state = await sqlStateOf(client.query(`ALTER TABLE ${table} DROP COLUMN payload`));
      const columns = await queryTestUpstream(h.upstream, `SELECT count(*)::int AS n FROM information_schema.columns WHERE table_name = '${table}'`);
      assert.equal((columns.rows[0] as { n: number } | undefined)?.n, 2, `the column must still be there (the ALTER answered ${String(state)})`);
      assert.equal(state, '42501');
    });
  });
});
