// First start, user and group management, passwords and atomicity through the identity service, on both backends.
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import type { SessionPrincipal } from '../identity/principal.ts';
import { isAppError } from '../shared/app-error.ts';
import { createIdentityFixture, type IdentityFixture } from './testing/identity-fixture.ts';
import { testBackends } from './testing/test-databases.ts';

const PASSWORD = 'correct horse battery staple';

async function withFixture(backend: 'sqlite' | 'postgres', work: (fx: IdentityFixture) => Promise<void>): Promise<void> {
  const fx = await createIdentityFixture(backend);
  try {
    await work(fx);
  } finally {
    await fx.close();
  }
}

async function signIn(fx: IdentityFixture, username: string, password: string): Promise<SessionPrincipal> {
  const result = await fx.identity.login({ username, password, ip: '192.0.2.50' });
  if (result.kind !== 'signed-in') throw new Error(`${username} could not sign in: ${result.kind}`);
  return result.principal;
}

/** Creates a user with a known password and no pending change, signed in. */
async function member(fx: IdentityFixture, admin: SessionPrincipal, username: string): Promise<SessionPrincipal> {
  const { user } = await fx.identity.createUser(admin, { username, password: PASSWORD });
  await fx.store.transact((tx) => tx.updateUser(user.id, { mustChangePassword: false, updatedAtMs: fx.clock.nowMs() }));
  return signIn(fx, username, PASSWORD);
}

const types = async (fx: IdentityFixture): Promise<string[]> => (await fx.events()).map((r) => r.event.type);
const forbidden = (error: unknown): boolean => isAppError(error, 'forbidden');

for (const backend of testBackends) {
  describe(`identity administration on ${backend}`, { concurrency: false }, () => {
    test('first start creates admin once, with a one-time password that must be changed', () =>
      withFixture(backend, async (fx) => {
        const [first, second] = await Promise.all([fx.identity.bootstrapAdmin(), fx.identity.bootstrapAdmin()]);
        const created = [first, second].filter((r) => r.kind === 'created');
        assert.equal(created.length, 1);
        assert.deepEqual(await fx.identity.bootstrapAdmin({ password: 'another password 42' }), { kind: 'exists' });
        const result = created[0];
        assert.ok(result?.kind === 'created' && result.oneTimePassword !== undefined);
        assert.deepEqual([result.user.username, result.user.roles, result.user.mustChangePassword], ['admin', ['admin', 'user'], true]);
        const [event] = (await fx.events()).map((r) => r.event);
        assert.deepEqual([event?.type, event?.actor, event?.data.source], ['identity.user.created', { kind: 'system', id: 'writ' }, 'bootstrap']);
        assert.equal((await fx.events()).length, 1);
        const admin = await signIn(fx, 'admin', result.oneTimePassword);
        assert.equal(admin.mustChangePassword, true);
        await assert.rejects(fx.identity.createUser(admin, { username: 'alice' }), (error) => forbidden(error) && /change your password first/.test((error as Error).message));
        assert.deepEqual(await fx.identity.changePassword(admin, { currentPassword: result.oneTimePassword, newPassword: 'root of all trust 2026' }), { kind: 'changed' });
        const fresh = await signIn(fx, 'admin', 'root of all trust 2026');
        assert.equal(fresh.mustChangePassword, false);
        await fx.identity.createUser(fresh, { username: 'alice' });
      }));

    test('a given admin password needs no change; a weak one is refused with the reason', () =>
      withFixture(backend, async (fx) => {
        await assert.rejects(fx.identity.bootstrapAdmin({ password: 'short' }), (error) => isAppError(error, 'invalid_input') && /at least 12/.test((error as Error).message));
        const result = await fx.identity.bootstrapAdmin({ password: 'root of all trust 2026' });
        assert.ok(result.kind === 'created' && result.oneTimePassword === undefined && !result.user.mustChangePassword);
      }));

    test('administrators manage users and roles, each change audited; nobody changes their own roles or disables themself', () =>
      withFixture(backend, async (fx) => {
        const admin = await fx.signInAdmin();
        const alice = await member(fx, admin, 'alice');
        const bob = await member(fx, admin, 'bob');
        const svc = await fx.identity.createUser(admin, { username: 'ci-bot', kind: 'service', roles: ['user'] });
        assert.equal(svc.oneTimePassword, undefined);
        assert.deepEqual(await fx.identity.login({ username: 'ci-bot', password: PASSWORD }), { kind: 'failed' });
        await assert.rejects(fx.identity.createUser(admin, { username: 'Alice' }), (error) => isAppError(error, 'conflict'));
        assert.equal((await fx.identity.updateUser(alice, alice.userId, { displayName: 'Alice A.', email: 'alice@example.com' })).email, 'alice@example.com');
        await assert.rejects(fx.identity.updateUser(alice, bob.userId, { displayName: 'Bobby' }), forbidden);
        await assert.rejects(fx.identity.setRoles(alice, alice.userId, ['admin']), forbidden);
        await assert.rejects(fx.identity.setRoles(admin, admin.userId, ['user']), forbidden);
        await assert.rejects(fx.identity.disableUser(admin, admin.userId), forbidden);
        assert.deepEqual((await fx.identity.setRoles(admin, alice.userId, ['auditor'])).roles, ['auditor', 'user']);
        await assert.rejects(fx.identity.getUser(bob, alice.userId), forbidden);
        assert.equal((await fx.identity.getUser(bob, bob.userId)).username, 'bob');
        const auditor = await signIn(fx, 'alice', PASSWORD);
        assert.equal((await fx.identity.getUser(auditor, bob.userId)).username, 'bob');
        const page = await fx.identity.listUsers(admin, { limit: 2 });
        assert.deepEqual(page.items.map((u) => u.username), ['admin', 'alice']);
        assert.deepEqual((await fx.identity.listUsers(admin, { cursor: page.nextCursor })).items.map((u) => u.username), ['bob', 'ci-bot']);
        await assert.rejects(fx.identity.listUsers(bob), forbidden);
        await assert.rejects(fx.identity.listUsers(admin, { limit: 0 }), (error) => isAppError(error, 'invalid_input'));
        const recorded = (await fx.events()).map((r) => r.event).filter((e) => e.type.startsWith('identity.user.'));
        assert.deepEqual(recorded.map((e) => e.type), ['identity.user.created', 'identity.user.created', 'identity.user.created', 'identity.user.created', 'identity.user.updated', 'identity.user.roles_changed']);
        const updated = recorded[4];
        assert.deepEqual([updated?.data, updated?.personal], [{ userId: alice.userId, changed: ['displayName', 'email'] }, { username: 'alice', displayName: 'Alice A.', email: 'alice@example.com' }]);
        assert.deepEqual(recorded[5]?.data, { userId: alice.userId, oldRoles: ['user'], newRoles: ['auditor', 'user'] });
      }));

    test('groups: administrators create them and change members, audited; principals carry their groups', () =>
      withFixture(backend, async (fx) => {
        const admin = await fx.signInAdmin();
        const alice = await member(fx, admin, 'alice');
        await fx.identity.createGroup(admin, { name: 'DB-Approvers', description: 'Approve database access' });
        await assert.rejects(fx.identity.createGroup(admin, { name: 'db-approvers' }), (error) => isAppError(error, 'conflict'));
        await assert.rejects(fx.identity.createGroup(alice, { name: 'mine' }), forbidden);
        await assert.rejects(fx.identity.addGroupMember(alice, 'db-approvers', alice.userId), forbidden);
        assert.equal(await fx.identity.addGroupMember(admin, 'db-approvers', alice.userId), true);
        assert.equal(await fx.identity.addGroupMember(admin, 'db-approvers', alice.userId), false);
        await assert.rejects(fx.identity.addGroupMember(admin, 'nope', alice.userId), (error) => isAppError(error, 'not_found'));
        assert.deepEqual(await fx.identity.groupsOf(alice.userId), ['db-approvers']);
        const aliceInGroup = await signIn(fx, 'alice', PASSWORD);
        assert.deepEqual(aliceInGroup.groups, ['db-approvers']);
        assert.deepEqual(admin.groups, []);
        assert.deepEqual((await fx.identity.listGroups(aliceInGroup)).items.map((g) => g.name), ['db-approvers']);
        assert.deepEqual((await fx.identity.listGroupMembers(aliceInGroup, 'db-approvers')).items.map((u) => u.username), ['alice']);
        assert.equal(await fx.identity.removeGroupMember(admin, 'db-approvers', alice.userId), true);
        await fx.identity.addGroupMember(admin, 'db-approvers', alice.userId);
        await fx.identity.deleteGroup(admin, 'db-approvers');
        assert.deepEqual(await fx.identity.groupsOf(alice.userId), []);
        const groupEvents = (await fx.events()).map((r) => r.event).filter((e) => e.type.startsWith('identity.group.'));
        assert.deepEqual(groupEvents.map((e) => e.type.slice(15)), ['created', 'member_added', 'member_removed', 'member_added', 'deleted']);
        assert.deepEqual(groupEvents[4]?.data.memberCount, 1);
        assert.ok(groupEvents.every((e) => e.actor.id === admin.userId && e.actor.ip === '192.0.2.1'));
      }));

    test('plain users see only their own groups and those groups\' members; administrators and auditors see all (ADR 0013)', () =>
      withFixture(backend, async (fx) => {
        const admin = await fx.signInAdmin();
        for (const name of ['a-team', 'b-team', 'c-team', 'secret-ops']) await fx.identity.createGroup(admin, { name });
        await member(fx, admin, 'alice');
        const mallory = await member(fx, admin, 'mallory');
        const { user: audrey } = await fx.identity.createUser(admin, { username: 'audrey', password: PASSWORD, roles: ['auditor'] });
        await fx.store.transact((tx) => tx.updateUser(audrey.id, { mustChangePassword: false, updatedAtMs: fx.clock.nowMs() }));
        for (const name of ['c-team', 'a-team', 'secret-ops']) await fx.identity.addGroupMember(admin, name, (await signIn(fx, 'alice', PASSWORD)).userId);
        await fx.identity.addGroupMember(admin, 'b-team', mallory.userId);
        const alice = await signIn(fx, 'alice', PASSWORD);
        const names = async (actor: SessionPrincipal, cursor?: string): Promise<string[]> => (await fx.identity.listGroups(actor, { limit: 2, cursor })).items.map((g) => g.name);
        assert.deepEqual(await names(alice), ['a-team', 'c-team']);
        assert.deepEqual(await names(alice, 'c-team'), ['secret-ops'], 'pages go on after the cursor, in name order');
        assert.deepEqual((await fx.identity.listGroups(alice, { limit: 2 })).nextCursor, 'c-team');
        assert.deepEqual(await names(await signIn(fx, 'mallory', PASSWORD)), ['b-team']);
        const notFound = (error: unknown): boolean => isAppError(error, 'not_found') && /group "secret-ops" does not exist/.test(error.message);
        await assert.rejects(fx.identity.listGroupMembers(await signIn(fx, 'mallory', PASSWORD), 'secret-ops'), notFound, 'another group looks missing');
        assert.deepEqual((await fx.identity.listGroupMembers(alice, 'secret-ops')).items.map((u) => u.username), ['alice']);
        const auditor = await signIn(fx, 'audrey', PASSWORD);
        assert.deepEqual((await fx.identity.listGroups(auditor, { limit: 10 })).items.map((g) => g.name), ['a-team', 'b-team', 'c-team', 'secret-ops']);
        assert.deepEqual((await fx.identity.listGroups(admin, { limit: 10 })).items.map((g) => g.name), ['a-team', 'b-team', 'c-team', 'secret-ops']);
        assert.deepEqual((await fx.identity.listGroupMembers(auditor, 'b-team')).items.map((u) => u.username), ['mallory']);
      }));

    test('a password change needs the current password and ends other sessions; a reset forces a change', () =>
      withFixture(backend, async (fx) => {
        const admin = await fx.signInAdmin();
        const alice = await member(fx, admin, 'alice');
        const other = await fx.identity.login({ username: 'alice', password: PASSWORD });
        assert.ok(other.kind === 'signed-in');
        assert.deepEqual(await fx.identity.changePassword(alice, { currentPassword: 'not my password', newPassword: 'tulip garden at dawn' }), { kind: 'wrong-password' });
        await assert.rejects(fx.identity.changePassword(alice, { currentPassword: PASSWORD, newPassword: 'short' }), (error) => isAppError(error, 'invalid_input'));
        assert.deepEqual(await fx.identity.changePassword(alice, { currentPassword: PASSWORD, newPassword: 'tulip garden at dawn' }), { kind: 'changed' });
        assert.equal(await fx.identity.authenticateSession(other.sessionToken), undefined);
        assert.equal(await fx.identity.verifyCsrf(alice, 'x'), false);
        const changes = (await fx.events()).map((r) => r.event).filter((e) => e.type === 'auth.password.changed');
        assert.deepEqual(changes.map((e) => [e.outcome, e.data.failure]), [['failure', 'bad_current_password'], ['success', undefined]]);
        assert.deepEqual((await fx.events()).map((r) => r.event).find((e) => e.type === 'auth.sessions.revoked')?.data, { userId: alice.userId, sessionIds: [other.principal.sessionId], cause: 'password_changed' });
        await assert.rejects(fx.identity.resetPassword(alice, admin.userId), forbidden);
        const reset = await fx.identity.resetPassword(admin, alice.userId);
        assert.ok(reset.oneTimePassword !== undefined);
        assert.equal(await fx.store.findSessionById(alice.sessionId), undefined);
        const again = await signIn(fx, 'alice', reset.oneTimePassword);
        assert.equal(again.mustChangePassword, true);
        await assert.rejects(fx.identity.createApiToken(again, { name: 'x', scopes: ['requests:read'] }), forbidden);
      }));

    test('atomicity: when the ledger append fails inside a command, its state change is rolled back too', () =>
      withFixture(backend, async (fx) => {
        const admin = await fx.signInAdmin();
        const alice = await member(fx, admin, 'alice');
        const before = await types(fx);
        const attempts: [string, () => Promise<unknown>][] = [
          ['create user', () => fx.identity.createUser(admin, { username: 'bob' })],
          ['disable user', () => fx.identity.disableUser(admin, alice.userId)],
          ['set roles', () => fx.identity.setRoles(admin, alice.userId, ['admin'])],
          ['create group', () => fx.identity.createGroup(admin, { name: 'dba' })],
          ['sign in', () => fx.identity.login({ username: 'alice', password: PASSWORD })],
          ['failed sign-in', () => fx.identity.login({ username: 'alice', password: 'wrong password!' })],
          ['create token', () => fx.identity.createApiToken(alice, { name: 'ci', scopes: ['requests:read'] })],
          ['change password', () => fx.identity.changePassword(alice, { currentPassword: PASSWORD, newPassword: 'tulip garden at dawn' })],
          ['logout', () => fx.identity.logout(alice)],
        ];
        for (const [name, attempt] of attempts) {
          fx.failNextAppend();
          await assert.rejects(attempt(), /injected ledger failure/, name);
        }
        assert.deepEqual(await types(fx), before);
        assert.equal(await fx.store.findUserByUsername('bob'), undefined);
        const stored = await fx.store.findUserById(alice.userId);
        assert.deepEqual([stored?.disabled, stored?.roles], [false, ['user']]);
        assert.equal(await fx.store.findGroupByName('dba'), undefined);
        assert.deepEqual(await fx.store.recentLoginFailures({ accountKey: 'alice', ip: undefined, sinceMs: 0, limit: 10 }), { accountMs: [], ipMs: [] });
        assert.deepEqual((await fx.identity.listApiTokens(alice)).items, []);
        assert.ok((await fx.store.findSessionById(alice.sessionId)) !== undefined);
        assert.deepEqual(await fx.store.transact((tx) => tx.deleteSessionsOfUser(alice.userId, alice.sessionId)), []);
        assert.equal((await signIn(fx, 'alice', PASSWORD)).username, 'alice');
      }));
  });
}
