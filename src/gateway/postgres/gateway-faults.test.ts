// Hostile input and broken neighbours: silent, garbled, oversize and crowding clients, and upstreams that are down or mute.
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import net, { type Socket } from 'node:net';
import { after, before, describe, test } from 'node:test';
import pg from 'pg';
import { serialize } from 'pg-protocol';
import { readServerError, type ErrorFields } from './backend-message-fields.ts';
import type { GatewayDeps } from './gateway-deps.ts';
import { createGatewayHarness, type GatewayConnection, type GatewayHarness } from './testing/gateway-harness.ts';
import { connectUpstream } from './upstream-connection.ts';

const BOUND_MS = 5000;
const MAX_MESSAGE_BYTES = 64 * 1024;
/** Short, but above a PGlite sign-in under a loaded test run (about 150 ms). */
const STARTUP_TIMEOUT_MS = 600;
const UPSTREAM_CONNECT_TIMEOUT_MS = 1000;

/**
 * Idle connections held open at once: 1,000, or fewer where the descriptor limit is low. Each costs two
 * descriptors in this process (the client's and the gateway's end); 256 stay free for everything else.
 */
function idleConnectionCount(): number {
  const limit = Number(execFileSync('sh', ['-c', 'ulimit -n'], { encoding: 'utf8' }).trim());
  return Number.isFinite(limit) ? Math.min(1000, Math.floor((limit - 256) / 2)) : 1000;
}
const IDLE_CONNECTIONS = idleConnectionCount();

async function waitFor(check: () => boolean | Promise<boolean>, what: string, boundMs = BOUND_MS): Promise<void> {
  const deadline = Date.now() + boundMs;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error(`${what}: still not so after ${boundMs} ms`);
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

function within<T>(promise: Promise<T>, what: string, boundMs = BOUND_MS): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const bound = new Promise<never>((_, reject) => {
    timer = setTimeout(() => { reject(new Error(`${what}: nothing within ${boundMs} ms`)); }, boundMs);
  });
  return Promise.race([promise, bound]).finally(() => { clearTimeout(timer); });
}

/** A socket whose every received byte is kept, and whose close can be awaited. */
interface Peer {
  readonly socket: Socket;
  readonly received: Buffer[];
  readonly closed: Promise<void>;
}

function watch(socket: Socket): Peer {
  const received: Buffer[] = [];
  socket.on('data', (chunk: Buffer) => { received.push(chunk); });
  socket.on('error', () => undefined);
  const closed = new Promise<void>((resolve) => socket.once('close', () => { resolve(); }));
  socket.resume();
  return { socket, received, closed };
}

async function openPeer(port: number): Promise<Peer> {
  const socket = net.connect({ host: '127.0.0.1', port });
  await new Promise<void>((resolve, reject) => socket.once('connect', resolve).once('error', reject));
  return watch(socket);
}

/** A peer signed in through SCRAM, its socket handed over after the first ReadyForQuery. */
async function signedInPeer(connection: GatewayConnection): Promise<Peer> {
  const session = await connectUpstream(
    { host: connection.host, port: connection.port, database: connection.database, user: connection.user, password: connection.password, tls: 'disable' },
    { startupParameters: {}, connectTimeoutMs: 10_000 },
  );
  return watch(session.socket);
}

/** The first ErrorResponse ('E': Int32 length, then fields) among the backend messages received. */
function firstError(received: readonly Buffer[]): ErrorFields | undefined {
  const bytes = Buffer.concat(received);
  for (let offset = 0; offset + 5 <= bytes.length; offset += 1 + bytes.readInt32BE(offset + 1)) {
    if (bytes[offset] === 0x45) return readServerError(bytes.subarray(offset + 5, offset + 1 + bytes.readInt32BE(offset + 1)));
  }
  return undefined;
}

function message(type: string, body: Buffer, declaredLength = body.length + 4): Buffer {
  const header = Buffer.alloc(5);
  header.write(type, 0, 'latin1');
  header.writeInt32BE(declaredLength, 1);
  return Buffer.concat([header, body]);
}

async function selectOne(url: string): Promise<number | undefined> {
  const client = new pg.Client({ connectionString: url, connectionTimeoutMillis: 10_000 });
  await client.connect();
  try {
    return (await client.query<{ one: number }>('SELECT 1 AS one')).rows[0]?.one;
  } finally {
    await client.end();
  }
}

/** How many refusals before authentication were counted for `reason` (in the summaries, written now). */
async function refusalCount(h: GatewayHarness, reason: string): Promise<number> {
  return (await h.refusalCounts())[reason] ?? 0;
}

describe('hostile clients', () => {
  let h: GatewayHarness;
  let connection: GatewayConnection;
  let bystander: pg.Client;
  before(async () => {
    h = await createGatewayHarness('sqlite', { settings: { startupTimeoutMs: STARTUP_TIMEOUT_MS, maxMessageBytes: MAX_MESSAGE_BYTES, maxStartingConnections: 8 } });
    connection = await h.grantAndConnect('read-only');
    bystander = new pg.Client({ connectionString: connection.url });
    await bystander.connect();
  });
  after(async () => {
    await bystander.end();
    await h.close();
  });

  /** The session opened before the attack still answers, and a new client still signs in. */
  async function assertOthersServed(): Promise<void> {
    assert.equal((await bystander.query<{ one: number }>('SELECT 1 AS one')).rows[0]?.one, 1);
    assert.equal(await selectOne(connection.url), 1);
  }

  test('a client that connects and sends nothing is closed after the startup timeout, counted as startup_timeout', async () => {
    const before = await refusalCount(h, 'startup_timeout');
    const silent = await openPeer(h.gateway.address.port);
    const slow = await openPeer(h.gateway.address.port);
    slow.socket.write(serialize.startup({ user: 'alice', database: 'pg-dev' }).subarray(0, 12));
    await within(Promise.all([silent.closed, slow.closed]), 'the gateway closing clients that never finish their startup');
    await waitFor(async () => (await refusalCount(h, 'startup_timeout')) >= before + 2, 'two refusals counted');
    assert.equal(await refusalCount(h, 'startup_timeout'), before + 2);
    await assertOthersServed();
  });

  const startupAttacks: readonly (readonly [string, Buffer])[] = [
    ['an HTTP request', Buffer.from('GET / HTTP/1.1\r\nHost: writ\r\n\r\n')],
    ['a startup length shorter than its header', Buffer.from([0, 0, 0, 4, 0, 3, 0, 0])],
    ['protocol version 2.0', Buffer.concat([Buffer.from([0, 0, 0, 23, 0, 2, 0, 0]), Buffer.from('user\0alice\0\0', 'latin1'), Buffer.alloc(3)])],
    ['protocol version 4.0', message('\0', Buffer.from('\0\x04\0\0user\0alice\0\0', 'latin1')).subarray(1)],
    ['an oversize startup packet', Buffer.concat([Buffer.from([0, 0, 0x4e, 0x20, 0, 3, 0, 0]), Buffer.alloc(19_992, 0x61)])],
  ];
  for (const [what, bytes] of startupAttacks) {
    test(`${what} instead of a startup packet: FATAL 08P01, closed, counted; others unaffected`, async () => {
      const before = await refusalCount(h, 'protocol_error');
      const peer = await openPeer(h.gateway.address.port);
      peer.socket.write(bytes);
      await within(peer.closed, 'the gateway closing the connection');
      const error = firstError(peer.received);
      assert.equal(error?.severity, 'FATAL');
      assert.equal(error.sqlState, '08P01');
      await waitFor(async () => (await refusalCount(h, 'protocol_error')) > before, 'the refusal counted');
      await assertOthersServed();
    });
  }

  test('a message over maxMessageBytes after sign-in: FATAL 08P01, the session ends as protocol_error; others unaffected', async () => {
    const peer = await signedInPeer(connection);
    peer.socket.write(message('Q', Buffer.alloc(4096, 0x20), MAX_MESSAGE_BYTES + 1));
    await within(peer.closed, 'the gateway closing the session');
    const error = firstError(peer.received);
    assert.equal(error?.severity, 'FATAL');
    assert.equal(error.sqlState, '08P01');
    assert.match(error.message, /limit is 65536/);
    await waitFor(async () => (await h.events('gateway.session.ended')).some((event) => event.data.endReason === 'protocol_error'), 'the end recorded');
    await assertOthersServed();
  });

  test('an unknown message type after sign-in: FATAL 08P01 and closed', async () => {
    const peer = await signedInPeer(connection);
    peer.socket.write(message('!', Buffer.from('junk')));
    await within(peer.closed, 'the gateway closing the session');
    assert.equal(firstError(peer.received)?.sqlState, '08P01');
    await assertOthersServed();
  });

  test('a truncated message followed by close, in startup and after sign-in: the gateway lets go of both; others unaffected', async () => {
    const starting = await openPeer(h.gateway.address.port);
    starting.socket.end(serialize.startup({ user: 'alice', database: 'pg-dev' }).subarray(0, 10));
    const signedIn = await signedInPeer(connection);
    const sessionsBefore = h.gateway.registry.size;
    signedIn.socket.end(message('Q', Buffer.from('SELECT 1', 'latin1'), 100));
    await within(Promise.all([starting.closed, signedIn.closed]), 'both connections closed');
    await waitFor(() => h.gateway.registry.size === sessionsBefore - 1, 'the truncated session removed from the registry');
    await assertOthersServed();
  });
});

/** Listens on a free port; `hold` keeps each connection without a word, `proxy` relays to `target` once released. */
async function startNeighbour(mode: 'hold' | { proxyTo: { host: string; port: number } }): Promise<{ port: number; accepted: Socket[]; release(): void; close(): Promise<void> }> {
  const accepted: Socket[] = [];
  let released = false;
  const relay = (inbound: Socket): void => {
    if (mode === 'hold') return;
    const outbound = net.connect(mode.proxyTo);
    outbound.on('error', () => inbound.destroy());
    inbound.on('close', () => outbound.destroy());
    outbound.on('close', () => inbound.destroy());
    inbound.pipe(outbound);
    outbound.pipe(inbound);
    inbound.resume();
  };
  const server = net.createServer({ pauseOnConnect: true }, (socket) => {
    socket.on('error', () => undefined);
    accepted.push(socket);
    // A held connection still reads (and drops) what comes, so that its close is seen.
    if (mode === 'hold') socket.resume();
    else if (released) relay(socket);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    port: (server.address() as net.AddressInfo).port,
    accepted,
    release() {
      released = true;
      for (const socket of accepted) relay(socket);
    },
    async close() {
      for (const socket of accepted) socket.destroy();
      await new Promise<void>((resolve) => server.close(() => { resolve(); }));
    },
  };
}

describe('crowds and broken upstreams', () => {
  const MAX_STARTING = IDLE_CONNECTIONS + 10;
  let h: GatewayHarness;
  let connection: GatewayConnection;
  /** Where pg-dev's upstream is redirected to while a test sets it. */
  let redirect: { host: string; port: number } | undefined;
  const withRedirect = (base: GatewayDeps): GatewayDeps => ({
    ...base,
    resource: (id) => {
      const resource = base.resource(id);
      if (resource === undefined) return undefined;
      return { ...resource, upstream: async (level) => ({ ...(await resource.upstream(level)), ...redirect }) };
    },
  });
  before(async () => {
    h = await createGatewayHarness('sqlite', {
      settings: { startupTimeoutMs: 30_000, upstreamConnectTimeoutMs: UPSTREAM_CONNECT_TIMEOUT_MS, maxMessageBytes: MAX_MESSAGE_BYTES, maxStartingConnections: MAX_STARTING, maxStartingPerSource: MAX_STARTING + 1 },
      deps: withRedirect,
    });
    connection = await h.grantAndConnect('read-only');
  });
  after(async () => {
    await h.close();
  });

  test(`${IDLE_CONNECTIONS} idle connections held open; a client still signs in and queries; one past maxStartingConnections gets 53300`, async () => {
    const established = new pg.Client({ connectionString: connection.url });
    await established.connect();
    const idle: Peer[] = [];
    try {
      for (let batch = 0; batch < IDLE_CONNECTIONS; batch += 100) {
        idle.push(...(await Promise.all(Array.from({ length: Math.min(100, IDLE_CONNECTIONS - batch) }, () => openPeer(h.gateway.address.port)))));
      }
      assert.equal(await selectOne(connection.url), 1, 'a normal client signs in among the idle crowd');
      for (let extra = idle.length; extra < MAX_STARTING; extra++) idle.push(await openPeer(h.gateway.address.port));
      const refused = await openPeer(h.gateway.address.port);
      await within(refused.closed, 'the connection past the limit being closed');
      assert.equal(firstError(refused.received)?.sqlState, '53300');
      assert.ok(idle.every((peer) => peer.received.length === 0 && !peer.socket.destroyed), 'the connections within the limit were held, not refused');
      await waitFor(async () => (await refusalCount(h, 'too_many_connections')) > 0, 'too_many_connections counted');
      assert.equal((await established.query<{ one: number }>('SELECT 1 AS one')).rows[0]?.one, 1, 'an established session is not starved');
    } finally {
      for (const peer of idle) peer.socket.destroy();
      await established.end();
    }
  });

  test('an upstream that refuses TCP: FATAL 08001 naming the resource, at once', async () => {
    redirect = { host: '127.0.0.1', port: 1 };
    const client = new pg.Client({ connectionString: connection.url, connectionTimeoutMillis: 10_000 });
    try {
      const failure = await within(client.connect().then(() => undefined, (error: unknown) => error as { code?: string; message: string }), 'the refusal');
      assert.equal(failure?.code, '08001');
      assert.match(failure.message, /could not connect to pg-dev/);
      assert.equal((await h.events('gateway.connection.refused')).at(-1)?.data.reason, 'upstream_unavailable');
    } finally {
      redirect = undefined;
    }
  });

  test('an upstream that accepts TCP and never answers: FATAL 08001 after upstreamConnectTimeoutMs', async () => {
    const mute = await startNeighbour('hold');
    redirect = { host: '127.0.0.1', port: mute.port };
    const client = new pg.Client({ connectionString: connection.url, connectionTimeoutMillis: 10_000 });
    try {
      const failure = await within(client.connect().then(() => undefined, (error: unknown) => error as { code?: string; message: string }), 'the refusal');
      assert.equal(failure?.code, '08001');
      assert.match(failure.message, new RegExp(`could not connect to pg-dev: .*did not answer within ${UPSTREAM_CONNECT_TIMEOUT_MS} ms`));
      assert.equal(mute.accepted.length, 1);
      await waitFor(() => mute.accepted[0]?.destroyed === true || mute.accepted[0]?.readableEnded === true, 'the gateway letting go of the mute upstream');
    } finally {
      redirect = undefined;
      await mute.close();
    }
  });

  test('a client that leaves while its upstream is still connecting leaves no session and no upstream connection behind', async () => {
    const slow = await startNeighbour({ proxyTo: { host: h.upstream.target.host, port: h.upstream.target.port } });
    redirect = { host: '127.0.0.1', port: slow.port };
    const leaving = new AbortController();
    const attempt = connectUpstream(
      { host: connection.host, port: connection.port, database: connection.database, user: connection.user, password: connection.password, tls: 'disable' },
      { startupParameters: {}, connectTimeoutMs: 10_000, signal: leaving.signal },
    ).catch(() => undefined);
    try {
      await waitFor(() => slow.accepted.length === 1, 'the gateway connecting upstream');
      leaving.abort();
      await attempt;
      slow.release();
      await waitFor(() => slow.accepted[0]?.destroyed === true, 'the upstream connection of the departed client closed');
      assert.equal(h.gateway.registry.size, 0, 'no live session for a client that is gone');
    } finally {
      redirect = undefined;
      await slow.close();
    }
  });

  test('closing the gateway does not wait for connections still in their startup', async () => {
    const halfOpen = await openPeer(h.gateway.address.port);
    await within(h.gateway.close(), 'the gateway closing (its startup timeout is 30 s)');
    await within(halfOpen.closed, 'the half-open connection closed');
  });
});
