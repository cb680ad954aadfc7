// The event search tables as Kysely sees them: derived from sequenced entries, keyed by log index, rebuilt from the log if lost.

/** One row per sequenced event that has a request id, grant id or reason. */
export interface LogEventSearchTable {
  idx: number;
  request_id: string | null;
  grant_id: string | null;
  /** The reason in lower case, for substring search. */
  reason_folded: string | null;
}

/** One row per distinct (kind, id) target of a sequenced event. */
export interface LogEventTargetsTable {
  target_kind: string;
  target_id: string;
  idx: number;
}

/** The earliest and latest event time in each block of TIME_BLOCK_ENTRIES indices, so time filters skip whole blocks. */
export interface LogTimeBlocksTable {
  block_index: number;
  min_time: string;
  max_time: string;
}

export interface EventSearchTables {
  log_event_search: LogEventSearchTable;
  log_event_targets: LogEventTargetsTable;
  log_time_blocks: LogTimeBlocksTable;
}
