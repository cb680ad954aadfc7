// Read-only enforcement: a query string passes only if every statement in it is a read, judged on PostgreSQL's parse tree.
import { sessionStatementRefusal } from './read-only-settings.ts';
import { sideEffectOf } from './side-effect-functions.ts';
import type { InspectedStatement, SqlInspection } from './statement-inspector.ts';
import { ALLOW, deny, type StatementVerdict } from './statement-verdict.ts';

/*
 * An allow-list written as if the user were trying to escape. Allowed: SELECT and VALUES without INTO, row locks,
 * data-modifying CTEs or calls to functions with side effects (side-effect-functions.ts), anywhere in the tree;
 * EXPLAIN [ANALYZE], PREPARE and DECLARE CURSOR of such a query, and EXECUTE; SHOW; SET and RESET of harmless
 * settings (read-only-settings.ts); BEGIN, START TRANSACTION, COMMIT, ROLLBACK, SAVEPOINT and RELEASE unless READ
 * WRITE; FETCH, MOVE, CLOSE, DEALLOCATE, LISTEN, UNLISTEN, DISCARD PLANS/SEQUENCES/TEMP; COPY ... TO STDOUT of a
 * table or a query. Everything else is refused: DML, DDL, DO, CALL, NOTIFY, LOCK, VACUUM, COPY FROM, COPY to or
 * from a program or a server file, two-phase commit. A string that does not parse is refused (rule `unparseable`).
 *
 * This is the first of two layers. A function written by a user can write however it is called (`SELECT f()`),
 * and the parse tree cannot tell; such writes are stopped only by the upstream session, which the gateway opens with
 * default_transaction_read_only = on as a role that has no write privileges. The gateway applies both layers.
 * EXECUTE is allowed because PREPARE was checked; the gateway must check the extended protocol's Parse messages too.
 */

const READ_ONLY_RULE = 'read-only';

/** Statements that only read, or only manage the session's own cursors, prepared statements and notifications. */
const READS = new Set(['SelectStmt', 'VariableShowStmt', 'FetchStmt', 'ClosePortalStmt', 'ExecuteStmt', 'DeallocateStmt', 'ListenStmt', 'UnlistenStmt']);

/** What EXPLAIN, PREPARE, DECLARE CURSOR and COPY may wrap. */
const WRAPPABLE = new Set(['SelectStmt', 'ExecuteStmt']);

const SESSION_STATEMENTS = new Set(['VariableSetStmt', 'TransactionStmt', 'DiscardStmt']);

const MODIFICATION_LABELS: Readonly<Record<string, string>> = { InsertStmt: 'INSERT', UpdateStmt: 'UPDATE', DeleteStmt: 'DELETE', MergeStmt: 'MERGE' };

/** Refusals that look at the whole tree: writes, SELECT INTO, row locks and functions anywhere in it. */
function treeRefusal(statement: InspectedStatement): string | undefined {
  const write = statement.modifications[0];
  if (write !== undefined) {
    return write.node === statement.node ? `${statement.label}: it changes data` : `${statement.label}: it contains ${MODIFICATION_LABELS[write.node] ?? write.node}, which changes data`;
  }
  if (statement.selectInto) return 'SELECT INTO: it creates a table';
  const lock = statement.lockingClauses[0];
  if (lock !== undefined) return `${statement.label} ... ${lock}: it locks rows`;
  for (const name of statement.functions) {
    const why = sideEffectOf(name);
    if (why !== undefined) return `${statement.label}: it calls ${name}, which ${why}`;
  }
  return undefined;
}

function wrappedRefusal(statement: InspectedStatement): string | undefined {
  const inner = statement.inner;
  if (inner === undefined) return `${statement.label}: only reads are allowed`;
  return WRAPPABLE.has(inner.node) ? undefined : `${statement.label} of ${inner.label}: only reads are allowed`;
}

function copyRefusal(statement: InspectedStatement): string | undefined {
  const copy = statement.copy;
  if (copy === undefined || copy.direction === 'from') return 'COPY FROM: it writes rows';
  if (copy.target === 'program') return 'COPY TO PROGRAM: it runs a program on the server';
  if (copy.target === 'file') return 'COPY TO a server file: it writes a file on the server (use COPY ... TO STDOUT)';
  return copy.source === 'query' ? wrappedRefusal(statement) : undefined;
}

/** Why one statement is refused, as `WHAT: why`; undefined when it is a read. */
function refusalOf(statement: InspectedStatement): string | undefined {
  const inTree = treeRefusal(statement);
  if (inTree !== undefined) return inTree;
  if (READS.has(statement.node)) return undefined;
  switch (statement.node) {
    case 'ExplainStmt':
    case 'PrepareStmt':
    case 'DeclareCursorStmt':
      return wrappedRefusal(statement);
    case 'CopyStmt':
      return copyRefusal(statement);
    default:
      return SESSION_STATEMENTS.has(statement.node) ? sessionStatementRefusal(statement) : `${statement.label}: only reads are allowed`;
  }
}

/**
 * Allows the query string only if every statement in it is a read; otherwise names the first refused statement.
 * @example checkReadOnly(inspectSql('SELECT 1; DROP TABLE t'))
 *   // { kind: 'deny', rule: 'read-only', message: 'read-only access refuses DROP TABLE: only reads are allowed (statement 2 of 2)' }
 */
export function checkReadOnly(inspection: SqlInspection): StatementVerdict {
  if (inspection.kind === 'unparseable') return deny('unparseable', `the statement could not be parsed, so it was refused: ${inspection.message}`);
  const { statements } = inspection;
  for (const [index, statement] of statements.entries()) {
    const refusal = refusalOf(statement);
    if (refusal === undefined) continue;
    const position = statements.length > 1 ? ` (statement ${index + 1} of ${statements.length})` : '';
    return deny(READ_ONLY_RULE, `read-only access refuses ${refusal}${position}`);
  }
  return ALLOW;
}
