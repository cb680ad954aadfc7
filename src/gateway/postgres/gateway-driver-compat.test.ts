// Behaving like PostgreSQL toward real drivers: one FATAL when the server ends a backend, a silent close before startup, the server's own syntax errors.
import assert from 'node:assert/strict';
import net from 'node:net';
import { after, before, describe, test } from 'node:test';
import pg from 'pg';
import { serialize } from 'pg-protocol';
import { createGatewayHarness, type GatewayConnection, type GatewayHarness } from './testing/gateway-harness.ts';
import { openRawSession } from './testing/raw-session.ts';
import { queryTestUpstream } from './testing/test-upstream.ts';

describe('driver compatibility', () => {
  let h: GatewayHarness;
  let readWrite: GatewayConnection;
  before(async () => {
    h = await createGatewayHarness('sqlite');
    readWrite = await h.grantAndConnect('read-write');
  });
  after(async () => {
    await h.close();
  });

  test('a client that sends Terminate before its startup packet (connect, then end at once) is closed without an answer, as PostgreSQL does', async () => {
    const received = await new Promise<Buffer>((resolve, reject) => {
      const chunks: Buffer[] = [];
      const socket = net.connect({ host: readWrite.host, port: readWrite.port }, () => { socket.write(serialize.end()); });
      socket.on('data', (chunk: Buffer) => chunks.push(chunk));
      socket.on('error', reject);
      socket.on('close', () => { resolve(Buffer.concat(chunks)); });
      setTimeout(() => { reject(new Error('the gateway did not close the connection')); }, 10_000).unref();
    });
    assert.equal(received.length, 0, `nothing is sent back (got ${received.toString('latin1')})`);
    // node-postgres's connect() then end(): as against PostgreSQL, end() resolves and no error surfaces (connect() never settles).
    const c = new pg.Client({ connectionString: readWrite.url });
    const errors: unknown[] = [];
    c.on('error', (error) => errors.push(error));
    c.connect().catch((error: unknown) => errors.push(error));
    await c.end();
    await new Promise((resolve) => setImmediate(resolve));
    assert.deepEqual(errors, [], 'node-postgres raised no error');
  });

  test('when the server ends the backend, the client gets its FATAL once and no second one made up by Writ', async (t) => {
    if (h.upstream.kind !== 'postgres') {
      t.skip('PGlite has one backend and cannot terminate it: real PostgreSQL only (WRIT_TEST_PG_URL)');
      return;
    }
    const raw = await openRawSession(readWrite);
    const pid = (await raw.send(serialize.query('SELECT pg_backend_pid()'))).answers.find((answer) => answer.name === 'dataRow')?.fields?.[0];
    assert.ok(pid !== undefined && pid !== null);
    const ended = raw.send(Buffer.alloc(0), 1);
    await queryTestUpstream(h.upstream, `SELECT pg_terminate_backend(${Number(pid)})`);
    const { answers, closed } = await ended;
    assert.equal(closed, true);
    const errors = answers.filter((answer) => answer.name === 'error');
    assert.deepEqual(errors.map((error) => [error.severity, error.code]), [['FATAL', '57P01']]);

    // node-postgres itself raises the server's 57P01 and then its own "Connection terminated unexpectedly": the same through Writ as directly.
    const terminationEvents = async (url: string): Promise<string[]> => {
      const c = new pg.Client({ connectionString: url });
      const events: string[] = [];
      c.on('error', (error: Error & { code?: string }) => events.push(error.code ?? error.message));
      await c.connect();
      const backend = (await c.query<{ pid: number }>('SELECT pg_backend_pid() AS pid')).rows[0]?.pid;
      const closedClient = new Promise<void>((resolve) => c.once('end', resolve));
      await queryTestUpstream(h.upstream, `SELECT pg_terminate_backend(${Number(backend)})`);
      await closedClient;
      return events;
    };
    const direct = await terminationEvents(h.upstream.url);
    assert.equal(direct[0], '57P01');
    assert.deepEqual(await terminationEvents(readWrite.url), direct);
  });

  test('on a level with neither read-only nor guardrails, text Writ cannot parse goes to the server, whose syntax error keeps its position', async () => {
    const policy = await h.api.call('GET', '/api/v1/policy', { token: h.api.tokens.admin });
    const text = String((policy.body as { text?: unknown }).text);
    const start = text.indexOf('  - id: pg-dev');
    const guardrails = text.indexOf('    guardrails:', start);
    const levels = text.indexOf('    levels:', start);
    const plain = text.slice(0, guardrails) + text.slice(levels);
    const applied = await h.api.call('PUT', '/api/v1/policy', { token: h.api.tokens.admin, body: { text: plain, fileName: 'no-guardrails.policy.yaml' } });
    assert.equal(applied.status, 200, JSON.stringify(applied.body));
    try {
      const c = new pg.Client({ connectionString: readWrite.url });
      await c.connect();
      try {
        const error = await c.query('SELECT 1 FROMM nowhere').then(() => undefined, (failure: unknown) => failure as { code?: string; position?: string; message?: string });
        assert.equal(error?.code, '42601');
        assert.equal(error.position, '16', 'the server points at the bad word (FROMM reads as a column alias)');
        assert.match(String(error.message), /syntax error at or near "nowhere"/);
      } finally {
        await c.end();
      }
      const executed = (await h.events('gateway.statement.executed')).find((event) => event.data.sql === 'SELECT 1 FROMM nowhere');
      assert.deepEqual(executed?.data.statementKinds, [], 'recorded as forwarded, with no kinds Writ could name');
    } finally {
      const restored = await h.api.call('PUT', '/api/v1/policy', { token: h.api.tokens.admin, body: { text, fileName: 'gateway-test.policy.yaml' } });
      assert.equal(restored.status, 200);
    }
  });
});
