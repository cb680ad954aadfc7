// Sign-in, throttling, sessions, CSRF and logout through the identity service, on both backends, audited in the ledger.
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { apiScopes } from '../identity/api-token.ts';
import type { IdentityService } from '../identity/identity-service.ts';
import type { SessionPrincipal } from '../identity/principal.ts';
import { digestSecret } from '../identity/secret-tokens.ts';
import type { UserId } from '../identity/user.ts';
import { createIdentityFixture, type IdentityFixture } from './testing/identity-fixture.ts';
import { testBackends } from './testing/test-databases.ts';

const ALICE_PASSWORD = 'correct horse battery staple';

async function withFixture(backend: 'sqlite' | 'postgres', work: (fx: IdentityFixture, admin: SessionPrincipal, aliceId: UserId) => Promise<void>): Promise<void> {
  const fx = await createIdentityFixture(backend);
  try {
    const admin = await fx.signInAdmin();
    const { user } = await fx.identity.createUser(admin, { username: 'alice', password: ALICE_PASSWORD });
    await fx.store.transact((tx) => tx.updateUser(user.id, { mustChangePassword: false, updatedAtMs: fx.clock.nowMs() }));
    await work(fx, admin, user.id);
  } finally {
    await fx.close();
  }
}

async function eventsOf(fx: IdentityFixture, type: string) {
  return (await fx.events()).map((r) => r.event).filter((e) => e.type === type);
}

async function signIn(identity: IdentityService, password = ALICE_PASSWORD) {
  const result = await identity.login({ username: 'alice', password, ip: '198.51.100.7', userAgent: 'Firefox/140' });
  if (result.kind !== 'signed-in') throw new Error(`alice could not sign in: ${result.kind}`);
  return result;
}

for (const backend of testBackends) {
  describe(`identity sign-in on ${backend}`, { concurrency: false }, () => {
    test('a good password opens a session; only digests are stored; the sign-in is audited with IP and user agent', () =>
      withFixture(backend, async (fx, _admin, aliceId) => {
        const result = await signIn(fx.identity);
        assert.match(result.sessionToken, /^[A-Za-z0-9_-]{43}$/);
        assert.notEqual(result.csrfToken, result.sessionToken);
        assert.deepEqual({ ...result.principal, sessionId: 'x' }, {
          userId: aliceId, username: 'alice', kind: 'person', roles: ['user'], groups: [], scopes: result.principal.scopes, mustChangePassword: false,
          ip: '198.51.100.7', userAgent: 'Firefox/140', via: 'session', sessionId: 'x',
        });
        assert.deepEqual(result.principal.scopes, apiScopes, 'a session holds every scope');
        const stored = await fx.store.findSessionByTokenDigest(digestSecret(result.sessionToken));
        assert.equal(stored?.id, result.principal.sessionId);
        const event = (await eventsOf(fx, 'auth.login.succeeded')).at(-1);
        assert.ok(event !== undefined);
        assert.equal(event.actor.id, aliceId);
        assert.deepEqual([event.actor.ip, event.actor.userAgent, event.actor.authMethod], ['198.51.100.7', 'Firefox/140', 'password']);
        assert.equal(event.data.sessionId, result.principal.sessionId);
        assert.equal(event.context?.sessionId, result.principal.sessionId);
      }));

    test('unknown user, wrong password and disabled account look the same to the caller; the ledger has the reason', () =>
      withFixture(backend, async (fx, admin, aliceId) => {
        const { identity } = fx;
        const unknown = await identity.login({ username: 'mallory', password: ALICE_PASSWORD, ip: '203.0.113.9', userAgent: 'curl' });
        const wrong = await identity.login({ username: 'alice', password: 'not the password', ip: '203.0.113.9', userAgent: 'curl' });
        await identity.disableUser(admin, aliceId);
        const disabled = await identity.login({ username: 'alice', password: ALICE_PASSWORD, ip: '203.0.113.9', userAgent: 'curl' });
        const invalidName = await identity.login({ username: 'not a valid name!', password: 'x', ip: 'not-an-ip', userAgent: 'curl' });
        for (const result of [unknown, wrong, disabled, invalidName]) assert.deepEqual(result, { kind: 'failed' });
        const failed = await eventsOf(fx, 'auth.login.failed');
        assert.deepEqual(failed.map((e) => e.data.failure), ['unknown_user', 'bad_credentials', 'account_disabled', 'unknown_user']);
        assert.deepEqual(failed.map((e) => e.actor.id), ['unknown', aliceId, aliceId, 'unknown']);
        assert.deepEqual([failed[0]?.actor.name, failed[0]?.actor.ip], ['mallory', '203.0.113.9']);
        assert.equal(failed[3]?.actor.ip, undefined);
        assert.ok(failed.every((e) => e.outcome === 'failure'));
      }));

    test('twenty wrong passwords within a minute: slowed, then refused; all twenty audited; same for an unknown user', () =>
      withFixture(backend, async (fx) => {
        const kinds = async (username: string): Promise<string[]> => {
          const seen: string[] = [];
          for (let i = 0; i < 20; i += 1) {
            seen.push((await fx.identity.login({ username, password: `guess number ${i}`, ip: '203.0.113.9', userAgent: 'bot' })).kind);
            fx.clock.advanceMs(100);
          }
          return seen;
        };
        const start = fx.clock.nowMs();
        const forAlice = await kinds('alice');
        assert.ok(fx.clock.nowMs() - start < 60_000);
        assert.deepEqual(fx.sleeps, [900, 1900, 3900, 7900]);
        assert.deepEqual(forAlice, [...Array<string>(9).fill('failed'), ...Array<string>(11).fill('throttled')]);
        const failed = await eventsOf(fx, 'auth.login.failed');
        assert.equal(failed.length, 20);
        assert.deepEqual(failed.map((e) => e.data.failure), [...Array<string>(9).fill('bad_credentials'), ...Array<string>(11).fill('throttled')]);
        const refused = await fx.identity.login({ username: 'alice', password: ALICE_PASSWORD, ip: '198.51.100.1' });
        assert.ok(refused.kind === 'throttled' && refused.retryAfterSeconds > 0 && refused.retryAfterSeconds <= 16);
        fx.clock.advanceMs(16_000);
        await signIn(fx.identity);
        fx.clock.advanceMs(15 * 60_000);
        fx.sleeps.length = 0;
        assert.deepEqual(await kinds('nobody-here'), forAlice);
      }));

    test('the idle timeout slides with use, and its end is recorded once', () =>
      withFixture(backend, async (fx) => {
        const { sessionToken, principal } = await signIn(fx.identity);
        for (let i = 0; i < 3; i += 1) {
          fx.clock.advanceMs(29 * 60_000);
          assert.equal((await fx.identity.authenticateSession(sessionToken, { ip: '198.51.100.7' }))?.sessionId, principal.sessionId);
        }
        fx.clock.advanceMs(30 * 60_000);
        assert.equal(await fx.identity.authenticateSession(sessionToken), undefined);
        assert.equal(await fx.identity.authenticateSession(sessionToken), undefined);
        const ended = await eventsOf(fx, 'auth.session.ended');
        assert.equal(ended.length, 1);
        assert.deepEqual(ended[0]?.data, { sessionId: principal.sessionId, endReason: 'expired', timeout: 'idle', durationMs: 117 * 60_000 });
      }));

    test('the absolute timeout ends a busy session', () =>
      withFixture(backend, async (fx) => {
        const { sessionToken } = await signIn(fx.identity);
        for (let minutes = 20; minutes < 12 * 60; minutes += 20) {
          fx.clock.advanceMs(20 * 60_000);
          assert.ok((await fx.identity.authenticateSession(sessionToken)) !== undefined, `${minutes} min`);
        }
        fx.clock.advanceMs(20 * 60_000);
        assert.equal(await fx.identity.authenticateSession(sessionToken), undefined);
        assert.equal((await eventsOf(fx, 'auth.session.ended'))[0]?.data.timeout, 'absolute');
      }));

    test('CSRF: the session\'s own token passes, others fail; a bearer token needs none', () =>
      withFixture(backend, async (fx, admin) => {
        const first = await signIn(fx.identity);
        const second = await signIn(fx.identity);
        assert.equal(await fx.identity.verifyCsrf(first.principal, first.csrfToken), true);
        assert.equal(await fx.identity.verifyCsrf(first.principal, second.csrfToken), false);
        assert.equal(await fx.identity.verifyCsrf(first.principal, undefined), false);
        assert.equal(await fx.identity.verifyCsrf(first.principal, first.sessionToken), false);
        assert.equal(await fx.identity.verifyCsrf(first.principal, 'x'.repeat(10_000)), false);
        const { tokenText } = await fx.identity.createApiToken(admin, { name: 'ci', scopes: ['requests:read'] });
        const tokenPrincipal = await fx.identity.authenticateApiToken(tokenText);
        assert.ok(tokenPrincipal !== undefined);
        assert.equal(await fx.identity.verifyCsrf(tokenPrincipal, undefined), true);
      }));

    test('logout ends the session, audited; the cookie stops working; other sessions live on', () =>
      withFixture(backend, async (fx) => {
        const first = await signIn(fx.identity);
        const second = await signIn(fx.identity);
        await fx.identity.logout(first.principal);
        await fx.identity.logout(first.principal);
        assert.equal(await fx.identity.authenticateSession(first.sessionToken), undefined);
        assert.ok((await fx.identity.authenticateSession(second.sessionToken)) !== undefined);
        const ended = await eventsOf(fx, 'auth.session.ended');
        assert.deepEqual(ended.map((e) => e.data.endReason), ['logout']);
        assert.equal(await fx.identity.authenticateSession('not a token'), undefined);
      }));

    test('disabling a user ends their sessions at once (audited) and stops sign-in', () =>
      withFixture(backend, async (fx, admin, aliceId) => {
        const { sessionToken, principal } = await signIn(fx.identity);
        await fx.identity.disableUser(admin, aliceId);
        assert.equal(await fx.identity.authenticateSession(sessionToken), undefined);
        const [revoked] = await eventsOf(fx, 'auth.sessions.revoked');
        assert.deepEqual(revoked?.data, { userId: aliceId, sessionIds: [principal.sessionId], cause: 'user_disabled' });
        await fx.identity.enableUser(admin, aliceId);
        await signIn(fx.identity);
      }));
  });
}
