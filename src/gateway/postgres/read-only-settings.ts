// Which SET, RESET, BEGIN and SET TRANSACTION statements a read-only session may run: harmless settings, never READ WRITE.
import { setsPinnedValue } from './pinned-settings.ts';
import { isRecord } from './statement-facts.ts';
import type { InspectedStatement, SettingFacts, TransactionFacts } from './statement-inspector.ts';

/*
 * An allow-list: a setting not named here is refused. Settings that would lift read-only mode or change the role
 * (transaction_read_only, default_transaction_read_only, role, session_authorization) are refused with their own
 * reason; so are RESET ALL and DISCARD ALL, which would undo what the gateway set when the session began. Custom
 * settings (`app.tenant`, with a dot) are allowed: PostgreSQL only stores them for the application to read.
 * client_encoding and standard_conforming_strings are not here: they are pinned on every level (pinned-settings.ts).
 * Why each setting here is safe, lexing included, is written down in ADR 0014.
 */
/** Lower-cased, as inspection gives them (`SET DateStyle` sets `datestyle`). */
const HARMLESS_SETTINGS = new Set([
  'application_name', 'search_path', 'statement_timeout', 'lock_timeout', 'idle_in_transaction_session_timeout',
  'idle_session_timeout', 'transaction_timeout', 'timezone', 'datestyle', 'intervalstyle',
  'client_min_messages', 'extra_float_digits', 'bytea_output', 'xmloption', 'xmlbinary', 'lc_monetary', 'lc_numeric',
  'lc_time', 'escape_string_warning', 'quote_all_identifiers', 'array_nulls',
  'default_text_search_config', 'work_mem', 'maintenance_work_mem', 'hash_mem_multiplier', 'temp_buffers',
  'random_page_cost', 'seq_page_cost', 'cpu_tuple_cost', 'cpu_index_tuple_cost', 'cpu_operator_cost',
  'effective_cache_size', 'effective_io_concurrency', 'maintenance_io_concurrency', 'join_collapse_limit',
  'from_collapse_limit', 'constraint_exclusion', 'cursor_tuple_fraction', 'default_statistics_target', 'plan_cache_mode',
  'max_parallel_workers_per_gather', 'parallel_setup_cost', 'parallel_tuple_cost', 'parallel_leader_participation',
  'min_parallel_table_scan_size', 'min_parallel_index_scan_size', 'debug_parallel_query', 'row_security', 'seed',
  'transaction_isolation', 'default_transaction_isolation', 'transaction_deferrable', 'default_transaction_deferrable',
  'synchronous_commit', 'gin_fuzzy_search_limit', 'tcp_keepalives_idle', 'tcp_keepalives_interval', 'tcp_keepalives_count',
  'timezone_abbreviations', 'force_parallel_mode', 'transform_null_equals', 'synchronize_seqscans', 'max_parallel_workers',
  'recursive_worktable_factor', 'stats_fetch_consistency', 'temp_tablespaces', 'tcp_user_timeout', 'client_connection_check_interval',
]);

/** Planner and JIT switches (enable_seqscan, geqo_effort, jit_above_cost...). */
const HARMLESS_PREFIXES = ['enable_', 'geqo', 'jit'];

const GUARDED_SETTINGS: Readonly<Record<string, string>> = {
  transaction_read_only: 'it would lift read-only mode',
  default_transaction_read_only: 'it would lift read-only mode',
  role: 'it would change the role',
  session_authorization: 'it would change the role',
};

/** DISCARD PLANS, SEQUENCES and TEMP drop caches and temporary objects; DISCARD ALL also resets every setting. */
const HARMLESS_DISCARDS = new Set(['DISCARD_PLANS', 'DISCARD_SEQUENCES', 'DISCARD_TEMP']);

function discardTarget(tree: unknown): string {
  const body = isRecord(tree) ? tree['DiscardStmt'] : undefined;
  return isRecord(body) && typeof body['target'] === 'string' ? body['target'] : '';
}

const STAYS_READ_ONLY = 'read-only access cannot start a READ WRITE transaction';
const UNDOES_SESSION = 'it would undo the read-only settings of the session';

/**
 * Whether a read-only session may change `name` (lower-cased).
 * @example isHarmlessSetting('search_path') // true
 * @example isHarmlessSetting('default_transaction_read_only') // false
 */
export function isHarmlessSetting(name: string): boolean {
  if (Object.hasOwn(GUARDED_SETTINGS, name)) return false;
  if (name.includes('.')) return true;
  return HARMLESS_SETTINGS.has(name) || HARMLESS_PREFIXES.some((prefix) => name.startsWith(prefix));
}

function settingRefusal(label: string, setting: SettingFacts): string | undefined {
  switch (setting.action) {
    case 'set':
    case 'set-default':
    case 'set-current':
    case 'reset': {
      if (isHarmlessSetting(setting.name) || setsPinnedValue(setting)) return undefined;
      const guarded = GUARDED_SETTINGS[setting.name];
      return `${label}: ${guarded ?? 'only harmless settings (such as search_path or statement_timeout) may be changed'}`;
    }
    case 'set-multi':
      if (setting.name === 'transaction snapshot') return undefined;
      if (setting.name !== 'transaction' && setting.name !== 'session characteristics') return `${label}: only reads are allowed`;
      return setting.modes?.access === 'read-write' ? `${label} READ WRITE: ${STAYS_READ_ONLY}` : undefined;
    case 'reset-all':
      return `${label}: ${UNDOES_SESSION}`;
    case 'other':
      return `${label}: only reads are allowed`;
  }
}

function transactionRefusal(label: string, transaction: TransactionFacts): string | undefined {
  switch (transaction.action) {
    case 'begin':
    case 'start':
    case 'commit':
    case 'rollback':
    case 'savepoint':
    case 'release':
    case 'rollback-to':
      return transaction.modes.access === 'read-write' ? `${label} READ WRITE: ${STAYS_READ_ONLY}` : undefined;
    default:
      return `${label}: two-phase commit is not available to read-only access`;
  }
}

/**
 * Why a read-only session may not run this SET, RESET, DISCARD or transaction statement; undefined when it may.
 * @example sessionStatementRefusal(inspected('SET ROLE postgres')) // 'SET role: it would change the role'
 */
export function sessionStatementRefusal(statement: InspectedStatement): string | undefined {
  if (statement.setting !== undefined) return settingRefusal(statement.label, statement.setting);
  if (statement.transaction !== undefined) return transactionRefusal(statement.label, statement.transaction);
  if (statement.node === 'DiscardStmt') return HARMLESS_DISCARDS.has(discardTarget(statement.tree)) ? undefined : `${statement.label}: ${UNDOES_SESSION}`;
  return `${statement.label}: only reads are allowed`;
}
