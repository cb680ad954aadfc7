// Tests for cancelling an upstream query: a real pg_sleep ends with 57014; the request's bytes; unreachable and silent servers.
import assert from 'node:assert/strict';
import net from 'node:net';
import { after, before, test } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';
import { generate } from 'selfsigned';
import { buildCancelRequest, CANCEL_REQUEST_CODE, cancelUpstreamQuery } from './upstream-cancel.ts';
import { connectUpstream } from './upstream-connection.ts';
import { isUpstreamError } from './upstream-error.ts';
import { startFakeUpstream } from './testing/fake-upstream.ts';
import { queryTestUpstream, querySession, startTestUpstream } from './testing/test-upstream.ts';
import type { TestUpstream } from './testing/test-upstream.ts';

let upstream: TestUpstream;
before(async () => {
  upstream = await startTestUpstream();
});
after(async () => {
  await upstream.close();
});

const key = { processId: 4242, secretKey: Buffer.from([0xde, 0xad, 0xbe, 0xef]) };

/** Waits until the backend `pid` runs a statement, as pg_stat_activity shows it. */
async function untilActive(pid: number): Promise<void> {
  for (;;) {
    const result = await queryTestUpstream(upstream, `SELECT 1 FROM pg_stat_activity WHERE pid = ${pid} AND state = 'active' AND query LIKE '%pg_sleep%'`);
    if (result.rowCount === 1) return;
    await sleep(20);
  }
}

test('CancelRequest: length, code 80877102, process id, secret key', () => {
  assert.deepEqual(buildCancelRequest(key), Buffer.from('00000010' + '04d2162e' + '00001092' + 'deadbeef', 'hex'));
  assert.equal(CANCEL_REQUEST_CODE, (1234 << 16) | 5678);
  assert.equal(buildCancelRequest({ processId: 1, secretKey: Buffer.alloc(32, 7) }).readInt32BE(0), 44);
});

test('a running pg_sleep is cancelled and the session reports 57014', async (t) => {
  if (upstream.kind === 'pglite') {
    t.skip('pglite-socket reads a CancelRequest and ignores it, and PGlite runs one statement at a time: a running query cannot be interrupted');
    return;
  }
  const session = await connectUpstream(upstream.target, { startupParameters: {}, connectTimeoutMs: 10_000 });
  try {
    assert.ok(session.backendKey !== undefined);
    const running = querySession(session.socket, 'SELECT pg_sleep(30)', session.buffered);
    await untilActive(session.backendKey.processId);
    await cancelUpstreamQuery(upstream.target, session.backendKey, 5000);
    const result = await running;
    assert.deepEqual(result.errors.map((error) => error.sqlState), ['57014']);
    assert.equal(result.transactionStatus, 'I');
    assert.deepEqual((await querySession(session.socket, 'SELECT 1')).rows, [['1']]);
  } finally {
    session.socket.destroy();
  }
});

test('the request is sent and the call returns once the server closes, over TLS when the target requires it', async () => {
  const now = new Date();
  const pems = await generate([{ name: 'commonName', value: 'localhost' }], { keyType: 'ec', curve: 'P-256', notBeforeDate: now, notAfterDate: new Date(now.getTime() + 86_400_000) });
  for (const tls of [undefined, 'require'] as const) {
    const fake = await startFakeUpstream({ auth: { method: 'trust' }, tls: { key: pems.private, cert: pems.cert } });
    try {
      await cancelUpstreamQuery({ host: '127.0.0.1', port: fake.port, ...(tls === undefined ? {} : { tls }) }, key, 5000);
      assert.equal(fake.tlsSessions, tls === undefined ? 0 : 1);
      await fake.disconnected;
    } finally {
      await fake.close();
    }
  }
});

test('a closed port is unreachable, and a server that never closes times out', async () => {
  const server = net.createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as net.AddressInfo;
  await new Promise<void>((resolve) => server.close(() => { resolve(); }));
  await assert.rejects(cancelUpstreamQuery({ host: '127.0.0.1', port }, key, 5000), (error) => isUpstreamError(error, 'unreachable'));

  const silent = await startFakeUpstream({ auth: { method: 'trust' }, misbehaviour: 'silent' });
  try {
    await assert.rejects(
      cancelUpstreamQuery({ host: '127.0.0.1', port: silent.port }, key, 200),
      (error) => isUpstreamError(error, 'timeout') && error.message.includes('within 200 ms'),
    );
    await silent.disconnected;
  } finally {
    await silent.close();
  }
});
