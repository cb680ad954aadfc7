// Tests for upstream password authentication: SCRAM-SHA-256, MD5 and cleartext, against scripted servers and PostgreSQL's own stored secrets.
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { connectUpstream } from './upstream-connection.ts';
import type { UpstreamTarget } from './upstream-connection.ts';
import { createScramClient, MAX_SCRAM_ITERATIONS, saslPrep } from './upstream-authentication.ts';
import { isUpstreamError } from './upstream-error.ts';
import { fakeScramVerifier, parseStoredScram, startFakeUpstream } from './testing/fake-upstream.ts';
import type { FakeUpstreamOptions } from './testing/fake-upstream.ts';
import { queryTestUpstream, querySession, startTestUpstream, withLoginRole } from './testing/test-upstream.ts';
import type { TestUpstream } from './testing/test-upstream.ts';

const PASSWORD = 'correct horse battery staple';
const options = { startupParameters: {}, connectTimeoutMs: 10_000 };

let upstream: TestUpstream;
before(async () => {
  upstream = await startTestUpstream();
});
after(async () => {
  await upstream.close();
});

/** Connects to a fake server as `alice` with `password` and closes again; rejects as connectUpstream does. */
async function connectToFake(fakeOptions: FakeUpstreamOptions, password: string | undefined): Promise<void> {
  const fake = await startFakeUpstream(fakeOptions);
  try {
    const target: UpstreamTarget = { host: '127.0.0.1', port: fake.port, user: 'alice', database: 'shop', tls: 'disable', ...(password === undefined ? {} : { password }) };
    const session = await connectUpstream(target, options);
    session.socket.destroy();
  } finally {
    await fake.close();
  }
}

const refusedWithoutPassword = (error: unknown): boolean =>
  isUpstreamError(error, 'authentication') && error.sqlState === '28P01' && !error.message.includes(PASSWORD) && !error.message.includes('wrong');

test('SCRAM-SHA-256: the right password logs in, a wrong one is refused with 28P01', async () => {
  const auth = { method: 'scram-sha-256', verifier: fakeScramVerifier(PASSWORD) } as const;
  await connectToFake({ auth }, PASSWORD);
  await assert.rejects(connectToFake({ auth }, 'wrong'), refusedWithoutPassword);
});

test('SCRAM-SHA-256: a server that cannot prove it knows the password is not trusted', async () => {
  const auth = { method: 'scram-sha-256', verifier: fakeScramVerifier(PASSWORD) } as const;
  await assert.rejects(
    connectToFake({ auth, misbehaviour: 'wrong-scram-server-signature' }, PASSWORD),
    (error) => isUpstreamError(error, 'authentication') && /did not prove that it knows the password/.test(error.message),
  );
  await assert.rejects(
    connectToFake({ auth, misbehaviour: 'ok-without-scram-final' }, PASSWORD),
    (error) => isUpstreamError(error, 'authentication') && /ended SCRAM authentication without proving/.test(error.message),
  );
});

test('MD5: the right password logs in, a wrong one is refused', async () => {
  await connectToFake({ auth: { method: 'md5', password: PASSWORD } }, PASSWORD);
  await assert.rejects(connectToFake({ auth: { method: 'md5', password: PASSWORD } }, 'wrong'), refusedWithoutPassword);
});

test('cleartext: the right password logs in, a wrong one is refused', async () => {
  await connectToFake({ auth: { method: 'cleartext', password: PASSWORD } }, PASSWORD);
  await assert.rejects(connectToFake({ auth: { method: 'cleartext', password: PASSWORD } }, 'wrong'), refusedWithoutPassword);
});

test('a server that asks for a password when none is configured, or for GSSAPI, is refused in product words', async () => {
  await assert.rejects(
    connectToFake({ auth: { method: 'md5', password: PASSWORD } }, undefined),
    (error) => isUpstreamError(error, 'authentication') && /asks for a password for user "alice", and none is configured/.test(error.message),
  );
  await assert.rejects(
    connectToFake({ auth: { method: 'gss' } }, PASSWORD),
    (error) => isUpstreamError(error, 'authentication') && /asks for GSSAPI authentication, which Writ does not support/.test(error.message),
  );
});

test('the password proofs match the secrets PostgreSQL itself stores (SCRAM-SHA-256 and MD5)', async () => {
  const stored = async (name: string): Promise<string> => {
    const result = await queryTestUpstream(upstream, `SELECT rolpassword FROM pg_authid WHERE rolname = '${name}'`);
    return String((result.rows[0] as { rolpassword: unknown }).rolpassword);
  };
  await withLoginRole(upstream, 'scram-sha-256', async (role) => {
    const auth = { method: 'scram-sha-256', verifier: parseStoredScram(await stored(role.name)) } as const;
    await connectToFake({ auth }, role.password);
    await assert.rejects(connectToFake({ auth }, `${role.password}x`), refusedWithoutPassword);
  });
  await withLoginRole(upstream, 'md5', async (role) => {
    // MD5 salts the stored hash with the user name: the fake logs in as the role.
    const fake = await startFakeUpstream({ auth: { method: 'md5-stored', rolpassword: await stored(role.name) } });
    try {
      const target: UpstreamTarget = { host: '127.0.0.1', port: fake.port, user: role.name, database: 'shop', tls: 'disable', password: role.password };
      (await connectUpstream(target, options)).socket.destroy();
      await assert.rejects(connectUpstream({ ...target, password: 'wrong' }, options), refusedWithoutPassword);
    } finally {
      await fake.close();
    }
  });
});

test('a PostgreSQL role with a SCRAM password logs in through connectUpstream', async (t) => {
  if (upstream.kind === 'pglite') {
    t.skip('PGlite does not authenticate: every StartupMessage is answered with AuthenticationOk');
    return;
  }
  await withLoginRole(upstream, 'scram-sha-256', async (role) => {
    const target: UpstreamTarget = { ...upstream.target, user: role.name, password: role.password };
    const session = await connectUpstream(target, options);
    const whoami = await querySession(session.socket, 'SELECT current_user', session.buffered);
    session.socket.destroy();
    assert.deepEqual(whoami.rows, [[role.name]]);
    try {
      (await connectUpstream({ ...target, password: 'wrong' }, options)).socket.destroy();
      t.diagnostic('pg_hba trusts this connection, so the server never asked for the password: the SCRAM exchange is checked against the scripted server above');
    } catch (error) {
      assert.ok(refusedWithoutPassword(error));
    }
  });
});

test('SCRAM server-first messages that are malformed or too costly are refused before any hashing', async () => {
  const bad = ['r=abc,s=c2FsdA==,i=4096', 'r=nonce,s=c2FsdA==,i=4096', 'r=nonceX,s=,i=4096', `r=nonceX,s=c2FsdA==,i=${MAX_SCRAM_ITERATIONS + 1}`, 'r=nonceX,s=c2FsdA==,i=0', 'r=nonceX,s=c2FsdA==', 'garbage', 'm=ext,r=nonceX,s=c2FsdA==,i=1'];
  for (const serverFirst of bad) {
    await assert.rejects(createScramClient(PASSWORD, { clientNonce: 'nonce' }).respond(serverFirst), (error) => isUpstreamError(error, 'protocol'), serverFirst);
  }
});

test('RFC 7677 test vector: user "user", password "pencil"', async () => {
  const client = createScramClient('pencil', { clientNonce: 'rOprNGfwEbeRWgbNEkqO', userName: 'user' });
  assert.equal(client.clientFirstMessage, 'n,,n=user,r=rOprNGfwEbeRWgbNEkqO');
  const serverFirst = 'r=rOprNGfwEbeRWgbNEkqO%hvYDpWUa2RaTCAfuxFIlj)hNlF$k0,s=W22ZaJ0SNY7soEsUEjb6gQ==,i=4096';
  assert.equal(await client.respond(serverFirst), 'c=biws,r=rOprNGfwEbeRWgbNEkqO%hvYDpWUa2RaTCAfuxFIlj)hNlF$k0,p=dHzbZapWIk4jUhN+Ute9ytag9zjfMHgsqmmiz7AndVQ=');
  assert.throws(() => { client.verifyServerFinal('v=6rriTRBi23WpRR/wtup+mMhUZUn/dB5nLTJRsjl95G4x'); }, (error) => isUpstreamError(error, 'authentication'));
  assert.throws(() => { client.verifyServerFinal('e=invalid-proof'); }, (error) => isUpstreamError(error, 'authentication') && error.message.includes('invalid-proof'));
  assert.equal(client.verified, false);
  client.verifyServerFinal('v=6rriTRBi23WpRR/wtup+mMhUZUn/dB5nLTJRsjl95G4=');
  assert.equal(client.verified, true);
});

test('SASLprep maps spaces and soft hyphens, normalises, and keeps ASCII and prohibited input as it is', () => {
  assert.equal(saslPrep('plain ASCII'), 'plain ASCII');
  assert.equal(saslPrep('I\u00ADX'), 'IX');
  assert.equal(saslPrep('a\u00A0b'), 'a b');
  assert.equal(saslPrep('\u2168'), 'IX');
  assert.equal(saslPrep('\u00AA'), 'a');
  assert.equal(saslPrep('a\u0007b\u00E9'), 'a\u0007b\u00E9');
});
