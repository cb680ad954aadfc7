// Access events: requests, reviews, grants, break-glass and policy versions of the access engine.
import { z } from 'zod';
import { strictShape } from '../event-schema.ts';
import { defineEvent, fields } from './event-definition.ts';

const MAX_GRANT_SECONDS = 366 * 24 * 3600;
const seconds = z.number().int().min(1).max(MAX_GRANT_SECONDS);
const slug = z.string().min(1).max(64);

export const accessEvents = [
  defineEvent(
    'access.request.created',
    1,
    'Someone asked for an access level on a resource for a while (the reason is the event reason).',
    strictShape({
      requestId: fields.id,
      kind: z.enum(['access', 'extension']),
      grantId: fields.id.optional(),
      resourceId: slug,
      level: slug,
      durationSeconds: seconds,
      ticket: z.string().min(1).max(128).optional(),
      startAt: fields.time.optional(),
      expiresAt: fields.time,
      breakGlass: z.boolean(),
      policy: z.string().min(1).max(128),
      stages: z.array(strictShape({ name: slug, count: fields.count })).max(16),
    }),
  ),
  defineEvent(
    'access.request.refused',
    1,
    'The policy refused a request before anyone reviewed it (outcome denied).',
    strictShape({ resourceId: slug, level: slug, durationSeconds: seconds, breakGlass: z.boolean(), reasons: z.array(z.string().min(1).max(512)).min(1).max(16) }),
  ),
  defineEvent(
    'access.request.reviewed',
    1,
    'A reviewer approved or denied a request at one stage (the comment is the event reason).',
    strictShape({
      requestId: fields.id,
      stage: z.number().int().min(0).max(15),
      stageName: slug,
      verdict: z.enum(['approve', 'deny']),
      durationSeconds: seconds.optional(),
      startAt: fields.time.optional(),
      selfApproval: z.boolean(),
      approvalsReceived: fields.count,
      approvalsRequired: fields.count,
    }),
  ),
  defineEvent(
    'access.request.approved',
    1,
    'A request has every approval it needs (or a policy rule approved it).',
    strictShape({ requestId: fields.id, grantId: fields.id, autoApprovedBy: z.string().min(1).max(256).optional(), breakGlass: z.boolean() }),
  ),
  defineEvent('access.request.denied', 1, 'A reviewer denied a request.', strictShape({ requestId: fields.id, deniedBy: z.enum(['approver', 'policy']) })),
  defineEvent('access.request.cancelled', 1, 'The requester withdrew a pending request.', strictShape({ requestId: fields.id })),
  defineEvent('access.request.expired', 1, 'A pending request was not decided in time.', strictShape({ requestId: fields.id, expiredAt: fields.time })),
  defineEvent(
    'access.grant.created',
    1,
    'An approved request became a grant.',
    strictShape({ grantId: fields.id, requestId: fields.id, resourceId: slug, level: slug, startsAt: fields.time, endsAt: fields.time, breakGlass: z.boolean() }),
  ),
  defineEvent('access.grant.started', 1, 'A grant scheduled for later became active.', strictShape({ grantId: fields.id, startedAt: fields.time })),
  defineEvent(
    'access.grant.extended',
    1,
    'An approved extension request moved a grant’s end.',
    strictShape({ grantId: fields.id, requestId: fields.id, previousEndsAt: fields.time, endsAt: fields.time }),
  ),
  defineEvent(
    'access.grant.ended',
    1,
    'A grant ended by expiry, revocation or its holder giving it up.',
    strictShape({ grantId: fields.id, endReason: z.enum(['expired', 'revoked', 'released']), endedAt: fields.time }),
  ),
  defineEvent(
    'access.break_glass.used',
    1,
    'Someone took emergency access without approval; it is flagged for review after the fact.',
    strictShape({ requestId: fields.id, grantId: fields.id, resourceId: slug, level: slug, notify: z.array(slug).max(32) }),
  ),
  defineEvent(
    'access.policy.applied',
    1,
    'A new policy version was applied, from its file or through the API.',
    strictShape({
      version: z.number().int().min(1),
      previousDigest: fields.sha256Base64.nullable(),
      digest: fields.sha256Base64,
      source: z.enum(['api', 'file']),
      diff: z.string().max(32_768),
    }),
  ),
] as const;
