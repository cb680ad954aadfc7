// Tests for TLS towards the upstream: libpq's sslmode meanings against scripted servers with self-signed certificates.
import assert from 'node:assert/strict';
import { before, test } from 'node:test';
import { generate } from 'selfsigned';
import { connectUpstream } from './upstream-connection.ts';
import type { UpstreamSession, UpstreamTarget } from './upstream-connection.ts';
import { isUpstreamError } from './upstream-error.ts';
import { startFakeUpstream } from './testing/fake-upstream.ts';
import type { FakeUpstreamOptions } from './testing/fake-upstream.ts';
import { querySession } from './testing/test-upstream.ts';

interface Certificate {
  readonly key: string;
  readonly cert: string;
}

async function selfSigned(altNames: ({ type: 2; value: string } | { type: 7; ip: string })[]): Promise<Certificate> {
  const now = new Date();
  const pems = await generate([{ name: 'commonName', value: 'writ test upstream' }], {
    keyType: 'ec',
    curve: 'P-256',
    algorithm: 'sha256',
    notBeforeDate: new Date(now.getTime() - 60_000),
    notAfterDate: new Date(now.getTime() + 86_400_000),
    extensions: [{ name: 'basicConstraints', cA: true }, { name: 'subjectAltName', altNames }],
  });
  return { key: pems.private, cert: pems.cert };
}

let localhost: Certificate;
let elsewhere: Certificate;
before(async () => {
  localhost = await selfSigned([{ type: 2, value: 'localhost' }, { type: 7, ip: '127.0.0.1' }]);
  elsewhere = await selfSigned([{ type: 2, value: 'db.example' }]);
});

const options = { startupParameters: {}, connectTimeoutMs: 10_000 };

/** Connects to a fake with the given TLS answer and returns what the session says about TLS and the fake saw. */
async function connectWith(fakeOptions: Omit<FakeUpstreamOptions, 'auth'>, target: Partial<UpstreamTarget>): Promise<{ tls: boolean; tlsSessions: number }> {
  const fake = await startFakeUpstream({ auth: { method: 'trust' }, ...fakeOptions });
  let session: UpstreamSession | undefined;
  try {
    session = await connectUpstream({ host: '127.0.0.1', port: fake.port, user: 'alice', database: 'shop', tls: 'disable', ...target }, options);
    const answer = await querySession(session.socket, 'SET x = 1', session.buffered);
    assert.deepEqual(answer.tags, ['SET']);
    return { tls: session.tls, tlsSessions: fake.tlsSessions };
  } finally {
    session?.socket.destroy();
    await fake.close();
  }
}

test('disable sends no SSLRequest; prefer takes TLS when offered and plain text when not', async () => {
  assert.deepEqual(await connectWith({ tls: localhost }, { tls: 'disable' }), { tls: false, tlsSessions: 0 });
  assert.deepEqual(await connectWith({ tls: localhost }, { tls: 'prefer' }), { tls: true, tlsSessions: 1 });
  assert.deepEqual(await connectWith({}, { tls: 'prefer' }), { tls: false, tlsSessions: 0 });
});

test('require encrypts without verifying, and refuses a server without TLS', async () => {
  assert.deepEqual(await connectWith({ tls: elsewhere }, { tls: 'require' }), { tls: true, tlsSessions: 1 });
  await assert.rejects(
    connectWith({}, { tls: 'require' }),
    (error) => isUpstreamError(error, 'tls') && /does not accept TLS connections, and TLS is required/.test(error.message),
  );
});

test('require with a CA verifies the chain but not the name, as libpq does', async () => {
  assert.equal((await connectWith({ tls: elsewhere }, { tls: 'require', tlsCa: elsewhere.cert })).tls, true);
  await assert.rejects(connectWith({ tls: elsewhere }, { tls: 'require', tlsCa: localhost.cert }), (error) => isUpstreamError(error, 'tls'));
});

test('verify-full checks the chain and the host name or address', async () => {
  assert.equal((await connectWith({ tls: localhost }, { tls: 'verify-full', tlsCa: localhost.cert })).tls, true);
  assert.equal((await connectWith({ tls: localhost }, { host: 'localhost', tls: 'verify-full', tlsCa: localhost.cert })).tls, true);
  await assert.rejects(
    connectWith({ tls: elsewhere }, { tls: 'verify-full', tlsCa: elsewhere.cert }),
    (error) => isUpstreamError(error, 'tls') && /ERR_TLS_CERT_ALTNAME_INVALID/.test(error.message),
  );
  await assert.rejects(connectWith({ tls: localhost }, { tls: 'verify-full' }), (error) => isUpstreamError(error, 'tls') && /self-signed/i.test(error.message));
  await assert.rejects(connectWith({}, { tls: 'verify-full', tlsCa: localhost.cert }), (error) => isUpstreamError(error, 'tls'));
});

test('bytes sent in the clear behind the SSLRequest answer are refused (CVE-2021-23222)', async () => {
  await assert.rejects(
    connectWith({ tls: localhost, misbehaviour: 'bytes-after-ssl-answer' }, { tls: 'require' }),
    (error) => isUpstreamError(error, 'protocol') && /unencrypted data after its answer to SSLRequest/.test(error.message),
  );
});
