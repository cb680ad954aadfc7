// Found by issue 11's attacker's pass: failing sign-ins under a person's name from elsewhere must not keep that person out.
// The throttle counts a name's failures per source (gateway-login-throttle.ts): alice's own address is not held back.
import assert from 'node:assert/strict';
import net from 'node:net';
import { after, before, describe, test } from 'node:test';
import pg from 'pg';
import { createGatewayHarness, type GatewayHarness } from './testing/gateway-harness.ts';
import { sqlStateOf } from './testing/gateway-test-helpers.ts';

/** A socket that connects from `localAddress` (another loopback address stands for another machine). */
function socketFrom(localAddress: string): () => net.Socket {
  return () => {
    const socket = new net.Socket();
    const connect = socket.connect.bind(socket) as (options: net.TcpSocketConnectOpts) => net.Socket;
    (socket as unknown as { connect: (port: number, host: string) => net.Socket }).connect = (port, host) => connect({ port, host, localAddress });
    return socket;
  };
}

async function signIn(config: pg.ClientConfig): Promise<void> {
  const client = new pg.Client({ ...config, connectionTimeoutMillis: 10_000 });
  client.on('error', () => undefined);
  try {
    await client.connect();
    await client.query('SELECT 1');
  } finally {
    await client.end().catch(() => undefined);
  }
}

describe('attack: locking a person out of the gateway by failing sign-ins under their name', () => {
  let h: GatewayHarness;
  before(async () => {
    h = await createGatewayHarness('sqlite');
  });
  after(async () => {
    await h.close();
  });

  test('wrong passwords for "alice" from 127.0.0.2 do not refuse alice\'s valid credential from 127.0.0.1', async () => {
    const alice = await h.grantAndConnect('read-only');
    const attacker: pg.ClientConfig = { host: alice.host, port: alice.port, database: alice.database, user: alice.user, password: 'not-the-password', stream: socketFrom('127.0.0.2') };
    const states: (string | undefined)[] = [];
    // Bounded: the throttle allows five failures, then answers 53300 (login_throttled).
    for (let attempt = 0; attempt < 8 && !states.includes('53300'); attempt += 1) states.push(await sqlStateOf(signIn(attacker)));
    assert.deepEqual(states.slice(0, 5), ['28P01', '28P01', '28P01', '28P01', '28P01'], 'the attacker fails to sign in');
    assert.ok(states.includes('53300'), 'the attacker is throttled');
    // Alice, from her own address, with the credential Writ just issued to her.
    const state = await sqlStateOf(signIn({ host: alice.host, port: alice.port, database: alice.database, user: alice.user, password: alice.password }));
    assert.equal(state, undefined, `alice must still get in (she got ${String(state)})`);
  });
});
