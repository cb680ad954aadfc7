// The read side of the identity store over Kysely, usable on the database or inside a transaction.
import type { Kysely } from 'kysely';
import type { IdentityReader } from '../identity/identity-store.ts';
import { toApiToken, toApiTokenRecord, toGroup, toSession, toUser, toUserRecord } from './identity-rows.ts';
import type { Database } from './schema.ts';

type Executor = Kysely<Database>;

function toBuffer(bytes: Uint8Array): Buffer {
  return Buffer.isBuffer(bytes) ? bytes : Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
}

function userReads(db: Executor): Pick<IdentityReader, 'countUsers' | 'findUserById' | 'findUserByUsername' | 'listUsers'> {
  return {
    async countUsers() {
      const row = await db.selectFrom('identity_users').select((eb) => eb.fn.countAll<number | string>().as('count')).executeTakeFirst();
      return Number(row?.count ?? 0);
    },
    async findUserById(id) {
      const row = await db.selectFrom('identity_users').selectAll().where('id', '=', id).executeTakeFirst();
      return row === undefined ? undefined : toUserRecord(row);
    },
    async findUserByUsername(username) {
      const row = await db.selectFrom('identity_users').selectAll().where('username', '=', username).executeTakeFirst();
      return row === undefined ? undefined : toUserRecord(row);
    },
    async listUsers(page) {
      let query = db.selectFrom('identity_users').selectAll().orderBy('username').limit(page.limit);
      if (page.after !== undefined) query = query.where('username', '>', page.after);
      return (await query.execute()).map(toUser);
    },
  };
}

function groupReads(db: Executor): Pick<IdentityReader, 'findGroupByName' | 'listGroups' | 'listGroupMembers' | 'countGroupMembers' | 'groupNamesOf'> {
  return {
    async findGroupByName(name) {
      const row = await db.selectFrom('identity_groups').selectAll().where('name', '=', name).executeTakeFirst();
      return row === undefined ? undefined : toGroup(row);
    },
    async listGroups(page) {
      let query = db.selectFrom('identity_groups').selectAll().orderBy('name').limit(page.limit);
      if (page.after !== undefined) query = query.where('name', '>', page.after);
      return (await query.execute()).map(toGroup);
    },
    async listGroupMembers(groupId, page) {
      let query = db
        .selectFrom('identity_users')
        .innerJoin('identity_group_members', 'identity_group_members.user_id', 'identity_users.id')
        .selectAll('identity_users')
        .where('identity_group_members.group_id', '=', groupId)
        .orderBy('identity_users.username')
        .limit(page.limit);
      if (page.after !== undefined) query = query.where('identity_users.username', '>', page.after);
      return (await query.execute()).map(toUser);
    },
    async countGroupMembers(groupId) {
      const row = await db
        .selectFrom('identity_group_members')
        .select((eb) => eb.fn.countAll<number | string>().as('count'))
        .where('group_id', '=', groupId)
        .executeTakeFirst();
      return Number(row?.count ?? 0);
    },
    async groupNamesOf(userId) {
      const rows = await db
        .selectFrom('identity_groups')
        .innerJoin('identity_group_members', 'identity_group_members.group_id', 'identity_groups.id')
        .select('identity_groups.name')
        .where('identity_group_members.user_id', '=', userId)
        .orderBy('identity_groups.name')
        .execute();
      return rows.map((row) => row.name);
    },
  };
}

function credentialReads(db: Executor): Pick<IdentityReader, 'findSessionById' | 'findSessionByTokenDigest' | 'findApiToken' | 'listApiTokens' | 'recentLoginFailures'> {
  return {
    async findSessionById(id) {
      const row = await db.selectFrom('identity_sessions').selectAll().where('id', '=', id).executeTakeFirst();
      return row === undefined ? undefined : toSession(row);
    },
    async findSessionByTokenDigest(digest) {
      const row = await db.selectFrom('identity_sessions').selectAll().where('token_digest', '=', toBuffer(digest)).executeTakeFirst();
      return row === undefined ? undefined : toSession(row);
    },
    async findApiToken(id) {
      const row = await db.selectFrom('identity_api_tokens').selectAll().where('id', '=', id).executeTakeFirst();
      return row === undefined ? undefined : toApiTokenRecord(row);
    },
    async listApiTokens(ownerId, page) {
      let query = db
        .selectFrom('identity_api_tokens')
        .select(['id', 'owner_id', 'name', 'scopes', 'created_at_ms', 'expires_at_ms', 'last_used_at_ms', 'revoked_at_ms'])
        .orderBy('id')
        .limit(page.limit);
      if (ownerId !== undefined) query = query.where('owner_id', '=', ownerId);
      if (page.after !== undefined) query = query.where('id', '>', page.after);
      return (await query.execute()).map(toApiToken);
    },
    async recentLoginFailures(query) {
      const times = async (column: 'account_key' | 'ip', value: string): Promise<number[]> => {
        const rows = await db
          .selectFrom('identity_login_failures')
          .select('at_ms')
          .where(column, '=', value)
          .where('at_ms', '>=', query.sinceMs)
          .orderBy('at_ms', 'desc')
          .limit(query.limit)
          .execute();
        return rows.map((row) => row.at_ms);
      };
      return { accountMs: await times('account_key', query.accountKey), ipMs: query.ip === undefined ? [] : await times('ip', query.ip) };
    },
  };
}

/**
 * The identity reads over an executor (the database, or a transaction to read what it has written).
 * @example await identityReader(db).findUserByUsername('admin')
 */
export function identityReader(db: Executor): IdentityReader {
  return { ...userReads(db), ...groupReads(db), ...credentialReads(db) };
}
