// Policy guardrails: the statements a level's rules refuse (no DROP, no DELETE without WHERE), judged statement by statement.
import { compileGuardrailPattern, guardrailStatementNodes } from '../../access/guardrail-schema.ts';
import type { Guardrail } from '../../access/resource-schema.ts';
import type { InspectedStatement, Modification, SqlInspection } from './statement-inspector.ts';
import { statementLabel } from './statement-labels.ts';
import { ALLOW, deny, type StatementVerdict } from './statement-verdict.ts';

/*
 * A statement matches a guardrail when every condition the guardrail gives holds:
 * - `statements`: the statement, or one nested in it (a CTE, EXPLAIN, PREPARE, COPY, DECLARE), is of a listed kind;
 * - `withoutWhere`: an UPDATE or DELETE in it (of a listed kind, when `statements` is given) has no WHERE clause; a
 *   MERGE's DELETE and UPDATE actions count as such (their rows are bounded only by a join Writ cannot judge);
 *   ALTER TABLE ... DROP COLUMN counts as a `drop`;
 * - `pattern`: the statement's text matches, case-insensitively (comments included, as sent).
 * Guardrails catch mistakes; they do not bind a read-write user set on getting around them (a DO block, a function,
 * `WHERE true`). A string that does not parse is refused when the level has any guardrail.
 */

interface CompiledGuardrail {
  readonly nodes: ReadonlySet<string> | undefined;
  readonly withoutWhere: boolean;
  readonly pattern: RegExp | undefined;
}

const compiledRules = new WeakMap<Guardrail, CompiledGuardrail>();

function compile(rule: Guardrail): CompiledGuardrail {
  let compiled = compiledRules.get(rule);
  if (compiled === undefined) {
    compiled = {
      nodes: rule.statements === undefined ? undefined : guardrailStatementNodes(rule.statements),
      withoutWhere: rule.withoutWhere === true,
      pattern: rule.pattern === undefined ? undefined : compileGuardrailPattern(rule.pattern),
    };
    compiledRules.set(rule, compiled);
  }
  return compiled;
}

const isUnqualified = (modification: Modification): boolean =>
  (modification.node === 'UpdateStmt' || modification.node === 'DeleteStmt') && !modification.hasWhere;

/** What in the statement the guardrail refuses, in words (`DELETE without WHERE`); undefined if it does not match. */
function matchOf(rule: Guardrail, statement: InspectedStatement): string | undefined {
  const { nodes, withoutWhere, pattern } = compile(rule);
  let what = statement.label;
  if (nodes !== undefined) {
    const node = statement.statementNodes.find((name) => nodes.has(name));
    if (node === undefined) return undefined;
    if (node !== statement.node) what = `${statement.label} containing ${statementLabel(node, {})}`;
  }
  if (withoutWhere) {
    const unqualified = statement.modifications.find((modification) => isUnqualified(modification) && (nodes === undefined || nodes.has(modification.node)));
    if (unqualified === undefined) return undefined;
    const write = `${statementLabel(unqualified.node, {})} without WHERE`;
    what = unqualified.node === statement.node ? write : `${statement.label} containing ${write}`;
  }
  if (pattern !== undefined) {
    if (!pattern.test(statement.text)) return undefined;
    if (nodes === undefined && !withoutWhere) what = `${statement.label} matching /${rule.pattern ?? ''}/`;
  }
  return what;
}

/**
 * Refuses the query string if a statement in it matches one of `guardrails` (in order); the rule is the guardrail's name.
 * @example evaluateGuardrails(inspectSql('DELETE FROM t'), [{ name: 'no-unqualified-writes', statements: ['delete'], withoutWhere: true }])
 *   // { kind: 'deny', rule: 'no-unqualified-writes', message: 'guardrail no-unqualified-writes refuses DELETE without WHERE' }
 */
export function evaluateGuardrails(inspection: SqlInspection, guardrails: readonly Guardrail[]): StatementVerdict {
  if (guardrails.length === 0) return ALLOW;
  if (inspection.kind === 'unparseable') return deny('unparseable', `the statement could not be parsed, so guardrails could not be checked and it was refused: ${inspection.message}`);
  const { statements } = inspection;
  for (const [index, statement] of statements.entries()) {
    for (const rule of guardrails) {
      const what = matchOf(rule, statement);
      if (what === undefined) continue;
      const position = statements.length > 1 ? ` (statement ${index + 1} of ${statements.length})` : '';
      const why = rule.message === undefined ? '' : `: ${rule.message}`;
      return deny(rule.name, `guardrail ${rule.name} refuses ${what}${position}${why}`);
    }
  }
  return ALLOW;
}
