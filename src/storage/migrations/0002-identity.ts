// Migration 2: the identity tables: users, groups and memberships, browser sessions, API tokens, login failures.
import type { Kysely } from 'kysely';
import type { BackendCapabilities } from '../dialects/capabilities.ts';

async function createUsersAndGroups(db: Kysely<unknown>): Promise<void> {
  await db.schema
    .createTable('identity_users')
    .addColumn('id', 'varchar(36)', (c) => c.primaryKey())
    .addColumn('username', 'varchar(64)', (c) => c.notNull().unique())
    .addColumn('display_name', 'varchar(256)', (c) => c.notNull())
    .addColumn('email', 'varchar(320)')
    .addColumn('kind', 'varchar(16)', (c) => c.notNull())
    .addColumn('roles', 'varchar(64)', (c) => c.notNull())
    .addColumn('disabled', 'integer', (c) => c.notNull())
    .addColumn('must_change_password', 'integer', (c) => c.notNull())
    .addColumn('password_hash', 'varchar(256)')
    .addColumn('created_at_ms', 'bigint', (c) => c.notNull())
    .addColumn('updated_at_ms', 'bigint', (c) => c.notNull())
    .execute();
  await db.schema
    .createTable('identity_groups')
    .addColumn('id', 'varchar(36)', (c) => c.primaryKey())
    .addColumn('name', 'varchar(64)', (c) => c.notNull().unique())
    .addColumn('description', 'varchar(1024)', (c) => c.notNull())
    .addColumn('created_at_ms', 'bigint', (c) => c.notNull())
    .execute();
  await db.schema
    .createTable('identity_group_members')
    .addColumn('group_id', 'varchar(36)', (c) => c.notNull().references('identity_groups.id').onDelete('cascade'))
    .addColumn('user_id', 'varchar(36)', (c) => c.notNull().references('identity_users.id').onDelete('cascade'))
    .addColumn('added_at_ms', 'bigint', (c) => c.notNull())
    .addPrimaryKeyConstraint('identity_group_members_pk', ['group_id', 'user_id'])
    .execute();
  await db.schema.createIndex('identity_group_members_user').on('identity_group_members').columns(['user_id']).execute();
}

async function createCredentials(db: Kysely<unknown>, caps: BackendCapabilities): Promise<void> {
  await db.schema
    .createTable('identity_sessions')
    .addColumn('id', 'varchar(36)', (c) => c.primaryKey())
    .addColumn('user_id', 'varchar(36)', (c) => c.notNull().references('identity_users.id').onDelete('cascade'))
    .addColumn('token_digest', caps.bytesType, (c) => c.notNull().unique())
    .addColumn('csrf_digest', caps.bytesType, (c) => c.notNull())
    .addColumn('created_at_ms', 'bigint', (c) => c.notNull())
    .addColumn('last_seen_at_ms', 'bigint', (c) => c.notNull())
    .addColumn('expires_at_ms', 'bigint', (c) => c.notNull())
    .addColumn('ip', 'varchar(64)')
    .addColumn('user_agent', 'varchar(1024)')
    .execute();
  await db.schema.createIndex('identity_sessions_user').on('identity_sessions').columns(['user_id']).execute();
  await db.schema
    .createTable('identity_api_tokens')
    .addColumn('id', 'varchar(36)', (c) => c.primaryKey())
    .addColumn('owner_id', 'varchar(36)', (c) => c.notNull().references('identity_users.id').onDelete('cascade'))
    .addColumn('name', 'varchar(128)', (c) => c.notNull())
    .addColumn('scopes', 'varchar(512)', (c) => c.notNull())
    .addColumn('secret_digest', caps.bytesType, (c) => c.notNull())
    .addColumn('created_at_ms', 'bigint', (c) => c.notNull())
    .addColumn('expires_at_ms', 'bigint')
    .addColumn('last_used_at_ms', 'bigint')
    .addColumn('revoked_at_ms', 'bigint')
    .addUniqueConstraint('identity_api_tokens_owner_name', ['owner_id', 'name'])
    .execute();
  await db.schema
    .createTable('identity_login_failures')
    .addColumn('seq', caps.serialType, (c) => caps.serialPrimaryKey(c))
    .addColumn('account_key', 'varchar(128)', (c) => c.notNull())
    .addColumn('ip', 'varchar(64)')
    .addColumn('at_ms', 'bigint', (c) => c.notNull())
    .execute();
  await db.schema.createIndex('identity_login_failures_account').on('identity_login_failures').columns(['account_key', 'at_ms']).execute();
  await db.schema.createIndex('identity_login_failures_ip').on('identity_login_failures').columns(['ip', 'at_ms']).execute();
  await db.schema.createIndex('identity_login_failures_time').on('identity_login_failures').columns(['at_ms']).execute();
}

export async function up(db: Kysely<unknown>, caps: BackendCapabilities): Promise<void> {
  await createUsersAndGroups(db);
  await createCredentials(db, caps);
}
