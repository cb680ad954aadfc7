// Gateway events: PostgreSQL sessions relayed by Writ and each statement run through them.
import { z } from 'zod';
import { strictShape } from '../event-schema.ts';
import { defineEvent, fields } from './event-definition.ts';

const MAX_SQL_LENGTH = 32_768;
const queryProtocol = z.enum(['simple', 'extended']);
const sql = z.string().min(1).max(MAX_SQL_LENGTH);

export const gatewayEvents = [
  defineEvent(
    'gateway.session.started',
    1,
    'A client connected through the gateway under a grant.',
    strictShape({
      sessionId: fields.id,
      grantId: fields.id,
      resourceId: fields.id,
      protocol: z.literal('postgres'),
      database: z.string().min(1).max(63),
      tls: z.boolean(),
    }),
  ),
  defineEvent(
    'gateway.session.ended',
    1,
    'A gateway session closed.',
    strictShape({
      sessionId: fields.id,
      endReason: z.enum(['client_closed', 'grant_ended', 'grant_revoked', 'upstream_closed', 'error', 'shutdown']),
      durationMs: fields.durationMs,
      statementCount: fields.count,
    }),
  ),
  defineEvent(
    'gateway.statement.executed',
    1,
    'A statement was logged, then forwarded upstream. Bind parameters are null when redacted.',
    strictShape({
      sessionId: fields.id,
      statementIndex: fields.count,
      protocol: queryProtocol,
      sql,
      parameters: z.array(z.string().max(1024).nullable()).max(1024).optional(),
      commandTag: z.string().max(64).optional(),
      rowCount: fields.count.optional(),
      durationMs: fields.durationMs.optional(),
    }),
  ),
  defineEvent(
    'gateway.statement.blocked',
    1,
    'A statement was refused by the grant access level and never reached the server.',
    strictShape({
      sessionId: fields.id,
      statementIndex: fields.count,
      protocol: queryProtocol,
      sql,
      rule: z.enum(['read_only', 'statement_type', 'grant_ended']),
    }),
  ),
] as const;
