// Unauthenticated denial of service: oversize sign-in messages, per-source limits, summarised refusals, throttled sign-ins.
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import net, { type Socket } from 'node:net';
import { after, before, describe, test } from 'node:test';
import pg from 'pg';
import { serialize } from 'pg-protocol';
import { defaultLoginThrottle } from '../../identity/login-throttle.ts';
import { readServerError, type ErrorFields } from './backend-message-fields.ts';
import { createGatewayHarness, type GatewayConnection, type GatewayHarness } from './testing/gateway-harness.ts';
import { sqlStateOf } from './testing/gateway-test-helpers.ts';

const BOUND_MS = 10_000;
const FLOOD_ADDRESS = '127.0.0.2';
const GARBAGE_ADDRESS = '127.0.0.3';

/** 1,000 sockets, or fewer where the descriptor limit is low (each costs two descriptors here). */
function floodSize(): number {
  const limit = Number(execFileSync('sh', ['-c', 'ulimit -n'], { encoding: 'utf8' }).trim());
  return Number.isFinite(limit) ? Math.min(1000, Math.floor((limit - 256) / 2)) : 1000;
}

async function waitFor(check: () => boolean | Promise<boolean>, what: string): Promise<void> {
  const deadline = Date.now() + BOUND_MS;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error(`${what}: still not so after ${BOUND_MS} ms`);
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

function within<T>(promise: Promise<T>, what: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const bound = new Promise<never>((_, reject) => {
    timer = setTimeout(() => { reject(new Error(`${what}: nothing within ${BOUND_MS} ms`)); }, BOUND_MS);
  });
  return Promise.race([promise, bound]).finally(() => { clearTimeout(timer); });
}

interface Peer {
  readonly socket: Socket;
  readonly received: Buffer[];
  readonly closed: Promise<void>;
}

async function openPeer(port: number, localAddress: string): Promise<Peer> {
  const socket = net.connect({ host: '127.0.0.1', port, localAddress });
  await new Promise<void>((resolve, reject) => socket.once('connect', resolve).once('error', reject));
  const received: Buffer[] = [];
  socket.on('data', (chunk: Buffer) => { received.push(chunk); });
  socket.on('error', () => undefined);
  const closed = new Promise<void>((resolve) => socket.once('close', () => { resolve(); }));
  return { socket, received, closed };
}

async function openPeers(port: number, localAddress: string, count: number): Promise<Peer[]> {
  const peers: Peer[] = [];
  for (let batch = 0; batch < count; batch += 100) {
    peers.push(...(await Promise.all(Array.from({ length: Math.min(100, count - batch) }, () => openPeer(port, localAddress)))));
  }
  return peers;
}

function firstError(received: readonly Buffer[]): ErrorFields | undefined {
  const bytes = Buffer.concat(received);
  for (let offset = 0; offset + 5 <= bytes.length; offset += 1 + bytes.readInt32BE(offset + 1)) {
    if (bytes[offset] === 0x45) return readServerError(bytes.subarray(offset + 5, offset + 1 + bytes.readInt32BE(offset + 1)));
  }
  return undefined;
}

async function selectOne(url: string): Promise<number | undefined> {
  const client = new pg.Client({ connectionString: url, connectionTimeoutMillis: BOUND_MS });
  await client.connect();
  try {
    return (await client.query<{ one: number }>('SELECT 1 AS one')).rows[0]?.one;
  } finally {
    await client.end();
  }
}

describe('before authentication', () => {
  let h: GatewayHarness;
  let connection: GatewayConnection;
  before(async () => {
    h = await createGatewayHarness('sqlite', {
      settings: { startupTimeoutMs: 30_000, maxStartingPerSource: 4, loginThrottle: { ...defaultLoginThrottle, accountFreeFailures: 3, baseDelayMs: 300 } },
      // The harness's clock is manual: the test moves it past the throttle's wait.
    });
    connection = await h.grantAndConnect('read-only');
  });
  after(async () => {
    await h.close();
  });

  test('a SASL message declaring more than 8 KiB is refused on its length field, before its body arrives', async () => {
    const before = (await h.refusalCounts()).protocol_error ?? 0;
    const peer = await openPeer(h.gateway.address.port, '127.0.0.1');
    peer.socket.write(serialize.startup({ user: 'alice', database: 'pg-dev' }));
    await waitFor(() => Buffer.concat(peer.received).includes('SCRAM-SHA-256'), 'the AuthenticationSASL request');
    const header = Buffer.alloc(5);
    header.write('p', 0, 'latin1');
    header.writeInt32BE(64 * 1024 * 1024, 1);
    peer.socket.write(Buffer.concat([header, Buffer.from('SCRAM-SHA-256\0', 'latin1')]));
    await within(peer.closed, 'the gateway closing the connection');
    const error = firstError(peer.received);
    assert.equal(error?.severity, 'FATAL');
    assert.equal(error.sqlState, '08P01');
    assert.match(error.message, /declares 67108864 bytes; the limit before authentication is 8192/);
    assert.equal((await h.refusalCounts()).protocol_error, before + 1);
  });

  test('connections from one source still signing in are capped (53300 naming the source); other sources are served', async () => {
    const before = (await h.refusalCounts()).too_many_from_source ?? 0;
    const held = await openPeers(h.gateway.address.port, FLOOD_ADDRESS, 4);
    try {
      const refused = await openPeer(h.gateway.address.port, FLOOD_ADDRESS);
      await within(refused.closed, 'the fifth connection from one source being closed');
      const error = firstError(refused.received);
      assert.equal(error?.sqlState, '53300');
      assert.match(error.message, /too many connections from 127\.0\.0\.2 are still signing in \(the limit is 4\)/);
      assert.ok(held.every((peer) => peer.received.length === 0 && !peer.socket.destroyed), 'the four within the limit are held');
      assert.equal(await selectOne(connection.url), 1, 'a client from 127.0.0.1 signs in');
      assert.equal((await h.refusalCounts()).too_many_from_source, before + 1);
    } finally {
      for (const peer of held) peer.socket.destroy();
    }
    await waitFor(() => h.gateway.startingConnections() === 0, 'the held connections let go');
  });

  test('a flood of refused sockets from one source is one summary entry with its counts, not an entry per socket', async () => {
    const flood = 300;
    const countsBefore = await h.refusalCounts();
    const mark = (await h.events()).length;
    const peers: Peer[] = [];
    for (let batch = 0; batch < flood; batch += 50) {
      const opened = await openPeers(h.gateway.address.port, GARBAGE_ADDRESS, 50);
      for (const peer of opened) peer.socket.write('GET / HTTP/1.1\r\nHost: writ\r\n\r\n');
      peers.push(...opened);
      await within(Promise.all(opened.map((peer) => peer.closed)), 'the gateway closing the garbage senders');
    }
    await waitFor(() => h.gateway.startingConnections() === 0, 'every garbage sender refused');
    const counts = await h.refusalCounts();
    const added = (await h.events()).slice(mark);
    assert.deepEqual(added.map((event) => event.type), ['gateway.connection.refusals.summarized'], 'one entry for the whole flood');
    assert.deepEqual(added[0]?.data.reasons, { protocol_error: flood });
    assert.equal(added[0].data.refusals, flood);
    assert.equal(added[0].data.sourceKind, 'address');
    assert.equal(counts.protocol_error, (countsBefore.protocol_error ?? 0) + flood);
    assert.ok(peers.every((peer) => firstError(peer.received)?.sqlState === '08P01'), 'each garbage sender was told why');
  });

  test('failed sign-ins are throttled per user: after 3 failures the next attempt is told to wait, and may sign in after waiting', async () => {
    const fresh = await h.credentialFor('alice', 'read-only');
    const wrongUrl = fresh.url.replace(encodeURIComponent(fresh.password), 'not-the-password');
    const refusedBefore = (await h.events('gateway.connection.refused')).length;
    const throttledBefore = (await h.refusalCounts()).login_throttled ?? 0;
    for (let attempt = 0; attempt < 3; attempt++) {
      assert.equal(await sqlStateOf(new pg.Client({ connectionString: wrongUrl }).connect()), '28P01');
    }
    const throttled = new pg.Client({ connectionString: fresh.url });
    const failure = await throttled.connect().then(() => undefined, (error: unknown) => error as { code?: string; message: string });
    assert.equal(failure?.code, '53300', 'even the right password waits its turn');
    assert.match(failure.message, /too many failed sign-ins as "alice" or from this address; wait \d+ s, then try again/);
    const failed = (await h.events('gateway.connection.refused')).slice(refusedBefore);
    assert.deepEqual(failed.map((event) => event.data.reason), ['authentication_failed', 'authentication_failed', 'authentication_failed'], 'each failed sign-in is its own entry');
    assert.equal((await h.refusalCounts()).login_throttled, throttledBefore + 1);
    h.api.clock.advanceMs(400);
    assert.equal(await selectOne(fresh.url), 1, 'after the wait the right password signs in');
    assert.equal(await selectOne(fresh.url), 1, 'and the success cleared the failures');
  });
});

describe('a legitimate client during a flood from another source', () => {
  const FLOOD = floodSize();
  let h: GatewayHarness;
  let connection: GatewayConnection;
  before(async () => {
    // Defaults (512 starting, 32 per source) except a startup timeout long enough that no flood socket times out here.
    h = await createGatewayHarness('sqlite', { settings: { startupTimeoutMs: 60_000 } });
    connection = await h.grantAndConnect('read-only');
  });
  after(async () => {
    await h.close();
  });

  test(`${FLOOD} idle sockets from ${FLOOD_ADDRESS}: a client from 127.0.0.1 signs in and queries; the flood costs a bounded number of entries`, async () => {
    const mark = (await h.events()).length;
    const countsBefore = await h.refusalCounts();
    const flood = await openPeers(h.gateway.address.port, FLOOD_ADDRESS, FLOOD);
    try {
      const perSource = 32;
      await waitFor(() => flood.filter((peer) => peer.socket.destroyed).length >= FLOOD - perSource, 'the connections past the per-source limit refused');
      assert.equal(await within(selectOne(connection.url), 'a sign-in during the flood'), 1);
      const held = flood.filter((peer) => !peer.socket.destroyed);
      assert.equal(held.length, perSource, 'the per-source limit holds 32 starting connections');
      assert.ok(held.every((peer) => peer.received.length === 0));
      const refused = flood.filter((peer) => peer.socket.destroyed);
      assert.ok(refused.every((peer) => firstError(peer.received)?.sqlState === '53300'));
      const counts = await h.refusalCounts();
      assert.equal(counts.too_many_from_source, (countsBefore.too_many_from_source ?? 0) + FLOOD - perSource);
      const added = (await h.events()).slice(mark).filter((event) => event.type.startsWith('gateway.connection.'));
      assert.deepEqual(added.map((event) => event.type), ['gateway.connection.refusals.summarized']);
    } finally {
      for (const peer of flood) peer.socket.destroy();
    }
  });
});

describe('every starting slot taken by one source', () => {
  let h: GatewayHarness;
  let connection: GatewayConnection;
  before(async () => {
    h = await createGatewayHarness('sqlite', { settings: { startupTimeoutMs: 60_000, maxStartingConnections: 8, maxStartingPerSource: 8 } });
    connection = await h.grantAndConnect('read-only');
  });
  after(async () => {
    await h.close();
  });

  test('a client from another source displaces the oldest starting connection of the heaviest source; the heavy source cannot displace itself', async () => {
    const flood = await openPeers(h.gateway.address.port, FLOOD_ADDRESS, 8);
    try {
      await waitFor(() => h.gateway.startingConnections() === 8, 'all eight slots taken');
      const own = await openPeer(h.gateway.address.port, FLOOD_ADDRESS);
      await within(own.closed, 'a ninth from the same source refused');
      assert.equal(firstError(own.received)?.sqlState, '53300');
      assert.ok(flood.every((peer) => !peer.socket.destroyed), 'no one displaced for a connection of the same source');
      assert.equal(await within(selectOne(connection.url), 'a sign-in from 127.0.0.1'), 1);
      const displaced = flood.filter((peer) => peer.socket.destroyed);
      assert.equal(displaced.length, 1);
      assert.equal(displaced[0], flood[0], 'the oldest one');
      assert.equal(firstError(displaced[0]?.received ?? [])?.sqlState, '53300');
    } finally {
      for (const peer of flood) peer.socket.destroy();
    }
  });
});
