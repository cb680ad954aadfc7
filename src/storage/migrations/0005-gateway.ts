// Migration 5: the gateway's credentials (SCRAM verifiers of short-lived passwords, one grant each).
import type { Kysely } from 'kysely';
import type { BackendCapabilities } from '../dialects/capabilities.ts';

export async function up(db: Kysely<unknown>, caps: BackendCapabilities): Promise<void> {
  await db.schema
    .createTable('gateway_credentials')
    .addColumn('id', 'varchar(36)', (c) => c.primaryKey())
    .addColumn('user_id', 'varchar(64)', (c) => c.notNull())
    .addColumn('resource_id', 'varchar(64)', (c) => c.notNull())
    .addColumn('grant_id', 'varchar(36)', (c) => c.notNull())
    .addColumn('level', 'varchar(64)', (c) => c.notNull())
    .addColumn('scram_salt', caps.bytesType, (c) => c.notNull())
    .addColumn('scram_iterations', 'integer', (c) => c.notNull())
    .addColumn('scram_stored_key', caps.bytesType, (c) => c.notNull())
    .addColumn('scram_server_key', caps.bytesType, (c) => c.notNull())
    .addColumn('created_at_ms', 'bigint', (c) => c.notNull())
    .addColumn('expires_at_ms', 'bigint', (c) => c.notNull())
    .execute();
  // The gateway's lookup at every connection, and the cap per user and resource at every issue.
  await db.schema.createIndex('gateway_credentials_user').on('gateway_credentials').columns(['user_id', 'resource_id', 'expires_at_ms']).execute();
  // The purge of long-expired credentials.
  await db.schema.createIndex('gateway_credentials_expiry').on('gateway_credentials').columns(['expires_at_ms']).execute();
}
