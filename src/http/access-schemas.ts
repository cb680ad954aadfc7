// The access API's bodies and answers (zod, bounded): requests, reviews, grants, resources; the CLI and dashboard share them.
import { z } from 'zod';
import type { AccessRequest, Grant } from '../access/access-types.ts';
import { grantState } from '../access/access-types.ts';
import { approvalsPerStage, currentStage } from '../access/request-workflow.ts';

const MAX_SECONDS = 366 * 24 * 3600;
const slug = z.string().min(1).max(64).regex(/^[a-z0-9][a-z0-9._-]*$/, 'expected lower-case letters, digits, ".", "_" or "-"');
const id = z.string().min(1).max(64);
const rfc3339 = z.iso.datetime({ offset: true, message: 'expected an RFC 3339 date-time such as 2026-11-25T14:00:00Z' });
export const durationSecondsSchema = z.number().int().min(60, 'at least 60 seconds').max(MAX_SECONDS, 'at most 366 days');
const reason = z.string().trim().min(1).max(1024);
const comment = z.string().trim().min(1).max(1024);

export const createRequestBody = z.strictObject({
  resourceId: slug,
  level: slug,
  durationSeconds: durationSecondsSchema,
  reason: reason.optional(),
  ticket: z.string().trim().min(1).max(128).optional(),
  startAt: rfc3339.optional(),
});

export const breakGlassBody = z.strictObject({ resourceId: slug, level: slug, durationSeconds: durationSecondsSchema, reason });

export const approveBody = z.strictObject({ comment: comment.optional(), durationSeconds: durationSecondsSchema.optional(), startAt: rfc3339.optional() });
export const denyBody = z.strictObject({ comment });
export const revokeBody = z.strictObject({ reason: reason.optional() });
export const extendBody = z.strictObject({ bySeconds: durationSecondsSchema, reason: reason.optional(), ticket: z.string().trim().min(1).max(128).optional() });

export const requestListQuery = z.strictObject({
  view: z.enum(['mine', 'to-review', 'all']).default('mine'),
  status: z.enum(['pending', 'approved', 'denied', 'cancelled', 'expired']).optional(),
  cursor: z.string().max(200).optional(),
  limit: z.coerce.number().int().min(1).max(200).default(50),
});

export const grantListQuery = z.strictObject({
  view: z.enum(['mine', 'all']).default('mine'),
  state: z.enum(['open', 'ended']).optional(),
  resourceId: slug.optional(),
  cursor: z.string().max(200).optional(),
  limit: z.coerce.number().int().min(1).max(200).default(50),
});

export const idParams = z.strictObject({ id });

const iso = (ms: number | undefined): string | null => (ms === undefined ? null : new Date(ms).toISOString());

export const requestView = z.object({
  id: z.string(),
  kind: z.enum(['access', 'extension']),
  extendsGrantId: z.string().nullable(),
  requester: z.object({ id: z.string(), username: z.string() }),
  resourceId: z.string(),
  level: z.string(),
  durationSeconds: z.number(),
  reason: z.string().nullable(),
  ticket: z.string().nullable(),
  startAt: z.string().nullable(),
  breakGlass: z.boolean(),
  autoApprovedBy: z.string().nullable(),
  policy: z.string(),
  stages: z.array(z.object({ name: z.string(), count: z.number(), approvals: z.number(), groups: z.array(z.string()), users: z.array(z.string()) })),
  currentStage: z.number().nullable(),
  status: z.string(),
  decisions: z.array(
    z.object({
      reviewer: z.object({ id: z.string(), username: z.string() }),
      stage: z.number(),
      verdict: z.enum(['approve', 'deny']),
      comment: z.string().nullable(),
      durationSeconds: z.number().nullable(),
      startAt: z.string().nullable(),
      selfApproval: z.boolean(),
      at: z.string(),
    }),
  ),
  createdAt: z.string(),
  expiresAt: z.string(),
  decidedAt: z.string().nullable(),
  grantId: z.string().nullable(),
  /** Only in the to-review list: true when the requester has never held a grant on this resource (a flag for reviewers). */
  firstForResource: z.boolean().optional(),
});
export type RequestView = z.infer<typeof requestView>;

/** The API's view of a request. */
export function toRequestView(r: AccessRequest): RequestView {
  const approvals = approvalsPerStage(r);
  return {
    id: r.id,
    kind: r.subject.kind,
    extendsGrantId: r.subject.kind === 'extension' ? r.subject.grantId : null,
    requester: { id: r.requesterId, username: r.requesterName },
    resourceId: r.resourceId,
    level: r.level,
    durationSeconds: r.durationSeconds,
    reason: r.reason ?? null,
    ticket: r.ticket ?? null,
    startAt: iso(r.startAtMs),
    breakGlass: r.breakGlass,
    autoApprovedBy: r.autoApprovedBy ?? null,
    policy: r.workflow.policy,
    stages: r.workflow.stages.map((s, i) => ({ name: s.name, count: s.count, approvals: approvals[i] ?? 0, groups: [...s.groups], users: [...s.users] })),
    currentStage: r.status === 'pending' ? (currentStage(r) ?? null) : null,
    status: r.status,
    decisions: r.decisions.map((d) => ({
      reviewer: { id: d.reviewerId, username: d.reviewerName },
      stage: d.stage,
      verdict: d.verdict,
      comment: d.comment ?? null,
      durationSeconds: d.durationSeconds ?? null,
      startAt: iso(d.startAtMs),
      selfApproval: d.selfApproval,
      at: new Date(d.atMs).toISOString(),
    })),
    createdAt: new Date(r.createdAtMs).toISOString(),
    expiresAt: new Date(r.expiresAtMs).toISOString(),
    decidedAt: iso(r.decidedAtMs),
    grantId: r.grantId ?? null,
  };
}

export const grantView = z.object({
  id: z.string(),
  requestId: z.string(),
  user: z.object({ id: z.string(), username: z.string() }),
  resourceId: z.string(),
  level: z.string(),
  startsAt: z.string(),
  endsAt: z.string(),
  state: z.enum(['scheduled', 'active', 'ended']),
  secondsLeft: z.number(),
  breakGlass: z.boolean(),
  endedAt: z.string().nullable(),
  endReason: z.string().nullable(),
  endedBy: z.string().nullable(),
});
export type GrantView = z.infer<typeof grantView>;

/** The API's view of a grant at `nowMs`. */
export function toGrantView(g: Grant, nowMs: number): GrantView {
  const state = grantState(g, nowMs);
  return {
    id: g.id,
    requestId: g.requestId,
    user: { id: g.userId, username: g.userName },
    resourceId: g.resourceId,
    level: g.level,
    startsAt: new Date(g.startsAtMs).toISOString(),
    endsAt: new Date(g.endsAtMs).toISOString(),
    state,
    secondsLeft: state === 'ended' ? 0 : Math.max(0, Math.floor((g.endsAtMs - nowMs) / 1000)),
    breakGlass: g.breakGlass,
    endedAt: iso(g.endedAtMs ?? (state === 'ended' ? g.endsAtMs : undefined)),
    endReason: g.endReason ?? (state === 'ended' ? 'expired' : null),
    endedBy: g.endedBy ?? null,
  };
}

export const requestResult = z.object({ request: requestView, grant: grantView.nullable() });

/** A page of items with the cursor for the next one. */
export function pageOf<T extends z.ZodType>(item: T) {
  return z.object({ items: z.array(item), nextCursor: z.string().nullable() });
}

export const resourceView = z.object({
  id: z.string(),
  kind: z.string(),
  name: z.string(),
  labels: z.record(z.string(), z.string()),
  levels: z.array(z.string()),
});

export const resourceListQuery = z.strictObject({
  q: z.string().max(128).optional(),
  label: z.union([z.string().max(200), z.array(z.string().max(200)).max(16)]).optional(),
});
