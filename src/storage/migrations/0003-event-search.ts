// Migration 3: event search: targets, request and grant ids and reasons by log index, time blocks, and outcome order.
import { sql, type Kysely } from 'kysely';
import { backfillSearch } from '../event-search-index.ts';
import type { Database } from '../schema.ts';

export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema
    .createTable('log_event_search')
    .addColumn('idx', 'bigint', (c) => c.primaryKey())
    .addColumn('request_id', 'varchar(128)')
    .addColumn('grant_id', 'varchar(128)')
    .addColumn('reason_folded', 'text')
    .execute();
  await db.schema.createIndex('log_event_search_request').on('log_event_search').columns(['request_id', 'idx']).where(sql.ref('request_id'), 'is not', null).execute();
  await db.schema.createIndex('log_event_search_grant').on('log_event_search').columns(['grant_id', 'idx']).where(sql.ref('grant_id'), 'is not', null).execute();
  await db.schema
    .createTable('log_event_targets')
    .addColumn('target_kind', 'varchar(64)', (c) => c.notNull())
    .addColumn('target_id', 'varchar(256)', (c) => c.notNull())
    .addColumn('idx', 'bigint', (c) => c.notNull())
    .addPrimaryKeyConstraint('log_event_targets_pk', ['target_kind', 'target_id', 'idx'])
    .execute();
  await db.schema
    .createTable('log_time_blocks')
    .addColumn('block_index', 'bigint', (c) => c.primaryKey())
    .addColumn('min_time', 'varchar(32)', (c) => c.notNull())
    .addColumn('max_time', 'varchar(32)', (c) => c.notNull())
    .execute();
  // Outcome pages walk (outcome, idx); time filters go through log_time_blocks, so the plain time index has no reader left.
  await db.schema.createIndex('log_entries_outcome').on('log_entries').columns(['outcome', 'idx']).execute();
  await db.schema.dropIndex('log_entries_time').execute();
  await backfillSearch(db as unknown as Kysely<Database>);
}
