// The request state machine: pure transitions over a request and the clock, each returning the new request or a refusal.
import { AppError } from '../shared/app-error.ts';
import type { AccessRequest, ReviewDecision } from './access-types.ts';

export interface Review {
  readonly reviewerId: string;
  readonly reviewerName: string;
  readonly verdict: 'approve' | 'deny';
  readonly comment: string | undefined;
  readonly durationSeconds: number | undefined;
  readonly startAtMs: number | undefined;
  /** The policy allowed this reviewer to decide their own request; the decision is flagged. */
  readonly selfApproval: boolean;
}

/** When an approved request's grant runs. */
export interface GrantWindow {
  readonly startsAtMs: number;
  readonly endsAtMs: number;
}

export type ReviewOutcome =
  | { readonly kind: 'recorded'; readonly request: AccessRequest; readonly stage: number }
  | { readonly kind: 'approved'; readonly request: AccessRequest; readonly stage: number; readonly window: GrantWindow; readonly durationSeconds: number }
  | { readonly kind: 'denied'; readonly request: AccessRequest; readonly stage: number };

/** Approvals recorded for each stage. */
export function approvalsPerStage(request: Pick<AccessRequest, 'workflow' | 'decisions'>): number[] {
  const counts = request.workflow.stages.map(() => 0);
  for (const d of request.decisions) if (d.verdict === 'approve') counts[d.stage] = (counts[d.stage] ?? 0) + 1;
  return counts;
}

/**
 * The stage waiting for approvals (stages are decided in order), or undefined when every stage has its count.
 * @example currentStage({ workflow: { stages: [{ count: 1, ... }] }, decisions: [] }) // 0
 */
export function currentStage(request: Pick<AccessRequest, 'workflow' | 'decisions'>): number | undefined {
  const counts = approvalsPerStage(request);
  const index = request.workflow.stages.findIndex((stage, i) => (counts[i] ?? 0) < stage.count);
  return index === -1 ? undefined : index;
}

function assertPending(request: AccessRequest, nowMs: number): void {
  if (request.status !== 'pending') {
    throw new AppError('conflict', `request ${request.id} is already ${request.status}; only a pending request can change`);
  }
  if (nowMs >= request.expiresAtMs) {
    throw new AppError('conflict', `request ${request.id} expired at ${new Date(request.expiresAtMs).toISOString()} before it was decided; ask again`);
  }
}

/** Duration and start after every approver's changes: approvers may only shorten and move later. */
function effectiveTerms(request: AccessRequest): { durationSeconds: number; startAtMs: number | undefined } {
  let durationSeconds = request.durationSeconds;
  let startAtMs = request.startAtMs;
  for (const d of request.decisions) {
    if (d.verdict !== 'approve') continue;
    if (d.durationSeconds !== undefined) durationSeconds = Math.min(durationSeconds, d.durationSeconds);
    if (d.startAtMs !== undefined) startAtMs = Math.max(startAtMs ?? d.startAtMs, d.startAtMs);
  }
  return { durationSeconds, startAtMs };
}

function checkReviewTerms(request: AccessRequest, review: Review): void {
  if (review.durationSeconds !== undefined && review.durationSeconds > effectiveTerms(request).durationSeconds) {
    throw new AppError('invalid_input', `an approver may shorten the duration, not lengthen it: ${review.durationSeconds} s is over the ${effectiveTerms(request).durationSeconds} s requested`);
  }
  if (review.verdict === 'deny' && (review.durationSeconds !== undefined || review.startAtMs !== undefined)) {
    throw new AppError('invalid_input', 'a denial cannot change the duration or the start');
  }
  if (review.verdict === 'deny' && (review.comment === undefined || review.comment.trim() === '')) {
    throw new AppError('invalid_input', 'a denial needs a comment saying why, for the requester');
  }
}

/**
 * Records one reviewer's decision at the current stage. Approval is reached when every stage has its count;
 * the grant's duration then runs from approval (or the later scheduled start), never from the request.
 * Throws `conflict` when the request is not pending or the reviewer has already decided it.
 * @example reviewRequest(request, { reviewerId: 'bob', verdict: 'approve', ... }, now).kind // 'approved'
 */
export function reviewRequest(request: AccessRequest, review: Review, nowMs: number): ReviewOutcome {
  assertPending(request, nowMs);
  const stage = currentStage(request);
  if (stage === undefined) throw new AppError('conflict', `request ${request.id} has every approval it needs`);
  if (request.decisions.some((d) => d.reviewerId === review.reviewerId)) {
    throw new AppError('conflict', `${review.reviewerName} has already decided request ${request.id}; each reviewer decides once`);
  }
  checkReviewTerms(request, review);
  const decision: ReviewDecision = { ...review, stage, atMs: nowMs };
  const decided = { ...request, decisions: [...request.decisions, decision], version: request.version + 1 };
  if (review.verdict === 'deny') {
    if (request.workflow.onDenial === 'ignore') return { kind: 'recorded', request: decided, stage };
    return { kind: 'denied', request: { ...decided, status: 'denied', decidedAtMs: nowMs }, stage };
  }
  if (currentStage(decided) !== undefined) return { kind: 'recorded', request: decided, stage };
  const terms = effectiveTerms(decided);
  const startsAtMs = Math.max(nowMs, terms.startAtMs ?? nowMs);
  const window = { startsAtMs, endsAtMs: startsAtMs + terms.durationSeconds * 1000 };
  return { kind: 'approved', request: { ...decided, status: 'approved', decidedAtMs: nowMs }, stage, window, durationSeconds: terms.durationSeconds };
}

/**
 * The window of a request approved at creation (auto-approval or break-glass).
 * @example immediateWindow({ durationSeconds: 3600, startAtMs: undefined }, 0) // { startsAtMs: 0, endsAtMs: 3600000 }
 */
export function immediateWindow(request: Pick<AccessRequest, 'durationSeconds' | 'startAtMs'>, nowMs: number): GrantWindow {
  const startsAtMs = Math.max(nowMs, request.startAtMs ?? nowMs);
  return { startsAtMs, endsAtMs: startsAtMs + request.durationSeconds * 1000 };
}

/**
 * The requester withdraws a pending request.
 * @example cancelRequest(request, request.requesterId, now).status // 'cancelled'
 */
export function cancelRequest(request: AccessRequest, actorId: string, nowMs: number): AccessRequest {
  if (actorId !== request.requesterId) throw new AppError('forbidden', `only the requester can cancel request ${request.id}`);
  assertPending(request, nowMs);
  return { ...request, status: 'cancelled', decidedAtMs: nowMs, version: request.version + 1 };
}

/**
 * A pending request whose time ran out; undefined when it is not due.
 * @example expireRequest(request, request.expiresAtMs)?.status // 'expired'
 */
export function expireRequest(request: AccessRequest, nowMs: number): AccessRequest | undefined {
  if (request.status !== 'pending' || nowMs < request.expiresAtMs) return undefined;
  return { ...request, status: 'expired', decidedAtMs: request.expiresAtMs, version: request.version + 1 };
}
