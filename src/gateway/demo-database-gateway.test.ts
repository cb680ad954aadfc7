// The demo database behind the gateway: a revocation cuts a demo session even while its query sleeps, as it would cut one on a real database.
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { setTimeout as delay } from 'node:timers/promises';
import pg from 'pg';
import { startDemoDatabase } from './demo-database.ts';
import { createGatewayHarness } from './postgres/testing/gateway-harness.ts';
import type { TestUpstream } from './postgres/testing/test-upstream.ts';

async function demoUpstream(dataDir: string): Promise<TestUpstream> {
  const demo = await startDemoDatabase({ dataDir, logger: { info: () => undefined, error: () => undefined } });
  const { host, port, database, user } = demo.target;
  return { target: demo.target, url: `postgres://${user}@${host}:${port}/${database}`, kind: 'pglite', close: () => demo.close() };
}

test('revoking a grant cuts its demo session with 57P01 while the session\'s pg_sleep still runs', async () => {
  const dataDir = mkdtempSync(join(tmpdir(), 'writ-demo-gateway-'));
  const h = await createGatewayHarness('sqlite', { upstream: () => demoUpstream(dataDir) });
  try {
    const connection = await h.grantAndConnect('read-only');
    const client = new pg.Client({ connectionString: connection.url, connectionTimeoutMillis: 10_000 });
    client.on('error', () => undefined);
    await client.connect();
    const order: string[] = [];
    const sleep = client.query('SELECT pg_sleep(5)').then(
      () => order.push('sleep ended'),
      (error: unknown) => order.push(`cut ${String((error as { code?: string }).code)}`),
    );
    // The statement is audited and forwarded meanwhile; were the demo database on this thread, the revocation would wait for it.
    await delay(300);
    const revoked = await h.api.call('POST', `/api/v1/grants/${connection.grantId}/revoke`, { token: h.api.tokens.bob, body: { reason: 'demo test: revoke' } });
    assert.equal(revoked.status, 200, JSON.stringify(revoked.body));
    order.push('revoked');
    await h.gateway.checkGrants();
    await sleep;
    assert.deepEqual(order, ['revoked', 'cut 57P01']);
  } finally {
    await h.close();
    rmSync(dataDir, { recursive: true, force: true });
  }
});
