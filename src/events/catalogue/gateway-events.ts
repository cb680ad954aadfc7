// Gateway events: credentials issued for it, connections refused, PostgreSQL sessions and each statement run through them.
import { z } from 'zod';
import { strictShape } from '../event-schema.ts';
import { defineEvent, fields } from './event-definition.ts';

/** Longest SQL text an event holds; the gateway cuts longer text there and sets `sqlTruncated`. */
export const MAX_EVENT_SQL_LENGTH = 32_768;
/** Most statements one `gateway.statements.completed` batch carries. */
export const MAX_COMPLETED_BATCH = 1000;

const slug = z.string().min(1).max(64);
/** A PostgreSQL database name as a client sent it (NAMEDATALEN - 1). */
const databaseName = z.string().max(63);
/** A PostgreSQL error code (SQLSTATE): five digits or upper-case letters. */
const sqlState = z.string().regex(/^[0-9A-Z]{5}$/, 'expected a five-character SQLSTATE such as "42501"');
const queryProtocol = z.enum(['simple', 'extended']);
const sql = z.string().max(MAX_EVENT_SQL_LENGTH);
/** Parse node names of the statements in one query string, e.g. `SelectStmt`. */
const statementKinds = z.array(z.string().min(1).max(64)).max(64);

export const refusalReasons = [
  'unknown_resource',
  'authentication_failed',
  'no_active_grant',
  'protocol_error',
  'startup_timeout',
  'too_many_connections',
  'upstream_unavailable',
  'upstream_rejected',
  'tls_required',
  'shutting_down',
  'setting_refused',
  'unsafe_upstream',
  'too_many_from_source',
  'login_throttled',
] as const;

/** Most refusals one summary counts per reason (a bound, not a limit anyone should reach in an interval). */
const refusalCount = z.number().int().min(1).max(Number.MAX_SAFE_INTEGER);

export const sessionEndReasons = [
  'client_closed',
  'grant_ended',
  'grant_revoked',
  'upstream_closed',
  'protocol_error',
  'ledger_unavailable',
  'idle_timeout',
  'shutdown',
  'violation',
  'error',
] as const;

/** Why Writ ended a session on the server's word (session-guard.ts). */
export const violationKinds = ['pinned_setting_changed', 'read_only_lifted', 'role_changed', 'write_in_read_only', 'unexpected_statement'] as const;

/** What `executed` and `blocked` both say about a statement: where it ran, under which grant, and its text. */
const statementShape = {
  sessionId: fields.id,
  grantId: fields.id,
  requestId: fields.id,
  resourceId: slug,
  level: slug,
  statementIndex: fields.count,
  protocol: queryProtocol,
  sql,
  /** base64 SHA-256 of the full text, also when `sql` was cut. */
  sqlSha256: fields.sha256Base64,
  sqlTruncated: z.boolean().optional(),
  statementKinds,
};

export const gatewayEvents = [
  defineEvent(
    'gateway.credential.issued',
    1,
    'A short-lived gateway password was issued under a grant; only its SCRAM verifier is stored.',
    strictShape({ credentialId: fields.id, grantId: fields.id, requestId: fields.id, resourceId: slug, level: slug, expiresAt: fields.time }),
  ),
  defineEvent(
    'gateway.connection.refused',
    1,
    'The gateway refused a connection before a session started (the actor is the user the client named, when known).',
    strictShape({
      database: databaseName,
      reason: z.enum(refusalReasons),
      sqlState,
      grantId: fields.id.optional(),
      resourceId: slug.optional(),
    }),
  ),
  defineEvent(
    'gateway.connection.refusals.summarized',
    1,
    'Connections the gateway refused before anyone authenticated (floods, timeouts, garbage, limits), counted by reason for one source over one interval instead of one entry each. The source address is the actor ip (personal data); `sourceKind` says whether it is one address, an IPv6 /64 prefix, or `other` (sources past the per-interval limit, without an address).',
    strictShape({
      sourceKind: z.enum(['address', 'ipv6_prefix', 'other']),
      intervalStart: fields.time,
      intervalEnd: fields.time,
      refusals: refusalCount,
      reasons: strictShape(Object.fromEntries(refusalReasons.map((reason) => [reason, refusalCount.optional()])) as Record<(typeof refusalReasons)[number], z.ZodOptional<typeof refusalCount>>),
    }),
  ),
  defineEvent(
    'gateway.session.started',
    1,
    'A client authenticated with a gateway credential and was connected upstream under its grant.',
    strictShape({
      sessionId: fields.id,
      credentialId: fields.id,
      grantId: fields.id,
      requestId: fields.id,
      resourceId: slug,
      level: slug,
      database: databaseName,
      protocol: z.literal('postgres'),
      tls: z.boolean(),
      upstreamTls: z.boolean(),
      applicationName: z.string().max(64).optional(),
    }),
  ),
  defineEvent(
    'gateway.session.ended',
    1,
    'A gateway session closed, with what passed through it.',
    strictShape({
      sessionId: fields.id,
      grantId: fields.id,
      resourceId: slug,
      endReason: z.enum(sessionEndReasons),
      durationMs: fields.durationMs,
      statementCount: fields.count,
      blockedCount: fields.count,
      bytesFromClient: fields.count,
      bytesToClient: fields.count,
    }),
  ),
  defineEvent(
    'gateway.statement.executed',
    1,
    'A statement was logged, then forwarded upstream. Bind parameters appear only where the policy allows logging them.',
    strictShape({
      ...statementShape,
      parameterCount: fields.count,
      parameters: z.array(z.string().max(1024).nullable()).max(1024).optional(),
    }),
  ),
  defineEvent(
    'gateway.statements.completed',
    1,
    'How logged statements of a session finished upstream, in a batch after the fact.',
    strictShape({
      sessionId: fields.id,
      statements: z
        .array(
          strictShape({
            statementIndex: fields.count,
            commandTag: z.string().min(1).max(64).optional(),
            rowCount: fields.count.optional(),
            durationMs: fields.durationMs,
            sqlState: sqlState.optional(),
          }),
        )
        .min(1)
        .max(MAX_COMPLETED_BATCH),
    }),
  ),
  defineEvent(
    'gateway.statement.blocked',
    1,
    'A statement was refused by a rule (the access level, a guardrail, or because it could not be parsed) and never reached the server.',
    strictShape({ ...statementShape, rule: slug, message: z.string().min(1).max(500) }),
  ),
  defineEvent(
    'gateway.session.violation',
    1,
    'The server reported something the session\'s level does not allow, or that Writ did not see in the text it judged (a changed pinned setting, a write tag on a read-only session, more statements than Writ parsed); Writ ended the session at once.',
    strictShape({
      sessionId: fields.id,
      grantId: fields.id,
      requestId: fields.id,
      resourceId: slug,
      level: slug,
      kind: z.enum(violationKinds),
      message: z.string().min(1).max(500),
      evidence: z.record(z.string().max(64), z.union([z.string().max(500), fields.count])).refine((record) => Object.keys(record).length <= 16, { error: 'at most 16 evidence fields' }),
    }),
  ),
] as const;
