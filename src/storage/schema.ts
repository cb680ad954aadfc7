// The database schema as Kysely sees it: one interface per table, shared by both backends.
import type { Generated } from 'kysely';
import type { IdentityTables } from './schema-identity.ts';
import type { AccessTables } from './schema-access.ts';
import type { EventSearchTables } from './schema-event-search.ts';
import type { GatewayTables } from './schema-gateway.ts';
import type { RetentionTables } from './schema-retention.ts';

export interface LogPendingTable {
  seq: Generated<number>;
  event_id: string;
  event_time: string;
  event_type: string;
  actor_id: string;
  outcome: string;
  entry: Buffer;
  leaf_hash: Buffer;
}

export interface LogEntriesTable {
  idx: number;
  event_id: string;
  event_time: string;
  event_type: string;
  actor_id: string;
  outcome: string;
  entry: Buffer;
}

export interface LogPersonalTable {
  event_id: string;
  salt: Buffer;
  value: Buffer;
}

export interface LogTilesTable {
  level: number;
  tile_index: number;
  hashes: Buffer;
}

export interface LogCheckpointsTable {
  size: number;
  root_hash: Buffer;
  note: string;
  created_at_ms: number;
}

export interface LogPublishedTable {
  size: number;
  root_hash: Buffer;
  note: string;
  created_at_ms: number;
  published_at_ms: number;
}

export interface MetaTable {
  key: string;
  value: string;
}

export interface Database extends IdentityTables, AccessTables, EventSearchTables, GatewayTables, RetentionTables {
  log_pending: LogPendingTable;
  log_entries: LogEntriesTable;
  log_personal: LogPersonalTable;
  log_tiles: LogTilesTable;
  log_checkpoints: LogCheckpointsTable;
  log_published: LogPublishedTable;
  writ_meta: MetaTable;
}
