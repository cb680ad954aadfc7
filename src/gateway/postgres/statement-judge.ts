// One decision per statement text: its kinds from PostgreSQL's parser, and whether the session's level allows it.
import type { Guardrail } from '../../access/resource-schema.ts';
import { evaluateGuardrails } from './guardrails.ts';
import { PINNED_SETTING_RULE, pinnedSettingRefusal } from './pinned-settings.ts';
import { checkReadOnly } from './read-only-rules.ts';
import { inspectSql } from './statement-inspector.ts';

/** What a session's grant level enforces on statements. */
export interface SessionEnforcement {
  readonly readOnly: boolean;
  readonly guardrails: readonly Guardrail[];
  readonly logParameters: boolean;
  /** A read-only session may run as a database superuser only when the policy says so explicitly. */
  readonly allowSuperuser: boolean;
}

export type Judgement =
  /** `statementNodes`: each statement's parse node, in order (empty when the text went to the server unparsed). */
  | { readonly kind: 'allow'; readonly statementKinds: readonly string[]; readonly statementNodes: readonly string[] }
  /** `hint`: what to do instead, when asking for another level would not help. */
  | { readonly kind: 'deny'; readonly statementKinds: readonly string[]; readonly rule: string; readonly message: string; readonly sqlState: string; readonly hint?: string };

export type StatementJudge = (sql: string) => Judgement;

const SYNTAX_ERROR = '42601';
const MAX_CACHED_JUDGEMENTS = 256;
const MAX_CACHED_SQL_CHARS = 4096;
const INSUFFICIENT_PRIVILEGE = '42501';
const PINNED_HINT = 'No level may change client_encoding or standard_conforming_strings through Writ; write strings without relying on backslash escapes in plain literals (use E\'...\' strings)';
const UNPARSEABLE_HINT = "Check the statement's syntax; on this level Writ forwards only what PostgreSQL's parser can read";

/**
 * Builds the judge of one session. Every level refuses changes to the pinned lexing settings. Text PostgreSQL's
 * parser cannot read is refused (fail closed) where the level has rules to apply to it (read-only, guardrails);
 * elsewhere it goes to the server, whose syntax error keeps its position.
 * @example createStatementJudge({ readOnly: true, guardrails: [], logParameters: false, allowSuperuser: false })('DELETE FROM t').kind // 'deny'
 */
export function createStatementJudge(enforcement: SessionEnforcement): StatementJudge {
  // Drivers send the same texts again and again (extended protocol, prepared transactions): judge each once.
  const recent = new Map<string, Judgement>();
  return (sql) => {
    const known = recent.get(sql);
    if (known !== undefined) return known;
    const judgement = judge(enforcement, sql);
    // Unparseable is not kept: the parser may have been restarting (statement-inspector.ts).
    if (sql.length <= MAX_CACHED_SQL_CHARS && !(judgement.kind === 'deny' && judgement.rule === 'unparseable')) {
      if (recent.size >= MAX_CACHED_JUDGEMENTS) recent.delete(recent.keys().next().value as string);
      recent.set(sql, judgement);
    }
    return judgement;
  };
}

function judge(enforcement: SessionEnforcement, sql: string): Judgement {
  const inspection = inspectSql(sql);
  if (inspection.kind === 'unparseable') {
    // With nothing to enforce on the text, the server's own syntax error (and its position) is the better answer;
    // the pinned settings still hold, watched through the server's ParameterStatus (session-guard.ts).
    if (!enforcement.readOnly && enforcement.guardrails.length === 0) return { kind: 'allow', statementKinds: [], statementNodes: [] };
    return { kind: 'deny', statementKinds: [], rule: 'unparseable', message: `Writ could not parse this statement, so it was not run: ${inspection.message}`, sqlState: SYNTAX_ERROR, hint: UNPARSEABLE_HINT };
  }
  const statementKinds = inspection.kinds;
  const pinned = pinnedSettingRefusal(inspection);
  if (pinned !== undefined) return { kind: 'deny', statementKinds, rule: PINNED_SETTING_RULE, message: pinned, sqlState: INSUFFICIENT_PRIVILEGE, hint: PINNED_HINT };
  if (enforcement.readOnly) {
    const verdict = checkReadOnly(inspection);
    if (verdict.kind === 'deny') return { kind: 'deny', statementKinds, rule: verdict.rule, message: verdict.message, sqlState: INSUFFICIENT_PRIVILEGE };
  }
  const verdict = evaluateGuardrails(inspection, enforcement.guardrails);
  if (verdict.kind === 'deny') return { kind: 'deny', statementKinds, rule: verdict.rule, message: verdict.message, sqlState: INSUFFICIENT_PRIVILEGE };
  return { kind: 'allow', statementKinds, statementNodes: inspection.statements.map((statement) => statement.node) };
}
