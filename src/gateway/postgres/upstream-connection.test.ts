// Tests for connectUpstream against the test server (PostgreSQL from WRIT_TEST_PG_URL, or PGlite) and against scripted fakes.
import assert from 'node:assert/strict';
import net from 'node:net';
import { after, before, test } from 'node:test';
import { connectUpstream } from './upstream-connection.ts';
import type { UpstreamSession, UpstreamTarget } from './upstream-connection.ts';
import { isUpstreamError } from './upstream-error.ts';
import { FAKE_NOTICE, startFakeUpstream } from './testing/fake-upstream.ts';
import { querySession, startTestUpstream } from './testing/test-upstream.ts';
import type { TestUpstream } from './testing/test-upstream.ts';

let upstream: TestUpstream;
before(async () => {
  upstream = await startTestUpstream();
});
after(async () => {
  await upstream.close();
});

const options = { startupParameters: { application_name: 'writ-upstream-test' }, connectTimeoutMs: 10_000 };

async function withSession<T>(session: UpstreamSession, use: (session: UpstreamSession) => T | Promise<T>): Promise<T> {
  try {
    return await use(session);
  } finally {
    session.socket.destroy();
  }
}

/** A port nothing listens on: one the OS just handed out and that was closed again. */
async function closedPort(): Promise<number> {
  const server = net.createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as net.AddressInfo;
  await new Promise<void>((resolve) => server.close(() => { resolve(); }));
  return port;
}

test('the session is ready: server parameters, a backend key, idle, and a socket handed over paused with no listeners', async () => {
  await withSession(await connectUpstream(upstream.target, options), (session) => {
    assert.match(session.parameters.get('server_version') ?? '', /^\d+/);
    assert.equal(session.parameters.get('client_encoding'), 'UTF8');
    assert.equal(session.transactionStatus, 'I');
    assert.equal(session.tls, false);
    assert.ok(session.backendKey !== undefined && session.backendKey.secretKey.length >= 4);
    assert.equal(session.socket.isPaused(), true);
    for (const event of ['data', 'error', 'close', 'connect', 'readable', 'timeout']) assert.equal(session.socket.listenerCount(event), 0, event);
  });
});

test('a simple query relayed by hand over the returned socket comes back', async () => {
  await withSession(await connectUpstream(upstream.target, options), async (session) => {
    const result = await querySession(session.socket, "SELECT 40 + 2 AS answer, 'writ' AS name", session.buffered);
    assert.deepEqual(result.rows, [['42', 'writ']]);
    assert.deepEqual(result.tags, ['SELECT 1']);
    assert.equal(result.transactionStatus, 'I');
    const second = await querySession(session.socket, 'SELECT generate_series(1, 3)');
    assert.deepEqual(second.rows, [['1'], ['2'], ['3']]);
  });
});

test('initial statements run before the session is handed over', async () => {
  const initialStatements = ['SET SESSION CHARACTERISTICS AS TRANSACTION READ ONLY', "SET statement_timeout = '17s'"];
  await withSession(await connectUpstream(upstream.target, { ...options, initialStatements }), async (session) => {
    assert.equal(session.transactionStatus, 'I');
    const readOnly = await querySession(session.socket, 'SHOW transaction_read_only', session.buffered);
    assert.deepEqual(readOnly.rows, [['on']]);
    const timeout = await querySession(session.socket, 'SHOW statement_timeout');
    assert.deepEqual(timeout.rows, [['17s']]);
    // PGlite serves every connection from one session: leave it as it was for the other tests.
    await querySession(session.socket, 'SET SESSION CHARACTERISTICS AS TRANSACTION READ WRITE; RESET statement_timeout');
  });
});

test('a failing initial statement rejects the connection with its SQLSTATE', async () => {
  await assert.rejects(
    connectUpstream(upstream.target, { ...options, initialStatements: ['SELECT 1', 'SELECT * FROM writ_no_such_table'] }),
    (error) => isUpstreamError(error, 'rejected') && error.sqlState === '42P01' && /initial statement "SELECT \* FROM writ_no_such_table"/.test(error.message),
  );
});

test('startup parameters reach the server', async (t) => {
  if (upstream.kind === 'pglite') {
    t.skip('PGlite answers the StartupMessage without reading its parameters (application_name stays empty)');
    return;
  }
  await withSession(await connectUpstream(upstream.target, options), (session) => {
    assert.equal(session.parameters.get('application_name'), 'writ-upstream-test');
  });
});

test('an unknown database is refused with 3D000', async (t) => {
  if (upstream.kind === 'pglite') {
    t.skip('PGlite serves its one database whatever the StartupMessage names');
    return;
  }
  await assert.rejects(
    connectUpstream({ ...upstream.target, database: 'writ_no_such_database' }, options),
    (error) => isUpstreamError(error, 'rejected') && error.sqlState === '3D000' && error.message.includes('writ_no_such_database'),
  );
});

test('a closed port is unreachable', async () => {
  const target: UpstreamTarget = { ...upstream.target, host: '127.0.0.1', port: await closedPort() };
  await assert.rejects(connectUpstream(target, options), (error) => isUpstreamError(error, 'unreachable') && /refused the connection \(ECONNREFUSED\)/.test(error.message));
});

test('a server that accepts TCP and never answers times out, and the socket is closed', async () => {
  const fake = await startFakeUpstream({ auth: { method: 'trust' }, misbehaviour: 'silent' });
  try {
    const target: UpstreamTarget = { ...upstream.target, host: '127.0.0.1', port: fake.port };
    await assert.rejects(
      connectUpstream(target, { ...options, connectTimeoutMs: 200 }),
      (error) => isUpstreamError(error, 'timeout') && error.message.includes('did not answer within 200 ms (while authenticating)'),
    );
    await fake.disconnected;
  } finally {
    await fake.close();
  }
});

test('aborting stops the attempt with the signal reason and closes the socket', async () => {
  const fake = await startFakeUpstream({ auth: { method: 'trust' }, misbehaviour: 'silent' });
  try {
    const controller = new AbortController();
    const attempt = connectUpstream({ ...upstream.target, host: '127.0.0.1', port: fake.port }, { ...options, signal: controller.signal });
    await fake.connected;
    controller.abort(new Error('the client went away'));
    await assert.rejects(attempt, /the client went away/);
    await fake.disconnected;
    await assert.rejects(connectUpstream(upstream.target, { ...options, signal: controller.signal }), /the client went away/);
  } finally {
    await fake.close();
  }
});

test('bytes behind the last ReadyForQuery are handed over as buffered', async () => {
  const fake = await startFakeUpstream({ auth: { method: 'trust' }, misbehaviour: 'notice-after-ready' });
  try {
    const session = await connectUpstream({ ...upstream.target, host: '127.0.0.1', port: fake.port }, options);
    session.socket.destroy();
    assert.deepEqual(session.buffered, FAKE_NOTICE);
    assert.equal(session.parameters.get('server_version'), '16.4 (Writ fake)');
    assert.deepEqual(session.backendKey, { processId: 4242, secretKey: Buffer.from([1, 2, 3, 4]) });
  } finally {
    await fake.close();
  }
});

test('startup parameters go out as given, and user and database stay the target\'s', async () => {
  const fake = await startFakeUpstream({ auth: { method: 'trust' } });
  try {
    const target: UpstreamTarget = { host: '127.0.0.1', port: fake.port, user: 'alice', database: 'shop', tls: 'disable' };
    const startupParameters = { application_name: 'writ', client_encoding: 'LATIN1', DateStyle: 'ISO, DMY' };
    (await connectUpstream(target, { ...options, startupParameters })).socket.destroy();
    assert.deepEqual(Object.fromEntries(fake.startups[0] ?? []), { user: 'alice', database: 'shop', ...startupParameters });
    await assert.rejects(connectUpstream(target, { ...options, startupParameters: { user: 'postgres' } }), TypeError);
    await assert.rejects(connectUpstream(target, { ...options, startupParameters: { replication: 'database' } }), TypeError);
    await assert.rejects(connectUpstream(target, { ...options, startupParameters: { options: 'a\0b' } }), TypeError);
    assert.equal(fake.startups.length, 1);
  } finally {
    await fake.close();
  }
});
