// Tests for the demo database: it starts, answers over the wire with its made-up data, keeps what it holds across restarts, and runs off the main thread.
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { createServer, get } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { setTimeout as delay } from 'node:timers/promises';
import pg from 'pg';
import { DEMO_CUSTOMER_COUNT, DEMO_ORDER_COUNT, startDemoDatabase } from './demo-database.ts';
import type { DemoDatabase } from './demo-database.ts';
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
  const logger = { info: (_: object, message: string) => { logged.push(message); }, error: (_: object, message: string) => { logged.push(message); } };
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

const quietLogger = { info: () => undefined, error: () => undefined };

async function withDataDir(use: (dataDir: string) => Promise<void>): Promise<void> {
  const dataDir = mkdtempSync(join(tmpdir(), 'writ-demo-'));
  try {
    await use(dataDir);
  } finally {
    rmSync(dataDir, { recursive: true, force: true });
  }
}

function clientOf(demo: DemoDatabase): pg.Client {
  const { host, port, database, user } = demo.target;
  return new pg.Client({ host, port, database, user });
}

/** One GET to a tiny HTTP server on this thread: it can answer only while this thread's event loop runs. */
async function httpRoundTrip(): Promise<void> {
  const server = createServer((_, response) => response.end('ok'));
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  try {
    const { port } = server.address() as AddressInfo;
    await new Promise<void>((resolve, reject) => {
      get({ host: '127.0.0.1', port, path: '/' }, (response) => {
        response.resume().on('end', resolve);
      }).on('error', reject);
    });
  } finally {
    await new Promise((resolve) => server.close(resolve));
  }
}

test('a long query on the demo database leaves the main thread free: a timer and an HTTP round trip complete while pg_sleep runs', async () => {
  await withDataDir(async (dataDir) => {
    const demo = await startDemoDatabase({ dataDir, logger: quietLogger });
    const client = clientOf(demo);
    try {
      await client.connect();
      const order: string[] = [];
      const sleep = client.query('SELECT pg_sleep(5)').then(() => order.push('sleep ended'));
      // The query reaches the demo database meanwhile; were it on this thread, the timer would wait for the sleep.
      await delay(300);
      order.push('timer fired');
      await httpRoundTrip();
      order.push('http answered');
      await sleep;
      assert.deepEqual(order, ['timer fired', 'http answered', 'sleep ended']);
    } finally {
      await client.end();
      await demo.close();
    }
  });
});

test('closing the demo database while a query runs finishes, ends the query\'s connection, and keeps what was committed', async () => {
  await withDataDir(async (dataDir) => {
    const demo = await startDemoDatabase({ dataDir, logger: quietLogger });
    const client = clientOf(demo);
    client.on('error', () => undefined);
    await client.connect();
    await client.query("INSERT INTO customers (name, email, country, created_at) VALUES ('Zed Example', 'zed.example@example.com', 'DE', now())");
    const sleep = client.query('SELECT pg_sleep(60)').then(
      () => 'query finished',
      () => 'connection ended',
    );
    await delay(300);
    const deadline = new AbortController();
    const closed = await Promise.race([
      demo.close().then(() => 'closed'),
      delay(30_000, 'still closing after 30 s', { signal: deadline.signal }).catch(() => 'aborted'),
    ]);
    deadline.abort();
    assert.equal(closed, 'closed');
    assert.equal(await sleep, 'connection ended');
    const reopened = await startDemoDatabase({ dataDir, logger: quietLogger });
    try {
      const counts = await query(reopened.target, 'SELECT count(*) FROM customers');
      assert.deepEqual(counts, [[String(DEMO_CUSTOMER_COUNT + 1)]]);
    } finally {
      await reopened.close();
    }
  });
});

test('a demo database that cannot listen fails to start with the error, and leaves no thread behind', async () => {
  await withDataDir(async (dataDir) => {
    const taken = createServer();
    await new Promise<void>((resolve) => taken.listen(0, '127.0.0.1', resolve));
    try {
      const { port } = taken.address() as AddressInfo;
      await assert.rejects(startDemoDatabase({ dataDir, port, logger: quietLogger }), /EADDRINUSE/);
    } finally {
      await new Promise((resolve) => taken.close(resolve));
    }
  });
});
