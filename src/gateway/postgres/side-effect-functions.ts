// Built-in and well-known extension functions a read-only session may not call, each with what it would do.

/*
 * A deny-list, so it is curated, not complete: functions written by users that write are stopped by the upstream
 * session (default_transaction_read_only and a role without write privileges), not here. Names match whatever the
 * schema (`pg_catalog.set_config` and `set_config` alike) and case, so a look-alike in another schema is refused too.
 *
 * Decisions: pg_sleep is allowed (a slow read is still a read; statement_timeout bounds it). Advisory locks are
 * refused: they change no data, but a session holding one can stall the application that uses the same key.
 * txid_* and pg_current_xact_id are allowed.
 */

const RUNS_SQL = "runs SQL of its own, out of Writ's sight";

/** Whole function names and why each is refused. */
const BY_NAME: Readonly<Record<string, string>> = {
  set_config: 'changes a setting',
  nextval: 'advances a sequence',
  setval: 'sets a sequence',
  pg_notify: 'sends a notification',
  pg_terminate_backend: 'ends another session',
  pg_cancel_backend: "cancels another session's query",
  pg_signal_backend: 'signals another session',
  pg_reload_conf: 'reloads the server configuration',
  pg_rotate_logfile: 'rotates the server log',
  pg_rotate_logfile_old: 'rotates the server log',
  pg_switch_wal: 'switches the write-ahead log',
  pg_switch_xlog: 'switches the write-ahead log',
  pg_promote: 'promotes a standby server',
  pg_start_backup: 'starts a backup',
  pg_stop_backup: 'stops a backup',
  pg_log_backend_memory_contexts: 'writes to the server log',
  pg_log_standby_snapshot: 'writes to the write-ahead log',
  pg_import_system_collations: 'creates collations',
  pg_stat_statements_reset: 'resets statistics',
  pg_sync_replication_slots: 'changes replication slots',
  pg_drop_replication_slot: 'drops a replication slot',
  pg_replication_slot_advance: 'advances a replication slot',
  pg_logical_slot_get_changes: 'consumes a replication slot',
  pg_logical_slot_get_binary_changes: 'consumes a replication slot',
  pg_logical_emit_message: 'writes to the write-ahead log',
  pg_read_file: 'reads a file on the server',
  pg_read_binary_file: 'reads a file on the server',
  pg_stat_file: 'reads file details on the server',
  pg_logdir_ls: 'lists a directory on the server',
  lo_import: 'reads a server file into a large object',
  lo_export: 'writes a large object to a server file',
  lo_unlink: 'deletes a large object',
  lo_create: 'creates a large object',
  lo_creat: 'creates a large object',
  lo_from_bytea: 'creates a large object',
  lo_put: 'writes a large object',
  lowrite: 'writes a large object',
  lo_truncate: 'truncates a large object',
  lo_truncate64: 'truncates a large object',
  brin_summarize_new_values: 'changes an index',
  brin_summarize_range: 'changes an index',
  brin_desummarize_range: 'changes an index',
  gin_clean_pending_list: 'changes an index',
  pg_truncate_visibility_map: 'changes a visibility map',
  heap_force_kill: 'changes table pages',
  heap_force_freeze: 'changes table pages',
  query_to_xml: RUNS_SQL,
  query_to_xmlschema: RUNS_SQL,
  query_to_xml_and_xmlschema: RUNS_SQL,
  ts_stat: RUNS_SQL,
  ts_rewrite: RUNS_SQL,
  connectby: RUNS_SQL,
  xpath_table: RUNS_SQL,
  schedule: RUNS_SQL,
  unschedule: 'changes scheduled jobs',
  schedule_in_database: RUNS_SQL,
  alter_job: 'changes scheduled jobs',
};

/** Name prefixes of families of functions and why they are refused. */
const BY_PREFIX: readonly (readonly [string, string])[] = [
  ['pg_advisory_', 'takes an advisory lock other sessions may wait on'],
  ['pg_try_advisory_', 'takes an advisory lock other sessions may wait on'],
  ['pg_create_', 'creates a replication slot or restore point'],
  ['pg_copy_', 'creates a replication slot'],
  ['pg_replication_origin_', 'changes replication progress'],
  ['pg_backup_', 'starts or stops a backup'],
  ['pg_wal_replay_', 'pauses or resumes recovery'],
  ['pg_stat_reset', 'resets statistics'],
  ['pg_restore_', 'changes planner statistics'],
  ['pg_clear_', 'changes planner statistics'],
  ['pg_buffercache_evict', 'evicts shared buffers'],
  ['pg_ls_', 'lists a directory on the server'],
  ['pg_file_', 'changes a file on the server'],
  ['binary_upgrade_', 'is for pg_upgrade only'],
  ['dblink', RUNS_SQL],
  ['pg_background', RUNS_SQL],
  ['crosstab', RUNS_SQL],
];

/** Schemas whose every function is refused. */
const BY_SCHEMA: Readonly<Record<string, string>> = {
  cron: 'changes scheduled jobs',
};

/**
 * Why a call to `name` (lower-cased, maybe schema-qualified) is refused in a read-only session; undefined if it is not.
 * @example sideEffectOf('pg_catalog.set_config') // 'changes a setting'
 * @example sideEffectOf('lower') // undefined
 */
export function sideEffectOf(name: string): string | undefined {
  const parts = name.split('.');
  const functionPart = parts.at(-1) ?? '';
  const schema = parts.at(-2);
  if (functionPart === '?' || functionPart === '') return 'has a name Writ could not read';
  if (schema !== undefined && Object.hasOwn(BY_SCHEMA, schema)) return BY_SCHEMA[schema];
  if (Object.hasOwn(BY_NAME, functionPart)) return BY_NAME[functionPart];
  return BY_PREFIX.find(([prefix]) => functionPart.startsWith(prefix))?.[1];
}
