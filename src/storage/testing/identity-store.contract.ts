// The IdentityStore contract: every backend must pass these same tests.
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { createAuditEntryFactory } from '../../events/audit-entry.ts';
import type { ApiTokenId, ApiTokenRecord } from '../../identity/api-token.ts';
import type { GroupId } from '../../identity/group.ts';
import type { IdentityStore } from '../../identity/identity-store.ts';
import type { SessionId, SessionRecord } from '../../identity/session.ts';
import type { UserId, UserRecord } from '../../identity/user.ts';
import type { LedgerStore } from '../../ledger/ledger-store.ts';
import { isAppError } from '../../shared/app-error.ts';
import { createManualClock } from '../../shared/clock.ts';
import { createUuidV7Generator } from '../../shared/ids.ts';
import { createAuditedTransactions } from '../audited-transaction.ts';
import { createKyselyIdentityStore } from '../kysely-identity-store.ts';
import { createKyselyLedgerStore } from '../kysely-ledger-store.ts';
import { openDatabase } from '../open-database.ts';
import { createTestDatabase } from './test-databases.ts';

const T = Date.UTC(2026, 10, 25, 9);
const ids = createUuidV7Generator(createManualClock(T));
const digest = (byte: number): Uint8Array => Buffer.alloc(32, byte);

function user(username: string, extra: Partial<UserRecord> = {}): UserRecord {
  return {
    id: ids.next() as UserId,
    username,
    displayName: username.toUpperCase(),
    email: undefined,
    kind: 'person',
    roles: ['user'],
    disabled: false,
    mustChangePassword: false,
    passwordHash: '$argon2id$v=19$m=1024,t=1,p=1$c2FsdHNhbHQ$aGFzaA',
    createdAtMs: T,
    updatedAtMs: T,
    ...extra,
  };
}

function session(userId: UserId, byte: number): SessionRecord {
  return { id: ids.next() as SessionId, userId, tokenDigest: digest(byte), csrfDigest: digest(byte + 100), createdAtMs: T, lastSeenAtMs: T, expiresAtMs: T + 3_600_000, ip: '192.0.2.1', userAgent: undefined };
}

function token(ownerId: UserId, name: string): ApiTokenRecord {
  return { id: ids.next() as ApiTokenId, ownerId, name, scopes: ['log:read', 'requests:read'], createdAtMs: T, expiresAtMs: undefined, lastUsedAtMs: undefined, revokedAtMs: undefined, secretDigest: digest(9) };
}

async function withStore(backend: 'sqlite' | 'postgres', work: (store: IdentityStore, ledger: LedgerStore) => Promise<void>): Promise<void> {
  const database = await createTestDatabase(backend);
  const opened = await openDatabase({ dataDir: database.dataDir, pgUrl: database.pgUrl, durability: 'normal' });
  try {
    const transactions = createAuditedTransactions(opened.db, opened.capabilities, () => undefined);
    await work(createKyselyIdentityStore(opened.db, transactions, opened.capabilities), createKyselyLedgerStore(opened.db, opened.capabilities));
  } finally {
    await opened.close();
    await database.dispose();
  }
}

const isConflict = (error: unknown): boolean => isAppError(error, 'conflict');

/** Registers the contract tests for one backend. */
export function identityStoreContract(backend: 'sqlite' | 'postgres'): void {
  describe(`IdentityStore contract on ${backend}`, { concurrency: false }, () => {
    test('users: insert, find, page by username, patch, unique usernames', () =>
      withStore(backend, async (store) => {
        const alice = user('alice', { email: 'alice@example.com', roles: ['admin', 'user'] });
        await store.transact(async (tx) => {
          for (const u of [user('carol'), alice, user('bob', { kind: 'service', passwordHash: undefined })]) await tx.insertUser(u);
        });
        assert.equal(await store.countUsers(), 3);
        assert.deepEqual(await store.findUserById(alice.id), alice);
        assert.deepEqual(await store.findUserByUsername('alice'), alice);
        assert.equal((await store.findUserByUsername('bob'))?.passwordHash, undefined);
        assert.deepEqual((await store.listUsers({ limit: 2, after: undefined })).map((u) => u.username), ['alice', 'bob']);
        assert.deepEqual((await store.listUsers({ limit: 2, after: 'bob' })).map((u) => u.username), ['carol']);
        assert.ok(!('passwordHash' in ((await store.listUsers({ limit: 1, after: undefined }))[0] ?? {})));
        await store.transact((tx) => tx.updateUser(alice.id, { email: null, disabled: true, roles: ['auditor', 'user'], mustChangePassword: true, updatedAtMs: T + 1 }));
        const changed = await store.findUserById(alice.id);
        assert.deepEqual(changed, { ...alice, email: undefined, disabled: true, roles: ['auditor', 'user'], mustChangePassword: true, updatedAtMs: T + 1 });
        await assert.rejects(store.transact((tx) => tx.insertUser(user('alice'))), isConflict);
        await assert.rejects(store.transact((tx) => tx.updateUser(ids.next() as UserId, { updatedAtMs: T })), (error) => isAppError(error, 'not_found'));
      }));

    test('groups: unique names, memberships, a user\'s group names, delete with members', () =>
      withStore(backend, async (store) => {
        const [alice, bob] = [user('alice'), user('bob')];
        const groups = ['oncall', 'dba'].map((name) => ({ id: ids.next() as GroupId, name, description: `${name} people`, createdAtMs: T }));
        const [oncall, dba] = groups as [(typeof groups)[0], (typeof groups)[0]];
        await store.transact(async (tx) => {
          await tx.insertUser(alice);
          await tx.insertUser(bob);
          for (const g of groups) await tx.insertGroup(g);
          assert.equal(await tx.addGroupMember(oncall.id, alice.id, T), true);
          assert.equal(await tx.addGroupMember(oncall.id, alice.id, T), false);
          assert.equal(await tx.addGroupMember(dba.id, alice.id, T), true);
          assert.equal(await tx.addGroupMember(oncall.id, bob.id, T), true);
        });
        assert.deepEqual(await store.findGroupByName('dba'), dba);
        assert.deepEqual((await store.listGroups({ limit: 10, after: undefined })).map((g) => g.name), ['dba', 'oncall']);
        assert.deepEqual(await store.groupNamesOf(alice.id), ['dba', 'oncall']);
        assert.deepEqual((await store.listGroupMembers(oncall.id, { limit: 10, after: 'alice' })).map((u) => u.username), ['bob']);
        assert.equal(await store.countGroupMembers(oncall.id), 2);
        await assert.rejects(store.transact((tx) => tx.insertGroup({ ...dba, id: ids.next() as GroupId })), isConflict);
        await store.transact(async (tx) => {
          assert.equal(await tx.removeGroupMember(dba.id, alice.id), true);
          assert.equal(await tx.removeGroupMember(dba.id, alice.id), false);
          await tx.deleteGroup(oncall.id);
        });
        assert.deepEqual(await store.groupNamesOf(alice.id), []);
        assert.equal(await store.findGroupByName('oncall'), undefined);
      }));

    test('sessions: found by token digest, touched, ended one by one or all but one', () =>
      withStore(backend, async (store) => {
        const alice = user('alice');
        const [s1, s2, s3] = [session(alice.id, 1), session(alice.id, 2), session(alice.id, 3)];
        await store.transact(async (tx) => {
          await tx.insertUser(alice);
          for (const s of [s1, s2, s3]) await tx.insertSession(s);
        });
        assert.deepEqual(await store.findSessionByTokenDigest(digest(2)), s2);
        assert.deepEqual(await store.findSessionById(s1.id), s1);
        assert.equal(await store.findSessionByTokenDigest(digest(7)), undefined);
        await store.touchSession(s1.id, T + 5000);
        await store.touchSession(s1.id, T + 1000);
        assert.equal((await store.findSessionById(s1.id))?.lastSeenAtMs, T + 5000);
        await store.transact(async (tx) => {
          assert.equal(await tx.deleteSession(s3.id), true);
          assert.equal(await tx.deleteSession(s3.id), false);
          assert.deepEqual(await tx.deleteSessionsOfUser(alice.id, s1.id), [s2.id]);
        });
        assert.equal(await store.findSessionById(s2.id), undefined);
        assert.ok((await store.findSessionById(s1.id)) !== undefined);
      }));

    test('API tokens: unique name per owner, listed without secrets, revoked once, use recorded at most once per interval', () =>
      withStore(backend, async (store) => {
        const [alice, bob] = [user('alice'), user('bob')];
        const [t1, t2, t3] = [token(alice.id, 'ci'), token(alice.id, 'laptop'), token(bob.id, 'ci')];
        await store.transact(async (tx) => {
          await tx.insertUser(alice);
          await tx.insertUser(bob);
          for (const t of [t1, t2, t3]) await tx.insertApiToken(t);
        });
        assert.deepEqual(await store.findApiToken(t1.id), t1);
        await assert.rejects(store.transact((tx) => tx.insertApiToken({ ...token(alice.id, 'ci') })), isConflict);
        const listed = await store.listApiTokens(alice.id, { limit: 10, after: undefined });
        assert.deepEqual(listed.map((t) => t.name), ['ci', 'laptop']);
        assert.ok(listed.every((t) => !('secretDigest' in t)));
        assert.equal((await store.listApiTokens(undefined, { limit: 10, after: t1.id })).length, 2);
        await store.transact(async (tx) => {
          assert.equal(await tx.revokeApiToken(t1.id, T + 1), true);
          assert.equal(await tx.revokeApiToken(t1.id, T + 2), false);
          assert.equal(await tx.markApiTokenUsed(t2.id, T + 10, T + 10 - 3_600_000), true);
          assert.equal(await tx.markApiTokenUsed(t2.id, T + 20, T + 20 - 3_600_000), false);
          assert.equal(await tx.markApiTokenUsed(t2.id, T + 3_600_010, T + 11), true);
        });
        assert.equal((await store.findApiToken(t1.id))?.revokedAtMs, T + 1);
        assert.equal((await store.findApiToken(t2.id))?.lastUsedAtMs, T + 3_600_010);
      }));

    test('login failures: newest first per account and per IP, forgotten on success or when stale', () =>
      withStore(backend, async (store) => {
        await store.transact(async (tx) => {
          for (let i = 0; i < 5; i += 1) await tx.recordLoginFailure({ accountKey: 'alice', ip: '192.0.2.1', atMs: T + i });
          await tx.recordLoginFailure({ accountKey: 'bob', ip: '192.0.2.1', atMs: T + 10 });
          await tx.recordLoginFailure({ accountKey: 'bob', ip: undefined, atMs: T + 11 });
        });
        const recent = await store.recentLoginFailures({ accountKey: 'alice', ip: '192.0.2.1', sinceMs: T + 1, limit: 3 });
        assert.deepEqual(recent, { accountMs: [T + 4, T + 3, T + 2], ipMs: [T + 10, T + 4, T + 3] });
        assert.deepEqual(await store.recentLoginFailures({ accountKey: 'bob', ip: undefined, sinceMs: T, limit: 10 }), { accountMs: [T + 11, T + 10], ipMs: [] });
        await store.transact((tx) => tx.forgetLoginFailures('alice', T + 11));
        assert.deepEqual(await store.recentLoginFailures({ accountKey: 'bob', ip: '192.0.2.1', sinceMs: T, limit: 10 }), { accountMs: [T + 11], ipMs: [] });
      }));

    test('a transaction that throws keeps neither its state nor its ledger entries', () =>
      withStore(backend, async (store, ledger) => {
        const auditEntry = createAuditEntryFactory({ clock: createManualClock(T), ids });
        const alice = user('alice');
        const entry = auditEntry({ type: 'identity.user.disabled', actor: { kind: 'system', id: 'writ' }, outcome: 'success', data: { userId: alice.id } });
        await assert.rejects(
          store.transact(async (tx) => {
            await tx.insertUser(alice);
            await tx.ledger.appendPending([entry]);
            assert.equal((await tx.findUserById(alice.id))?.username, 'alice');
            throw new Error('boom');
          }),
          /boom/,
        );
        assert.equal(await store.countUsers(), 0);
        assert.equal(await ledger.countPending(), 0);
        await store.transact(async (tx) => {
          await tx.insertUser(alice);
          await tx.ledger.appendPending([entry]);
        });
        assert.equal(await store.countUsers(), 1);
        assert.equal(await ledger.countPending(), 1);
      }));
  });
}
