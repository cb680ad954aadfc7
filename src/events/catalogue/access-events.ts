// Access events: requests, approvals, grants and policy changes of the access engine.
import { z } from 'zod';
import { strictShape } from '../event-schema.ts';
import { defineEvent, fields } from './event-definition.ts';

const MAX_GRANT_SECONDS = 31 * 24 * 3600;

export const accessEvents = [
  defineEvent(
    'access.request.created',
    1,
    'Someone asked for a role on some resources for a while.',
    strictShape({
      requestId: fields.id,
      roleId: fields.id,
      resourceIds: z.array(fields.id).min(1).max(32),
      durationSeconds: z.number().int().min(1).max(MAX_GRANT_SECONDS),
      justification: z.string().min(1).max(2048).optional(),
      breakGlass: z.boolean(),
    }),
  ),
  defineEvent(
    'access.request.approved',
    1,
    'An approver approved a request (it is granted once enough approvals are in).',
    strictShape({ requestId: fields.id, approvalsReceived: fields.count, approvalsRequired: fields.count }),
  ),
  defineEvent(
    'access.request.denied',
    1,
    'An approver or the policy denied a request.',
    strictShape({ requestId: fields.id, deniedBy: z.enum(['approver', 'policy']) }),
  ),
  defineEvent(
    'access.grant.created',
    1,
    'An approved request became a grant.',
    strictShape({ grantId: fields.id, requestId: fields.id, roleId: fields.id, startsAt: fields.time, endsAt: fields.time }),
  ),
  defineEvent(
    'access.grant.ended',
    1,
    'A grant ended by expiry, revocation or its holder.',
    strictShape({ grantId: fields.id, endReason: z.enum(['expired', 'revoked', 'released']), endedAt: fields.time }),
  ),
  defineEvent(
    'access.policy.changed',
    1,
    'A policy was created, edited or deleted, through the API or from its file.',
    strictShape({
      policyId: fields.id,
      oldVersion: z.number().int().min(1).nullable(),
      newVersion: z.number().int().min(1).nullable(),
      source: z.enum(['api', 'file']),
      digest: fields.sha256Base64.optional(),
    }),
  ),
] as const;
