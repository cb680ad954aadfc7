// The audit events of gateway sessions, built in one place: who, through which grant, ran or was refused what.
import { createHash } from 'node:crypto';
import type { EventInput } from '../../events/event-schema.ts';
import type { Violation } from './session-guard.ts';
import { formatEventTime } from '../../events/event-time.ts';

/** Longest statement text kept in an event; longer text is cut and its full SHA-256 kept. */
export const MAX_AUDITED_SQL_CHARS = 32_768;
const MAX_KINDS = 64;

/** Who is connected, through which grant, to what: the part every event of a session repeats. */
export interface SessionIdentity {
  readonly sessionId: string;
  readonly userId: string;
  readonly userName: string;
  readonly clientAddress: string | undefined;
  readonly credentialId: string;
  readonly grantId: string;
  readonly requestId: string;
  readonly resourceId: string;
  readonly level: string;
}

export type QueryProtocol = 'simple' | 'extended';

/** A statement as the audit sees it. */
export interface AuditedStatement {
  readonly statementIndex: number;
  readonly protocol: QueryProtocol;
  readonly sql: string;
  readonly statementKinds: readonly string[];
  readonly parameterCount: number;
  /** Bind values as text (null for SQL NULL), present only when the policy allows logging them. */
  readonly parameters?: readonly (string | null)[];
}

export interface StatementCompletion {
  readonly statementIndex: number;
  readonly commandTag?: string;
  readonly rowCount?: number;
  readonly durationMs: number;
  readonly sqlState?: string;
}

/**
 * An event of the session. Only the start and end carry the user's name and address (personal data, kept
 * beside the entry); statement events name the user by id and the session, which spares every statement
 * a personal record of its own.
 */
function sessionEvent(session: SessionIdentity, type: string, outcome: EventInput['outcome'], data: Record<string, unknown>, withPersonal = false): EventInput {
  const actor: EventInput['actor'] = { kind: 'user', id: session.userId, authMethod: 'gateway-scram' };
  if (withPersonal) {
    actor.name = session.userName;
    if (session.clientAddress !== undefined) actor.ip = session.clientAddress;
  }
  return {
    type,
    actor,
    targets: [
      { kind: 'resource', id: session.resourceId },
      { kind: 'grant', id: session.grantId },
      { kind: 'session', id: session.sessionId },
    ],
    outcome,
    context: { requestId: session.requestId, grantId: session.grantId, sessionId: session.sessionId },
    data,
  };
}

function sqlFields(sql: string): { sql: string; sqlSha256: string; sqlTruncated?: true } {
  const sqlSha256 = createHash('sha256').update(sql, 'utf8').digest('base64');
  const text = sql === '' ? ' ' : sql;
  if (text.length <= MAX_AUDITED_SQL_CHARS) return { sql: text, sqlSha256 };
  return { sql: text.slice(0, MAX_AUDITED_SQL_CHARS), sqlSha256, sqlTruncated: true };
}

function grantFields(session: SessionIdentity): Record<string, unknown> {
  return { sessionId: session.sessionId, grantId: session.grantId, requestId: session.requestId, resourceId: session.resourceId, level: session.level };
}

/** `gateway.statement.executed`: committed before the statement is forwarded (log before act). */
export function statementExecutedEvent(session: SessionIdentity, statement: AuditedStatement): EventInput {
  const data: Record<string, unknown> = {
    ...grantFields(session),
    statementIndex: statement.statementIndex,
    protocol: statement.protocol,
    ...sqlFields(statement.sql),
    statementKinds: statement.statementKinds.slice(0, MAX_KINDS),
    parameterCount: statement.parameterCount,
  };
  const event = sessionEvent(session, 'gateway.statement.executed', 'success', data);
  if (statement.parameters !== undefined) event.personal = { parameters: statement.parameters.map((value) => (value === null ? null : value.slice(0, 1024))) };
  return event;
}

/** `gateway.statement.blocked`: the statement never reached the server. */
export function statementBlockedEvent(session: SessionIdentity, statement: AuditedStatement, rule: string, message: string): EventInput {
  return sessionEvent(session, 'gateway.statement.blocked', 'denied', {
    ...grantFields(session),
    statementIndex: statement.statementIndex,
    protocol: statement.protocol,
    ...sqlFields(statement.sql),
    statementKinds: statement.statementKinds.slice(0, MAX_KINDS),
    rule: rule.slice(0, 64),
    message: message.slice(0, 500),
  });
}

/** `gateway.statements.completed`: what the server answered, for a batch of statements of one session. */
export function statementsCompletedEvent(session: SessionIdentity, statements: readonly StatementCompletion[]): EventInput {
  return sessionEvent(session, 'gateway.statements.completed', 'success', { sessionId: session.sessionId, statements: [...statements] });
}

export interface SessionStart {
  readonly database: string;
  readonly tls: boolean;
  readonly upstreamTls: boolean;
  readonly applicationName: string | undefined;
}

export function sessionStartedEvent(session: SessionIdentity, start: SessionStart): EventInput {
  const data: Record<string, unknown> = {
    ...grantFields(session),
    credentialId: session.credentialId,
    database: start.database,
    protocol: 'postgres',
    tls: start.tls,
    upstreamTls: start.upstreamTls,
  };
  if (start.applicationName !== undefined && start.applicationName !== '') data.applicationName = start.applicationName.slice(0, 64);
  return sessionEvent(session, 'gateway.session.started', 'success', data, true);
}

export type SessionEndReason =
  | 'client_closed'
  | 'grant_ended'
  | 'grant_revoked'
  | 'upstream_closed'
  | 'protocol_error'
  | 'ledger_unavailable'
  | 'idle_timeout'
  | 'shutdown'
  | 'violation'
  | 'error';

export interface SessionTotals {
  readonly endReason: SessionEndReason;
  readonly durationMs: number;
  readonly statementCount: number;
  readonly blockedCount: number;
  readonly bytesFromClient: number;
  readonly bytesToClient: number;
}

export function sessionEndedEvent(session: SessionIdentity, totals: SessionTotals): EventInput {
  return sessionEvent(session, 'gateway.session.ended', 'success', { sessionId: session.sessionId, grantId: session.grantId, resourceId: session.resourceId, ...totals }, true);
}

/** `gateway.session.violation`, outcome denied: Writ ended the session because the server's answers broke its level. */
export function sessionViolationEvent(session: SessionIdentity, violation: Violation): EventInput {
  return sessionEvent(session, 'gateway.session.violation', 'denied', { ...grantFields(session), kind: violation.kind, message: violation.message.slice(0, 500), evidence: { ...violation.evidence } });
}

export type RefusalReason =
  | 'unknown_resource'
  | 'authentication_failed'
  | 'no_active_grant'
  | 'protocol_error'
  | 'startup_timeout'
  | 'too_many_connections'
  | 'upstream_unavailable'
  | 'upstream_rejected'
  | 'tls_required'
  | 'shutting_down'
  | 'setting_refused'
  | 'unsafe_upstream'
  | 'too_many_from_source'
  | 'login_throttled';

export interface Refusal {
  readonly reason: RefusalReason;
  readonly sqlState: string;
  readonly database: string | undefined;
  readonly user: { readonly id: string; readonly name: string } | undefined;
  /** The name the client gave when no such user exists (personal data: kept beside the entry). */
  readonly claimedUserName: string | undefined;
  readonly clientAddress: string | undefined;
  readonly grantId?: string;
  readonly resourceId?: string;
}

/** `gateway.connection.refused`, outcome denied: a connection that never became a session. */
export function connectionRefusedEvent(refusal: Refusal): EventInput {
  const actor: EventInput['actor'] =
    refusal.user === undefined ? { kind: 'user', id: 'unknown' } : { kind: 'user', id: refusal.user.id, name: refusal.user.name };
  if (refusal.clientAddress !== undefined) actor.ip = refusal.clientAddress;
  const data: Record<string, unknown> = { reason: refusal.reason, sqlState: refusal.sqlState };
  // The catalogue requires the field: empty when the client never got as far as naming a database.
  data.database = (refusal.database ?? '').slice(0, 63);
  if (refusal.grantId !== undefined) data.grantId = refusal.grantId;
  if (refusal.resourceId !== undefined) data.resourceId = refusal.resourceId;
  const targets: NonNullable<EventInput['targets']> = refusal.resourceId === undefined ? [] : [{ kind: 'resource', id: refusal.resourceId }];
  const event: EventInput = { type: 'gateway.connection.refused', actor, targets, outcome: 'denied', data };
  if (refusal.user === undefined && refusal.claimedUserName !== undefined && refusal.claimedUserName !== '') {
    event.personal = { claimedUserName: refusal.claimedUserName.slice(0, 256) };
  }
  return event;
}

/** One source's refusals before authentication over one interval (see refusal-summaries.ts). */
export interface RefusalSummary {
  /** The client's address, the /64 prefix of an IPv6 one, or undefined for sources past the per-interval limit. */
  readonly source: { readonly kind: 'address' | 'ipv6_prefix'; readonly address: string } | { readonly kind: 'other' };
  readonly intervalStartMs: number;
  readonly intervalEndMs: number;
  readonly reasons: ReadonlyMap<RefusalReason, number>;
}

/** `gateway.connection.refusals.summarized`, outcome denied: one entry for many anonymous refusals. */
export function refusalsSummarizedEvent(summary: RefusalSummary): EventInput {
  const actor: EventInput['actor'] = { kind: 'user', id: 'unknown' };
  if (summary.source.kind !== 'other') actor.ip = summary.source.address;
  const reasons = Object.fromEntries(summary.reasons);
  const refusals = [...summary.reasons.values()].reduce((sum, count) => sum + count, 0);
  const data = {
    sourceKind: summary.source.kind,
    intervalStart: formatEventTime(summary.intervalStartMs),
    intervalEnd: formatEventTime(summary.intervalEndMs),
    refusals,
    reasons,
  };
  return { type: 'gateway.connection.refusals.summarized', actor, targets: [], outcome: 'denied', data };
}
