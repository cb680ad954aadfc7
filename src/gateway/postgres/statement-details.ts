// What SET, BEGIN, COPY and EXPLAIN statements ask for, read from their parse nodes.
import type { CopyStmt, ExplainStmt, Node, TransactionStmt, VariableSetStmt } from 'libpg-query';

/** A transaction's access mode as asked: READ ONLY, READ WRITE, or not said (the session default applies). */
export type AccessMode = 'read-only' | 'read-write' | 'unspecified';

/** Modes of BEGIN, START TRANSACTION, SET TRANSACTION and SET SESSION CHARACTERISTICS AS TRANSACTION. */
export interface TransactionModes {
  readonly access: AccessMode;
  readonly isolation?: string;
  readonly deferrable?: boolean;
}

/** SET, SET LOCAL, RESET and RESET ALL. */
export interface SettingFacts {
  readonly action: 'set' | 'set-default' | 'set-current' | 'set-multi' | 'reset' | 'reset-all' | 'other';
  /** The setting, lower-cased (`SET "Role"` sets `role`); `transaction`, `session characteristics` or `transaction snapshot` for `set-multi`; empty for RESET ALL. */
  readonly name: string;
  readonly values: readonly string[];
  readonly isLocal: boolean;
  /** For `set-multi`: the transaction modes given. */
  readonly modes?: TransactionModes;
}

export interface TransactionFacts {
  /** BEGIN, START TRANSACTION, COMMIT (END), ROLLBACK (ABORT), SAVEPOINT, RELEASE, ROLLBACK TO, and two-phase commit. */
  readonly action: 'begin' | 'start' | 'commit' | 'rollback' | 'savepoint' | 'release' | 'rollback-to' | 'prepare' | 'commit-prepared' | 'rollback-prepared' | 'other';
  readonly modes: TransactionModes;
}

export interface CopyFacts {
  readonly direction: 'from' | 'to';
  /** STDIN/STDOUT (the client), a program or a file on the server. */
  readonly target: 'client' | 'program' | 'file';
  readonly source: 'table' | 'query';
}

export interface ExplainFacts {
  /** EXPLAIN ANALYZE runs the statement. */
  readonly analyze: boolean;
}

const SET_ACTIONS: Readonly<Record<string, SettingFacts['action']>> = {
  VAR_SET_VALUE: 'set',
  VAR_SET_DEFAULT: 'set-default',
  VAR_SET_CURRENT: 'set-current',
  VAR_SET_MULTI: 'set-multi',
  VAR_RESET: 'reset',
  VAR_RESET_ALL: 'reset-all',
};

const TRANSACTION_ACTIONS: Readonly<Record<string, TransactionFacts['action']>> = {
  TRANS_STMT_BEGIN: 'begin',
  TRANS_STMT_START: 'start',
  TRANS_STMT_COMMIT: 'commit',
  TRANS_STMT_ROLLBACK: 'rollback',
  TRANS_STMT_SAVEPOINT: 'savepoint',
  TRANS_STMT_RELEASE: 'release',
  TRANS_STMT_ROLLBACK_TO: 'rollback-to',
  TRANS_STMT_PREPARE: 'prepare',
  TRANS_STMT_COMMIT_PREPARED: 'commit-prepared',
  TRANS_STMT_ROLLBACK_PREPARED: 'rollback-prepared',
};

/**
 * A constant as text: protobuf leaves out zero and false, so `{ ival: {} }` is 0.
 * @example constantText({ A_Const: { sval: { sval: 'off' } } }) // 'off'
 */
export function constantText(node: Node | undefined): string {
  if (node === undefined) return '';
  if ('A_Const' in node) {
    const value = node.A_Const;
    if (value.isnull === true) return 'NULL';
    if (value.sval !== undefined) return value.sval.sval ?? '';
    if (value.ival !== undefined) return String(value.ival.ival ?? 0);
    if (value.fval !== undefined) return value.fval.fval ?? '';
    if (value.boolval !== undefined) return String(value.boolval.boolval ?? false);
    return value.bsval?.bsval ?? '';
  }
  if ('String' in node) return node.String.sval ?? '';
  if ('Integer' in node) return String(node.Integer.ival ?? 0);
  if ('TypeCast' in node) return constantText(node.TypeCast.arg);
  return '?';
}

/** Reads DefElem options; READ WRITE wins over READ ONLY, and anything not plainly READ ONLY counts as READ WRITE. */
function transactionModes(options: readonly Node[] | undefined): TransactionModes {
  const readOnlyAnswers: boolean[] = [];
  let isolation: string | undefined;
  let deferrable: boolean | undefined;
  for (const option of options ?? []) {
    if (!('DefElem' in option)) continue;
    const { defname, arg } = option.DefElem;
    if (defname === 'transaction_read_only') {
      readOnlyAnswers.push(arg !== undefined && 'A_Const' in arg && arg.A_Const.ival !== undefined && arg.A_Const.ival.ival === 1);
    } else if (defname === 'transaction_isolation') {
      isolation = constantText(arg).toLowerCase();
    } else if (defname === 'transaction_deferrable') {
      deferrable = constantText(arg) === '1';
    }
  }
  const access: AccessMode = readOnlyAnswers.length === 0 ? 'unspecified' : readOnlyAnswers.every(Boolean) ? 'read-only' : 'read-write';
  return { access, ...(isolation === undefined ? {} : { isolation }), ...(deferrable === undefined ? {} : { deferrable }) };
}

/** @example settingFacts({ kind: 'VAR_SET_VALUE', name: 'Role', args: [...] }).name // 'role' */
export function settingFacts(statement: VariableSetStmt): SettingFacts {
  const action = SET_ACTIONS[statement.kind ?? ''] ?? 'other';
  const facts = {
    action,
    name: (statement.name ?? '').toLowerCase(),
    values: action === 'set-multi' ? [] : (statement.args ?? []).map(constantText),
    isLocal: statement.is_local === true,
  };
  return action === 'set-multi' ? { ...facts, modes: transactionModes(statement.args) } : facts;
}

/** @example transactionFacts({ kind: 'TRANS_STMT_BEGIN', options: [...READ WRITE] }).modes.access // 'read-write' */
export function transactionFacts(statement: TransactionStmt): TransactionFacts {
  return { action: TRANSACTION_ACTIONS[statement.kind ?? ''] ?? 'other', modes: transactionModes(statement.options) };
}

/** @example copyFacts({ is_from: true }) // { direction: 'from', target: 'client', source: 'table' } */
export function copyFacts(statement: CopyStmt): CopyFacts {
  return {
    direction: statement.is_from === true ? 'from' : 'to',
    target: statement.is_program === true ? 'program' : statement.filename !== undefined ? 'file' : 'client',
    source: statement.query !== undefined ? 'query' : 'table',
  };
}

const FALSE_WORDS = new Set(['false', 'off', '0', 'no']);

/** ANALYZE given without a value, or with anything but a plain false, runs the statement. */
export function explainFacts(statement: ExplainStmt): ExplainFacts {
  const analyze = (statement.options ?? []).some(
    (option) => 'DefElem' in option && option.DefElem.defname === 'analyze' && !FALSE_WORDS.has(constantText(option.DefElem.arg).toLowerCase()),
  );
  return { analyze };
}
