// API tokens through the identity service on both backends: scopes, expiry, revocation, hourly use records, no secret in the ledger.
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { describe, test } from 'node:test';
import { parseApiToken } from '../identity/api-token.ts';
import type { SessionPrincipal } from '../identity/principal.ts';
import { isAppError } from '../shared/app-error.ts';
import { createIdentityFixture, type IdentityFixture } from './testing/identity-fixture.ts';
import { testBackends } from './testing/test-databases.ts';

const PASSWORD = 'correct horse battery staple';

async function withFixture(backend: 'sqlite' | 'postgres', work: (fx: IdentityFixture, admin: SessionPrincipal, alice: SessionPrincipal) => Promise<void>): Promise<void> {
  const fx = await createIdentityFixture(backend);
  try {
    const admin = await fx.signInAdmin();
    const { user } = await fx.identity.createUser(admin, { username: 'alice', password: PASSWORD });
    await fx.store.transact((tx) => tx.updateUser(user.id, { mustChangePassword: false, updatedAtMs: fx.clock.nowMs() }));
    const result = await fx.identity.login({ username: 'alice', password: PASSWORD, ip: '198.51.100.7' });
    if (result.kind !== 'signed-in') throw new Error('alice could not sign in');
    await work(fx, admin, result.principal);
  } finally {
    await fx.close();
  }
}

const forbidden = (error: unknown): boolean => isAppError(error, 'forbidden');

for (const backend of testBackends) {
  describe(`identity API tokens on ${backend}`, { concurrency: false }, () => {
    test('a token is shown once and authenticates with its own scopes and its owner\'s roles and groups', () =>
      withFixture(backend, async (fx, admin, alice) => {
        await fx.identity.createGroup(admin, { name: 'dba' });
        await fx.identity.addGroupMember(admin, 'dba', alice.userId);
        const created = await fx.identity.createApiToken(alice, { name: 'laptop', scopes: ['requests:write', 'requests:read'] });
        assert.match(created.tokenText, /^writ_[0-9a-f]{32}_[A-Za-z0-9_-]{43}$/);
        const principal = await fx.identity.authenticateApiToken(created.tokenText, { ip: '198.51.100.8', userAgent: 'writ-cli' });
        assert.deepEqual(principal, {
          userId: alice.userId, username: 'alice', kind: 'person', roles: ['user'], groups: ['dba'], scopes: ['requests:read', 'requests:write'],
          mustChangePassword: false, ip: '198.51.100.8', userAgent: 'writ-cli', via: 'token', tokenId: created.token.id,
        });
        const listed = await fx.identity.listApiTokens(alice);
        assert.deepEqual(listed.items, [{ ...created.token, lastUsedAtMs: fx.clock.nowMs() }]);
        const secret = parseApiToken(created.tokenText)?.secret ?? '';
        assert.ok(!JSON.stringify(listed).includes(secret));
        const wrongSecret = created.tokenText.slice(0, -4) + (created.tokenText.endsWith('AAAA') ? 'BBBB' : 'AAAA');
        for (const text of [wrongSecret, 'writ_x', created.tokenText.replace(/^writ_[0-9a-f]{4}/, 'writ_ffff'), '']) {
          assert.equal(await fx.identity.authenticateApiToken(text), undefined, text);
        }
      }));

    test('nobody hands out more than they hold or than the owner may hold', () =>
      withFixture(backend, async (fx, admin, alice) => {
        await assert.rejects(fx.identity.createApiToken(alice, { name: 'x', scopes: ['admin'] }), forbidden);
        await assert.rejects(fx.identity.createApiToken(alice, { name: 'x', scopes: ['log:read'] }), forbidden);
        await assert.rejects(fx.identity.createApiToken(admin, { name: 'x', scopes: ['log:read'], ownerId: alice.userId }), forbidden);
        await assert.rejects(fx.identity.createApiToken(alice, { name: 'x', scopes: ['requests:read'], ownerId: admin.userId }), forbidden);
        const narrow = await fx.identity.createApiToken(alice, { name: 'narrow', scopes: ['requests:read'] });
        const narrowPrincipal = await fx.identity.authenticateApiToken(narrow.tokenText);
        assert.ok(narrowPrincipal !== undefined);
        await assert.rejects(fx.identity.createApiToken(narrowPrincipal, { name: 'wider', scopes: ['requests:write'] }), forbidden);
        await fx.identity.createApiToken(narrowPrincipal, { name: 'same', scopes: ['requests:read'] });
        const adminRead = await fx.identity.createApiToken(admin, { name: 'reader', scopes: ['requests:read'] });
        const adminReadPrincipal = await fx.identity.authenticateApiToken(adminRead.tokenText);
        assert.ok(adminReadPrincipal !== undefined);
        await assert.rejects(fx.identity.createUser(adminReadPrincipal, { username: 'eve' }), forbidden);
        await assert.rejects(fx.identity.createApiToken(alice, { name: 'narrow', scopes: ['requests:read'] }), (error) => isAppError(error, 'conflict'));
        await fx.identity.createApiToken(admin, { name: 'service', scopes: ['events:write', 'admin'] });
        await assert.rejects(fx.identity.listApiTokens(alice, { allOwners: true }), forbidden);
        assert.equal((await fx.identity.listApiTokens(admin, { allOwners: true, limit: 2 })).items.length, 2);
      }));

    test('expiry and revocation stop a token at once; only its owner or an admin may revoke it, audited', () =>
      withFixture(backend, async (fx, admin, alice) => {
        const now = fx.clock.nowMs();
        await assert.rejects(fx.identity.createApiToken(alice, { name: 'old', scopes: ['requests:read'], expiresAtMs: now }), (error) => isAppError(error, 'invalid_input'));
        const expiring = await fx.identity.createApiToken(alice, { name: 'hour', scopes: ['requests:read'], expiresAtMs: now + 3_600_000 });
        assert.ok((await fx.identity.authenticateApiToken(expiring.tokenText)) !== undefined);
        fx.clock.advanceMs(3_600_000);
        assert.equal(await fx.identity.authenticateApiToken(expiring.tokenText), undefined);
        const kept = await fx.identity.createApiToken(admin, { name: 'kept', scopes: ['requests:read'] });
        await assert.rejects(fx.identity.revokeApiToken(alice, kept.token.id), (error) => isAppError(error, 'not_found'));
        const mine = await fx.identity.createApiToken(alice, { name: 'mine', scopes: ['requests:read'] });
        await fx.identity.revokeApiToken(alice, mine.token.id);
        await fx.identity.revokeApiToken(admin, mine.token.id);
        assert.equal(await fx.identity.authenticateApiToken(mine.tokenText), undefined);
        const revoked = (await fx.events()).filter((r) => r.event.type === 'auth.api_token.revoked');
        assert.deepEqual(revoked.map((r) => r.event.data), [{ tokenId: mine.token.id, ownerId: alice.userId }]);
        const other = await fx.identity.createApiToken(alice, { name: 'other', scopes: ['requests:read'] });
        await fx.identity.disableUser(admin, alice.userId);
        assert.equal(await fx.identity.authenticateApiToken(other.tokenText), undefined);
      }));

    test('use is recorded at most once per token per hour, with the last-use time', () =>
      withFixture(backend, async (fx, _admin, alice) => {
        const created = await fx.identity.createApiToken(alice, { name: 'ci', scopes: ['requests:read'] });
        const usedEvents = async (): Promise<number> => (await fx.events()).filter((r) => r.event.type === 'auth.api_token.used').length;
        const first = fx.clock.nowMs();
        for (let i = 0; i < 6; i += 1) {
          assert.ok((await fx.identity.authenticateApiToken(created.tokenText, { ip: '198.51.100.9' })) !== undefined);
          fx.clock.advanceMs(10 * 60_000 - 1);
        }
        assert.equal(await usedEvents(), 1);
        fx.clock.advanceMs(6);
        await fx.identity.authenticateApiToken(created.tokenText);
        assert.equal(await usedEvents(), 2);
        const [token] = (await fx.identity.listApiTokens(alice)).items;
        assert.equal(token?.lastUsedAtMs, first + 60 * 60_000);
        const used = (await fx.events()).find((r) => r.event.type === 'auth.api_token.used')?.event;
        assert.deepEqual([used?.actor.id, used?.actor.authMethod, used?.actor.ip], [alice.userId, 'api_token', '198.51.100.9']);
      }));

    test('no password, password hash, session token, CSRF token or token secret ever reaches the ledger', () =>
      withFixture(backend, async (fx, admin, alice) => {
        const secrets: string[] = [PASSWORD];
        const bob = await fx.identity.createUser(admin, { username: 'bob' });
        secrets.push(bob.oneTimePassword ?? 'missing');
        const signIn = await fx.identity.login({ username: 'bob', password: bob.oneTimePassword ?? '', ip: '198.51.100.10' });
        if (signIn.kind !== 'signed-in') throw new Error(`bob could not sign in: ${signIn.kind}`);
        secrets.push(signIn.sessionToken, signIn.csrfToken);
        await fx.identity.changePassword(signIn.principal, { currentPassword: bob.oneTimePassword ?? '', newPassword: 'tulip garden at dawn' });
        await fx.identity.changePassword(signIn.principal, { currentPassword: 'a wrong guess here', newPassword: 'river stone over moss' });
        secrets.push('tulip garden at dawn', 'river stone over moss', 'a wrong guess here');
        const reset = await fx.identity.resetPassword(admin, bob.user.id);
        secrets.push(reset.oneTimePassword ?? 'missing');
        const token = await fx.identity.createApiToken(alice, { name: 'ci', scopes: ['requests:read'] });
        await fx.identity.authenticateApiToken(token.tokenText);
        await fx.identity.login({ username: 'alice', password: 'wrong alice password', ip: '198.51.100.11' });
        secrets.push(token.tokenText, parseApiToken(token.tokenText)?.secret ?? 'missing', 'wrong alice password');
        const digests = secrets.flatMap((s) => {
          const digest = createHash('sha256').update(s).digest();
          return [digest.toString('hex'), digest.toString('base64'), digest.toString('base64url')];
        });
        const records = await fx.events();
        assert.ok(records.length >= 12);
        const all = Buffer.concat(records.map((r) => r.bytes)).toString('utf8');
        for (const needle of [...secrets, ...digests, '$argon2']) assert.ok(!all.includes(needle), `the ledger holds ${needle}`);
      }));
  });
}
