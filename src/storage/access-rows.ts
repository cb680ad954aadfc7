// Conversions between the access engine's records and their table rows.
import { z } from 'zod';
import type { Selectable } from 'kysely';
import { AppError } from '../shared/app-error.ts';
import {
  grantEndReasons,
  requestStatuses,
  type AccessRequest,
  type Grant,
  type GrantId,
  type RequestId,
  type ReviewDecision,
  type WorkflowSnapshot,
} from '../access/access-types.ts';
import type { PolicyVersion } from '../access/access-store.ts';
import type { AccessDecisionsTable, AccessGrantsTable, AccessRequestsTable, PolicyVersionsTable } from './schema-access.ts';

const names = z.array(z.string().max(64)).max(64);
const workflowSchema = z.object({
  policy: z.string().max(128),
  stages: z.array(z.object({ name: z.string().max(64), groups: names, users: names, count: z.number().int().min(1) })).max(16),
  onDenial: z.enum(['deny', 'ignore']),
  selfApproval: z.boolean(),
  maxDurationSeconds: z.number().int().min(1),
});

const undef = <T>(value: T | null): T | undefined => (value === null ? undefined : value);

function parseWorkflow(text: string, requestId: string): WorkflowSnapshot {
  const parsed = workflowSchema.safeParse(JSON.parse(text));
  if (!parsed.success) throw new AppError('internal', `request ${requestId} has an unreadable workflow`);
  return parsed.data;
}

export function requestRow(r: AccessRequest): AccessRequestsTable {
  return {
    id: r.id,
    kind: r.subject.kind,
    target_grant_id: r.subject.kind === 'extension' ? r.subject.grantId : null,
    requester_id: r.requesterId,
    requester_name: r.requesterName,
    resource_id: r.resourceId,
    level: r.level,
    duration_seconds: r.durationSeconds,
    reason: r.reason ?? null,
    ticket: r.ticket ?? null,
    start_at_ms: r.startAtMs ?? null,
    break_glass: r.breakGlass ? 1 : 0,
    auto_approved_by: r.autoApprovedBy ?? null,
    workflow: JSON.stringify(r.workflow),
    status: r.status,
    current_stage: null,
    created_at_ms: r.createdAtMs,
    expires_at_ms: r.expiresAtMs,
    decided_at_ms: r.decidedAtMs ?? null,
    grant_id: r.grantId ?? null,
    version: r.version,
  };
}

export function decisionRow(requestId: string, d: ReviewDecision): AccessDecisionsTable {
  return {
    request_id: requestId,
    reviewer_id: d.reviewerId,
    reviewer_name: d.reviewerName,
    stage: d.stage,
    verdict: d.verdict,
    comment: d.comment ?? null,
    duration_seconds: d.durationSeconds ?? null,
    start_at_ms: d.startAtMs ?? null,
    self_approval: d.selfApproval ? 1 : 0,
    at_ms: d.atMs,
  };
}

function toDecision(row: Selectable<AccessDecisionsTable>): ReviewDecision {
  return {
    reviewerId: row.reviewer_id,
    reviewerName: row.reviewer_name,
    stage: row.stage,
    verdict: row.verdict === 'deny' ? 'deny' : 'approve',
    comment: undef(row.comment),
    durationSeconds: undef(row.duration_seconds),
    startAtMs: undef(row.start_at_ms),
    selfApproval: row.self_approval === 1,
    atMs: row.at_ms,
  };
}

export function toRequest(row: Selectable<AccessRequestsTable>, decisions: readonly Selectable<AccessDecisionsTable>[]): AccessRequest {
  const status = requestStatuses.find((s) => s === row.status);
  if (status === undefined) throw new AppError('internal', `request ${row.id} has an unknown status`);
  return {
    id: row.id as RequestId,
    subject: row.kind === 'extension' && row.target_grant_id !== null ? { kind: 'extension', grantId: row.target_grant_id as GrantId } : { kind: 'access' },
    requesterId: row.requester_id,
    requesterName: row.requester_name,
    resourceId: row.resource_id,
    level: row.level,
    durationSeconds: row.duration_seconds,
    reason: undef(row.reason),
    ticket: undef(row.ticket),
    startAtMs: undef(row.start_at_ms),
    breakGlass: row.break_glass === 1,
    autoApprovedBy: undef(row.auto_approved_by),
    workflow: parseWorkflow(row.workflow, row.id),
    status,
    decisions: [...decisions].sort((a, b) => a.at_ms - b.at_ms).map(toDecision),
    createdAtMs: row.created_at_ms,
    expiresAtMs: row.expires_at_ms,
    decidedAtMs: undef(row.decided_at_ms),
    grantId: undef(row.grant_id) as GrantId | undefined,
    version: row.version,
  };
}

export function grantRow(g: Grant): Omit<AccessGrantsTable, 'expiry_notice_at_ms'> {
  return {
    id: g.id,
    request_id: g.requestId,
    user_id: g.userId,
    user_name: g.userName,
    resource_id: g.resourceId,
    level: g.level,
    starts_at_ms: g.startsAtMs,
    ends_at_ms: g.endsAtMs,
    break_glass: g.breakGlass ? 1 : 0,
    started_at_ms: g.startedAtMs ?? null,
    ended_at_ms: g.endedAtMs ?? null,
    end_reason: g.endReason ?? null,
    ended_by: g.endedBy ?? null,
    version: g.version,
  };
}

export function toGrant(row: Selectable<AccessGrantsTable>): Grant {
  return {
    id: row.id as GrantId,
    requestId: row.request_id as RequestId,
    userId: row.user_id,
    userName: row.user_name,
    resourceId: row.resource_id,
    level: row.level,
    startsAtMs: row.starts_at_ms,
    endsAtMs: row.ends_at_ms,
    breakGlass: row.break_glass === 1,
    startedAtMs: undef(row.started_at_ms),
    endedAtMs: undef(row.ended_at_ms),
    endReason: grantEndReasons.find((r) => r === row.end_reason),
    endedBy: undef(row.ended_by),
    version: row.version,
  };
}

export function toPolicyVersion(row: Selectable<PolicyVersionsTable>): PolicyVersion {
  return {
    version: row.version,
    digest: row.digest,
    source: row.source === 'api' ? 'api' : 'file',
    text: row.text,
    appliedBy: row.applied_by,
    appliedAtMs: row.applied_at_ms,
  };
}

/** Opaque page cursors over string keys. */
export function encodeCursor(key: string): string {
  return Buffer.from(key, 'utf8').toString('base64url');
}

export function decodeCursor(cursor: string | undefined): string | undefined {
  if (cursor === undefined) return undefined;
  const key = Buffer.from(cursor, 'base64url').toString('utf8');
  if (!/^[0-9a-z-]{1,64}$/.test(key)) throw new AppError('invalid_input', 'the cursor is not one this server gave out; start again without it');
  return key;
}
