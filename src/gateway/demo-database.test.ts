// Tests for the demo database: it starts, answers over the wire with its made-up data, and keeps what it holds across restarts.
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { DEMO_CUSTOMER_COUNT, DEMO_ORDER_COUNT, startDemoDatabase } from './demo-database.ts';
import { connectUpstream } from './postgres/upstream-connection.ts';
import type { UpstreamTarget } from './postgres/upstream-connection.ts';
import { querySession } from './postgres/testing/test-upstream.ts';

async function query(target: UpstreamTarget, sql: string): Promise<(string | null)[][]> {
  const session = await connectUpstream(target, { startupParameters: { application_name: 'writ-demo-test' }, connectTimeoutMs: 10_000 });
  try {
    const result = await querySession(session.socket, sql, session.buffered);
    assert.deepEqual(result.errors, []);
    return result.rows;
  } finally {
    session.socket.destroy();
  }
}

test('the demo database serves its customers and orders, and a restart keeps what it holds without seeding again', async () => {
  const dataDir = mkdtempSync(join(tmpdir(), 'writ-demo-'));
  const logged: string[] = [];
  const logger = { info: (_: object, message: string) => { logged.push(message); } };
  try {
    const first = await startDemoDatabase({ dataDir, logger });
    try {
      assert.equal(first.target.host, '127.0.0.1');
      const counts = await query(first.target, 'SELECT (SELECT count(*) FROM customers), (SELECT count(*) FROM orders)');
      assert.deepEqual(counts, [[String(DEMO_CUSTOMER_COUNT), String(DEMO_ORDER_COUNT)]]);
      const emails = await query(first.target, "SELECT count(*) FROM customers WHERE email NOT LIKE '%@example.com'");
      assert.deepEqual(emails, [['0']]);
      const joined = await query(first.target, 'SELECT count(DISTINCT c.id) FROM orders o JOIN customers c ON c.id = o.customer_id');
      assert.deepEqual(joined, [[String(DEMO_CUSTOMER_COUNT)]]);
      await query(first.target, "INSERT INTO customers (name, email, country, created_at) VALUES ('Zed Example', 'zed.example@example.com', 'DE', now())");
    } finally {
      await first.close();
    }
    const second = await startDemoDatabase({ dataDir, logger });
    try {
      const counts = await query(second.target, 'SELECT (SELECT count(*) FROM customers), (SELECT count(*) FROM orders)');
      assert.deepEqual(counts, [[String(DEMO_CUSTOMER_COUNT + 1), String(DEMO_ORDER_COUNT)]]);
    } finally {
      await second.close();
    }
    assert.deepEqual(logged, ['demo database created and filled', 'demo database opened']);
  } finally {
    rmSync(dataDir, { recursive: true, force: true });
  }
});
