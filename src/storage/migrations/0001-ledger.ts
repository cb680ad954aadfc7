// Migration 1: the ledger's tables: pending entries, sequenced entries, personal data, tiles, checkpoints, metadata.
import type { Kysely } from 'kysely';
import type { BackendCapabilities } from '../dialects/capabilities.ts';

export async function up(db: Kysely<unknown>, caps: BackendCapabilities): Promise<void> {
  await db.schema
    .createTable('writ_meta')
    .addColumn('key', 'varchar(128)', (c) => c.primaryKey())
    .addColumn('value', 'text', (c) => c.notNull())
    .execute();
  await db.schema
    .createTable('log_pending')
    .addColumn('seq', caps.serialType, (c) => caps.serialPrimaryKey(c))
    .addColumn('event_id', 'varchar(36)', (c) => c.notNull().unique())
    .addColumn('event_time', 'varchar(32)', (c) => c.notNull())
    .addColumn('event_type', 'varchar(128)', (c) => c.notNull())
    .addColumn('actor_id', 'varchar(256)', (c) => c.notNull())
    .addColumn('outcome', 'varchar(16)', (c) => c.notNull())
    .addColumn('entry', caps.bytesType, (c) => c.notNull())
    .addColumn('leaf_hash', caps.bytesType, (c) => c.notNull())
    .execute();
  await db.schema
    .createTable('log_entries')
    .addColumn('idx', 'bigint', (c) => c.primaryKey())
    .addColumn('event_id', 'varchar(36)', (c) => c.notNull().unique())
    .addColumn('event_time', 'varchar(32)', (c) => c.notNull())
    .addColumn('event_type', 'varchar(128)', (c) => c.notNull())
    .addColumn('actor_id', 'varchar(256)', (c) => c.notNull())
    .addColumn('outcome', 'varchar(16)', (c) => c.notNull())
    .addColumn('entry', caps.bytesType, (c) => c.notNull())
    .execute();
  await db.schema.createIndex('log_entries_time').on('log_entries').columns(['event_time']).execute();
  await db.schema.createIndex('log_entries_type').on('log_entries').columns(['event_type', 'idx']).execute();
  await db.schema.createIndex('log_entries_actor').on('log_entries').columns(['actor_id', 'idx']).execute();
  await db.schema
    .createTable('log_personal')
    .addColumn('event_id', 'varchar(36)', (c) => c.primaryKey())
    .addColumn('salt', caps.bytesType, (c) => c.notNull())
    .addColumn('value', caps.bytesType, (c) => c.notNull())
    .execute();
  await db.schema
    .createTable('log_tiles')
    .addColumn('level', 'integer', (c) => c.notNull())
    .addColumn('tile_index', 'bigint', (c) => c.notNull())
    .addColumn('hashes', caps.bytesType, (c) => c.notNull())
    .addPrimaryKeyConstraint('log_tiles_pk', ['level', 'tile_index'])
    .execute();
  await db.schema
    .createTable('log_checkpoints')
    .addColumn('size', 'bigint', (c) => c.primaryKey())
    .addColumn('root_hash', caps.bytesType, (c) => c.notNull())
    .addColumn('note', 'text', (c) => c.notNull())
    .addColumn('created_at_ms', 'bigint', (c) => c.notNull())
    .execute();
}
