// The gateway credential API end to end on both backends: issued under an approved grant, shown once, never stored or logged.
import assert from 'node:assert/strict';
import { Writable } from 'node:stream';
import { after, before, describe, test } from 'node:test';
import pino from 'pino';
import { MAX_UNEXPIRED_CREDENTIALS } from '../gateway/gateway-credentials.ts';
import { testBackends } from '../storage/testing/test-databases.ts';
import { gatewayAddress } from './gateway-routes.ts';
import { buildServer } from './server.ts';
import { createApiHarness, type ApiHarness } from './testing/api-harness.ts';
import { writApiOptions } from './writ-api.ts';

const URL_PATH = '/api/v1/gateway/credentials';

test('the address shown to clients: advertised, else the listen address, else (wildcard) the host the API was reached by', () => {
  assert.deepEqual(gatewayAddress('127.0.0.1:7432', 'db.example.com:5432', 'writ.example.com'), { host: 'db.example.com', port: 5432 });
  assert.deepEqual(gatewayAddress('10.0.0.5:7432', undefined, 'writ.example.com'), { host: '10.0.0.5', port: 7432 });
  assert.deepEqual(gatewayAddress('0.0.0.0:7432', undefined, 'writ.example.com'), { host: 'writ.example.com', port: 7432 });
  assert.deepEqual(gatewayAddress('[::]:7432', undefined, '[::1]'), { host: '::1', port: 7432 });
  assert.deepEqual(gatewayAddress('0.0.0.0:7432', undefined, 'evil"; rm -rf /'), { host: '127.0.0.1', port: 7432 });
});

for (const backend of testBackends) {
  describe(`gateway credential API on ${backend}`, () => {
    let h: ApiHarness;
    let grant: { id: string; endsAt: string };
    const issue = (token: string | undefined, body: unknown) => h.call('POST', URL_PATH, { token, body });

    before(async () => {
      h = await createApiHarness(backend);
      const asked = await h.call('POST', '/api/v1/requests', { token: h.tokens.alice, body: { resourceId: 'pg-dev', level: 'read-only', durationSeconds: 3600, reason: 'INC-7 slow invoices' } });
      assert.equal(asked.status, 201, JSON.stringify(asked.body));
      const requestId = (asked.body.request as { id: string }).id;
      const approved = await h.call('POST', `/api/v1/requests/${requestId}/approve`, { token: h.tokens.bob, body: { comment: 'ok' } });
      assert.equal(approved.status, 200, JSON.stringify(approved.body));
      grant = approved.body.grant as { id: string; endsAt: string };
    });
    after(async () => {
      await h.close();
    });

    test('alice, holding an approved read-only grant, gets a credential and ready ways to connect, never cached', async () => {
      const answer = await issue(h.tokens.alice, { resourceId: 'pg-dev' });
      assert.equal(answer.status, 201, JSON.stringify(answer.body));
      assert.equal(answer.headers['cache-control'], 'no-store');
      const password = String(answer.body.password);
      assert.match(password, /^[A-Za-z0-9_-]{43}$/);
      const uri = `postgresql://alice:${password}@127.0.0.1:7432/pg-dev?sslmode=prefer`;
      assert.deepEqual(answer.body, {
        credentialId: answer.body.credentialId,
        resourceId: 'pg-dev',
        level: 'read-only',
        grantId: grant.id,
        user: 'alice',
        password,
        expiresAt: grant.endsAt,
        host: '127.0.0.1',
        port: 7432,
        database: 'pg-dev',
        connectionString: uri,
        psqlCommand: `psql "${uri}"`,
      });
    });

    test('bob holds no grant: a 403 that says what to do; unknown resources, bad bodies and scope-less tokens are refused', async () => {
      const refused = await issue(h.tokens.bob, { resourceId: 'pg-dev' });
      assert.equal(refused.status, 403);
      assert.equal(refused.body.detail, 'no active grant for pg-dev; run writ request pg-dev --level <read-only|read-write> --for 1h --reason "..."');
      assert.equal((await issue(h.tokens.bob, { resourceId: 'pg-nowhere' })).status, 404);
      assert.equal((await issue(h.tokens.alice, { resourceId: 'pg-dev', level: 'read-write' })).status, 403);
      assert.equal((await issue(h.tokens.alice, { resourceId: 'PG DEV' })).status, 400);
      assert.equal((await issue(h.tokens.alice, { resourceId: 'pg-dev', password: 'mine' })).status, 400);
      assert.equal((await issue(undefined, { resourceId: 'pg-dev' })).status, 401);
      const readToken = await h.call('POST', '/api/v1/tokens', { token: h.tokens.alice, body: { name: 'reader', scopes: ['requests:read'] } });
      const scopeless = await issue(String(readToken.body.token), { resourceId: 'pg-dev' });
      assert.equal(scopeless.status, 403);
      assert.match(String(scopeless.body.detail), /grants:write/);
    });

    test('the password is in no ledger event, no log line and no stored row; the issue is on the ledger', async () => {
      const lines: string[] = [];
      const sink = new Writable({ write(chunk: Buffer, _encoding, done) { lines.push(chunk.toString('utf8')); done(); } });
      const logger = pino({ level: 'trace' }, sink);
      const api = writApiOptions({ ...h.app, config: { pgListen: '0.0.0.0:7432', pgAdvertise: 'db.example.com:6432' }, onAccessChanged: () => undefined });
      const server = buildServer({ store: h.app.store, logger, readToken: undefined, api });
      try {
        await server.ready();
        const answer = await server.inject({ method: 'POST', url: URL_PATH, headers: { authorization: `Bearer ${h.tokens.alice}` }, payload: { resourceId: 'pg-dev' } });
        assert.equal(answer.statusCode, 201, answer.body);
        const issued = JSON.parse(answer.body) as { password: string; credentialId: string; connectionString: string };
        assert.match(issued.connectionString, /@db\.example\.com:6432\/pg-dev\?/);
        assert.ok(lines.length > 0, 'the server logged the request');
        assert.ok(!lines.join('').includes(issued.password), 'no log line holds the password');
        await h.app.startSequencer().drain();
        const events = await h.call('GET', '/api/v1/events?limit=500', { token: h.tokens.carol });
        assert.equal(events.status, 200);
        assert.ok(!JSON.stringify(events.body).includes(issued.password), 'no ledger event holds the password');
        const issuedEvents = (events.body.events as { event: { type: string; data: { credentialId?: string } } }[]).filter((e) => e.event.type === 'gateway.credential.issued');
        assert.ok(issuedEvents.some((e) => e.event.data.credentialId === issued.credentialId));
        const stored = await h.app.gatewayCredentials.credentials.list({ userId: await userId('alice'), resourceId: 'pg-dev', state: 'unexpired', nowMs: h.clock.nowMs(), limit: 100 });
        const storedText = JSON.stringify(stored.map((c) => ({ ...c, verifier: [c.verifier.salt, c.verifier.storedKey, c.verifier.serverKey].map((b) => b.toString('latin1') + b.toString('base64url')) })));
        assert.ok(stored.some((c) => c.id === issued.credentialId));
        assert.ok(!storedText.includes(issued.password), 'the stored credential holds no password');
      } finally {
        await server.close();
      }
    });

    test('at most 16 unexpired credentials: issuing more deletes the oldest', async () => {
      const ids: string[] = [];
      for (let i = 0; i < MAX_UNEXPIRED_CREDENTIALS + 1; i += 1) {
        const answer = await issue(h.tokens.alice, { resourceId: 'pg-dev' });
        assert.equal(answer.status, 201, JSON.stringify(answer.body));
        ids.push(String(answer.body.credentialId));
        h.clock.advanceMs(1000);
      }
      const stored = await h.app.gatewayCredentials.credentials.list({ userId: await userId('alice'), resourceId: 'pg-dev', state: 'unexpired', nowMs: h.clock.nowMs(), limit: 100 });
      assert.deepEqual(stored.map((c) => c.id), ids.slice(1).reverse());
    });

    test('once the grant has ended, no credential: the answer says to request access again', async () => {
      h.clock.advanceMs(Date.parse(grant.endsAt) - h.clock.nowMs());
      const refused = await issue(h.tokens.alice, { resourceId: 'pg-dev' });
      assert.equal(refused.status, 403);
      assert.match(String(refused.body.detail), /^no active grant for pg-dev; run writ request pg-dev/);
    });

    async function userId(name: string): Promise<string> {
      const user = await h.app.identityStore.findUserByUsername(name);
      assert.ok(user !== undefined);
      return user.id;
    }
  });
}
