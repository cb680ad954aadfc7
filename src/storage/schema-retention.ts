// Retention's tables as Kysely sees them: legal holds and the stubs of removed entries.

/** One legal hold: by subject (actor or user target id), by resource, or by a range of event times. */
export interface RetentionHoldsTable {
  id: string;
  kind: string;
  subject_id: string | null;
  resource_id: string | null;
  from_time: string | null;
  to_time: string | null;
  reason: string;
  placed_by: string;
  placed_at_ms: number;
  released_by: string | null;
  released_at_ms: number | null;
  release_reason: string | null;
}

/** A sequenced entry whose content retention removed; its leaf hash stays in the level-0 tile. */
export interface LogRemovedEntriesTable {
  idx: number;
  event_id: string;
  removed_at_ms: number;
}

export interface RetentionTables {
  retention_holds: RetentionHoldsTable;
  log_removed_entries: LogRemovedEntriesTable;
}
