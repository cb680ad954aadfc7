// Migration 7: retention: legal holds, and the sequenced entries whose content retention removed (index and event id only).
import type { Kysely } from 'kysely';

export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema
    .createTable('retention_holds')
    .addColumn('id', 'varchar(36)', (c) => c.primaryKey())
    .addColumn('kind', 'varchar(16)', (c) => c.notNull())
    .addColumn('subject_id', 'varchar(256)')
    .addColumn('resource_id', 'varchar(256)')
    .addColumn('from_time', 'varchar(32)')
    .addColumn('to_time', 'varchar(32)')
    .addColumn('reason', 'text', (c) => c.notNull())
    .addColumn('placed_by', 'varchar(64)', (c) => c.notNull())
    .addColumn('placed_at_ms', 'bigint', (c) => c.notNull())
    .addColumn('released_by', 'varchar(64)')
    .addColumn('released_at_ms', 'bigint')
    .addColumn('release_reason', 'text')
    .execute();
  await db.schema
    .createTable('log_removed_entries')
    .addColumn('idx', 'bigint', (c) => c.primaryKey())
    .addColumn('event_id', 'varchar(36)', (c) => c.notNull().unique())
    .addColumn('removed_at_ms', 'bigint', (c) => c.notNull())
    .execute();
}
