// The IdentityStore port over Kysely: one implementation for SQLite and PostgreSQL, writes inside audited transactions.
import type { Kysely } from 'kysely';
import type { IdentityReader, IdentityStore, IdentityTransaction, IdentityWriter, UserPatch } from '../identity/identity-store.ts';
import type { SessionId } from '../identity/session.ts';
import type { LedgerWriter } from '../ledger/ledger-store.ts';
import { AppError } from '../shared/app-error.ts';
import type { AuditedTransactions } from './audited-transaction.ts';
import type { BackendCapabilities } from './dialects/capabilities.ts';
import { apiTokenRow, sessionRow, userRow } from './identity-rows.ts';
import { identityReader } from './kysely-identity-reads.ts';
import type { Database } from './schema.ts';
import type { IdentityUsersTable } from './schema-identity.ts';

type Executor = Kysely<Database>;

/** Rows an update or delete changed. */
function changedCount(result: { numUpdatedRows: bigint } | { numDeletedRows: bigint }): number {
  return Number('numUpdatedRows' in result ? result.numUpdatedRows : result.numDeletedRows);
}

function userPatchRow(patch: UserPatch): Partial<IdentityUsersTable> {
  const row: Partial<IdentityUsersTable> = { updated_at_ms: patch.updatedAtMs };
  if (patch.displayName !== undefined) row.display_name = patch.displayName;
  if (patch.email !== undefined) row.email = patch.email;
  if (patch.roles !== undefined) row.roles = patch.roles.join(',');
  if (patch.disabled !== undefined) row.disabled = patch.disabled ? 1 : 0;
  if (patch.mustChangePassword !== undefined) row.must_change_password = patch.mustChangePassword ? 1 : 0;
  if (patch.passwordHash !== undefined) row.password_hash = patch.passwordHash;
  return row;
}

/** Runs an insert; the driver's unique violation becomes a conflict that names what was taken. */
async function insertUnique(caps: BackendCapabilities, what: string, insert: () => Promise<unknown>): Promise<void> {
  try {
    await insert();
  } catch (error) {
    if (caps.isUniqueViolation(error)) throw new AppError('conflict', `${what} already exists`, { cause: error });
    throw error;
  }
}

function sessionWrites(trx: Executor): Pick<IdentityWriter, 'insertSession' | 'deleteSession' | 'deleteSessionsOfUser'> {
  return {
    async insertSession(session) {
      await trx.insertInto('identity_sessions').values(sessionRow(session)).execute();
    },
    async deleteSession(id) {
      return changedCount(await trx.deleteFrom('identity_sessions').where('id', '=', id).executeTakeFirst()) > 0;
    },
    async deleteSessionsOfUser(userId, exceptId) {
      let query = trx.deleteFrom('identity_sessions').where('user_id', '=', userId);
      if (exceptId !== undefined) query = query.where('id', '<>', exceptId);
      const rows = await query.returning('id').execute();
      return rows.map((row) => row.id as SessionId).sort();
    },
  };
}

function tokenAndFailureWrites(trx: Executor, caps: BackendCapabilities): Pick<
  IdentityWriter,
  'insertApiToken' | 'revokeApiToken' | 'markApiTokenUsed' | 'recordLoginFailure' | 'forgetLoginFailures'
> {
  return {
    insertApiToken: (token) =>
      insertUnique(caps, `a token named "${token.name}" of this user`, () => trx.insertInto('identity_api_tokens').values(apiTokenRow(token)).execute()),
    async revokeApiToken(id, atMs) {
      const result = await trx.updateTable('identity_api_tokens').set({ revoked_at_ms: atMs }).where('id', '=', id).where('revoked_at_ms', 'is', null).executeTakeFirst();
      return changedCount(result) > 0;
    },
    async markApiTokenUsed(id, atMs, unlessSinceMs) {
      const result = await trx
        .updateTable('identity_api_tokens')
        .set({ last_used_at_ms: atMs })
        .where('id', '=', id)
        .where((eb) => eb.or([eb('last_used_at_ms', 'is', null), eb('last_used_at_ms', '<', unlessSinceMs)]))
        .executeTakeFirst();
      return changedCount(result) > 0;
    },
    async recordLoginFailure(failure) {
      await trx.insertInto('identity_login_failures').values({ account_key: failure.accountKey, ip: failure.ip ?? null, at_ms: failure.atMs }).execute();
    },
    async forgetLoginFailures(accountKey, staleBeforeMs) {
      await trx.deleteFrom('identity_login_failures').where('at_ms', '<', staleBeforeMs).execute();
      if (accountKey !== undefined) await trx.deleteFrom('identity_login_failures').where('account_key', '=', accountKey).execute();
    },
  };
}

function identityWriter(trx: Executor, caps: BackendCapabilities): IdentityWriter {
  return {
    insertUser: (user) =>
      insertUnique(caps, `a user named "${user.username}"`, () => trx.insertInto('identity_users').values(userRow(user)).execute()),
    async updateUser(id, patch) {
      const result = await trx.updateTable('identity_users').set(userPatchRow(patch)).where('id', '=', id).executeTakeFirst();
      if (changedCount(result) !== 1) throw new AppError('not_found', `user ${id} does not exist`);
    },
    insertGroup: (group) =>
      insertUnique(caps, `a group named "${group.name}"`, () =>
        trx.insertInto('identity_groups').values({ id: group.id, name: group.name, description: group.description, created_at_ms: group.createdAtMs }).execute(),
      ),
    async deleteGroup(id) {
      await trx.deleteFrom('identity_group_members').where('group_id', '=', id).execute();
      await trx.deleteFrom('identity_groups').where('id', '=', id).execute();
    },
    async addGroupMember(groupId, userId, atMs) {
      const existing = await trx.selectFrom('identity_group_members').select('user_id').where('group_id', '=', groupId).where('user_id', '=', userId).executeTakeFirst();
      if (existing !== undefined) return false;
      await trx.insertInto('identity_group_members').values({ group_id: groupId, user_id: userId, added_at_ms: atMs }).execute();
      return true;
    },
    async removeGroupMember(groupId, userId) {
      const result = await trx.deleteFrom('identity_group_members').where('group_id', '=', groupId).where('user_id', '=', userId).executeTakeFirst();
      return changedCount(result) > 0;
    },
    ...sessionWrites(trx),
    ...tokenAndFailureWrites(trx, caps),
  };
}

function transactionOver(trx: Executor, ledger: LedgerWriter, caps: BackendCapabilities): IdentityTransaction {
  const reader: IdentityReader = identityReader(trx);
  return { ...reader, ...identityWriter(trx, caps), ledger };
}

/**
 * Creates the identity store; its transactions are the audited transactions of the ledger (ARCHITECTURE rule 2).
 * @example const store = createKyselyIdentityStore(db, createAuditedTransactions(db, caps, notify), caps)
 */
export function createKyselyIdentityStore(db: Executor, transactions: AuditedTransactions, caps: BackendCapabilities): IdentityStore {
  return {
    ...identityReader(db),
    transact: (work) => transactions.run((trx, ledger) => work(transactionOver(trx, ledger, caps))),
    async touchSession(id, lastSeenAtMs) {
      await db.updateTable('identity_sessions').set({ last_seen_at_ms: lastSeenAtMs }).where('id', '=', id).where('last_seen_at_ms', '<', lastSeenAtMs).execute();
    },
  };
}
