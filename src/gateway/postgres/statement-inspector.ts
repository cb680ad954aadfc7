// Statement inspection: a query string parsed by PostgreSQL's own parser into statements and the facts enforcement rules need.
import type { Node } from 'libpg-query';
import { loadSqlParser, parseSql } from './sql-parser.ts';
import { collectTreeFacts, isRecord, type TreeFacts } from './statement-facts.ts';
import { copyFacts, explainFacts, settingFacts, transactionFacts, type CopyFacts, type ExplainFacts, type SettingFacts, type TransactionFacts } from './statement-details.ts';
import { statementLabel } from './statement-labels.ts';

export type { Modification } from './statement-facts.ts';
export type { AccessMode, CopyFacts, ExplainFacts, SettingFacts, TransactionFacts, TransactionModes } from './statement-details.ts';

/** One statement of a query string and what it does, nested statements included. */
export interface InspectedStatement extends TreeFacts {
  /** The parse node: `SelectStmt`, `DeleteStmt`, `VariableSetStmt`... */
  readonly node: string;
  /** The statement as people name it: `SELECT`, `DROP TABLE`, `SET role`, `BEGIN`. */
  readonly label: string;
  /** The statement's text (of the top-level statement it belongs to, for a wrapped one), trimmed. */
  readonly text: string;
  /** The parse tree, `{ [node]: fields }`, as libpg-query gives it (JSON). */
  readonly tree: unknown;
  /** For UPDATE and DELETE: whether the statement itself has a WHERE clause. */
  readonly hasWhere?: boolean;
  readonly setting?: SettingFacts;
  readonly transaction?: TransactionFacts;
  readonly copy?: CopyFacts;
  readonly explain?: ExplainFacts;
  /** The statement wrapped by EXPLAIN, PREPARE, DECLARE CURSOR, COPY (query) or CREATE TABLE AS. */
  readonly inner?: InspectedStatement;
}

/** A query string inspected: its statements (none for an empty string or only comments), or why it could not be parsed. */
export type SqlInspection =
  | { readonly kind: 'parsed'; readonly statements: readonly InspectedStatement[]; readonly kinds: readonly string[] }
  | { readonly kind: 'unparseable'; readonly message: string };

export interface InspectOptions {
  /** Longer strings are not parsed (unparseable); the caller's own limit should be no larger. */
  readonly maxLength?: number;
}

/** The default bound on a query string, in UTF-16 code units. */
export const DEFAULT_MAX_SQL_LENGTH = 1_048_576;

const WRAPPERS = new Set(['ExplainStmt', 'PrepareStmt', 'DeclareCursorStmt', 'CopyStmt', 'CreateTableAsStmt']);

/**
 * Loads PostgreSQL's parser; call once at start-up (calling again is harmless). Until it resolves, every string is unparseable.
 * @example await loadStatementParser()
 */
export function loadStatementParser(): Promise<void> {
  return loadSqlParser();
}

function unparseable(message: string): SqlInspection {
  return { kind: 'unparseable', message };
}

/** Statement locations are byte offsets into the UTF-8 text; a length of 0 (left out) means "to the end". */
function statementText(sql: string, bytes: Buffer | undefined, location: number, length: number): string {
  if (bytes === undefined) return (length > 0 ? sql.slice(location, location + length) : sql.slice(location)).trim();
  return bytes.toString('utf8', location, length > 0 ? location + length : bytes.length).trim();
}

function detailsOf(node: string, body: Readonly<Record<string, unknown>>): Pick<InspectedStatement, 'hasWhere' | 'setting' | 'transaction' | 'copy' | 'explain'> {
  switch (node) {
    case 'UpdateStmt':
    case 'DeleteStmt':
      return { hasWhere: body['whereClause'] !== undefined };
    case 'VariableSetStmt':
      return { setting: settingFacts(body) };
    case 'TransactionStmt':
      return { transaction: transactionFacts(body) };
    case 'CopyStmt':
      return { copy: copyFacts(body) };
    case 'ExplainStmt':
      return { explain: explainFacts(body) };
    default:
      return {};
  }
}

/** Wrapped statements nest at most once in PostgreSQL's grammar (EXPLAIN of a DECLARE is not SQL); two levels are plenty. */
function inspectNode(tree: Node, text: string, depth: number): InspectedStatement | undefined {
  const entries = Object.entries(tree);
  const [node, body] = entries[0] ?? [];
  if (entries.length !== 1 || node === undefined || !isRecord(body)) return undefined;
  const query = body['query'];
  const inner = WRAPPERS.has(node) && depth < 2 && isRecord(query) ? inspectNode(query as Node, text, depth + 1) : undefined;
  if (WRAPPERS.has(node) && isRecord(query) && inner === undefined) return undefined;
  const details = detailsOf(node, body);
  return {
    node,
    label: details.explain?.analyze === true ? 'EXPLAIN ANALYZE' : statementLabel(node, body),
    text,
    tree,
    ...collectTreeFacts(tree),
    ...details,
    ...(inner === undefined ? {} : { inner }),
  };
}

/**
 * Parses `sql` with PostgreSQL's parser and describes each statement. Never throws: anything the parser refuses,
 * or a string over the limit or holding a NUL (the server would read only up to it), is `unparseable`.
 * @example inspectSql('SELECT 1; DROP TABLE t').kinds // ['SelectStmt', 'DropStmt']
 * @example inspectSql('SELEC 1') // { kind: 'unparseable', message: 'syntax error at or near "SELEC"' }
 */
export function inspectSql(sql: string, options: InspectOptions = {}): SqlInspection {
  const maxLength = options.maxLength ?? DEFAULT_MAX_SQL_LENGTH;
  if (sql.length > maxLength) return unparseable(`the statement is longer than ${maxLength} characters`);
  if (sql.includes('\0')) return unparseable('the statement contains a NUL character');
  if (sql === '') return { kind: 'parsed', statements: [], kinds: [] };
  const parsed = parseSql(sql);
  if (parsed.kind === 'failed') return unparseable(parsed.message);
  const bytes = Buffer.byteLength(sql) === sql.length ? undefined : Buffer.from(sql, 'utf8');
  const statements: InspectedStatement[] = [];
  for (const raw of parsed.statements) {
    const text = statementText(sql, bytes, raw.stmt_location ?? 0, raw.stmt_len ?? 0);
    const statement = raw.stmt === undefined ? undefined : inspectNode(raw.stmt, text, 0);
    if (statement === undefined) return unparseable('the parser gave a statement of an unexpected shape');
    statements.push(statement);
  }
  return { kind: 'parsed', statements, kinds: [...new Set(statements.map((statement) => statement.node))] };
}
