// Reviewing a request: the policy says who may decide it, the workflow counts the decisions, approval creates or extends a grant.
import { AppError } from '../shared/app-error.ts';
import { accessEvent, grantCreatedEvent, isoTime } from './access-audit.ts';
import { recordEvents, type AccessDeps } from './access-deps.ts';
import type { AccessActor } from './access-policy.ts';
import type { AccessTransaction } from './access-store.ts';
import { grantState, type AccessRequest, type Grant, type GrantId, type RequestId } from './access-types.ts';
import { approvalsPerStage, currentStage, reviewRequest, type GrantWindow } from './request-workflow.ts';

export interface ReviewInput {
  readonly verdict: 'approve' | 'deny';
  readonly comment: string | undefined;
  /** An approver may shorten the duration... */
  readonly durationSeconds: number | undefined;
  /** ...or move the start later. */
  readonly startAtMs: number | undefined;
}

/** Who is told about a stage: its users and groups (`group:<name>`). */
export function stageRecipients(request: AccessRequest, stage: number): string[] {
  const spec = request.workflow.stages[stage];
  return spec === undefined ? [] : [...spec.users, ...spec.groups.map((g) => `group:${g}`)];
}

async function extendGrant(deps: AccessDeps, tx: AccessTransaction, approved: AccessRequest, grantId: GrantId, window: GrantWindow): Promise<Grant> {
  const grant = await tx.getGrant(grantId);
  const nowMs = deps.clock.nowMs();
  if (grant === undefined || grantState(grant, nowMs) === 'ended') throw new AppError('conflict', `grant ${grantId} has ended; the extension cannot apply`);
  const extended: Grant = { ...grant, endsAtMs: grant.endsAtMs + (window.endsAtMs - window.startsAtMs), version: grant.version + 1 };
  await tx.updateGrant(extended);
  const data = { grantId, requestId: approved.id, previousEndsAt: isoTime(grant.endsAtMs), endsAt: isoTime(extended.endsAtMs) };
  await recordEvents(deps, tx, [accessEvent({ type: 'access.grant.extended', actor: 'system', request: approved, grant, data })]);
  return extended;
}

/**
 * Stores an approved request (its version already bumped) and its grant: a new one, or the extended one.
 * @example await applyApproval(deps, tx, 'system', { ...request, status: 'approved', version: 2 }, window)
 */
export async function applyApproval(deps: AccessDeps, tx: AccessTransaction, actor: AccessActor | 'system', approved: AccessRequest, window: GrantWindow): Promise<{ request: AccessRequest; grant: Grant }> {
  const nowMs = deps.clock.nowMs();
  let grant: Grant;
  if (approved.subject.kind === 'extension') {
    grant = await extendGrant(deps, tx, approved, approved.subject.grantId, window);
  } else {
    grant = {
      id: deps.ids.next() as GrantId,
      requestId: approved.id,
      userId: approved.requesterId,
      userName: approved.requesterName,
      resourceId: approved.resourceId,
      level: approved.level,
      startsAtMs: window.startsAtMs,
      endsAtMs: window.endsAtMs,
      breakGlass: approved.breakGlass,
      startedAtMs: window.startsAtMs <= nowMs ? window.startsAtMs : undefined,
      endedAtMs: undefined,
      endReason: undefined,
      endedBy: undefined,
      version: 1,
    };
  }
  const request = { ...approved, status: 'approved' as const, decidedAtMs: nowMs, grantId: grant.id };
  await tx.updateRequest(request);
  if (approved.subject.kind === 'access') await tx.insertGrant(grant);
  const data: Record<string, unknown> = { requestId: request.id, grantId: grant.id, breakGlass: request.breakGlass };
  if (request.autoApprovedBy !== undefined) data.autoApprovedBy = request.autoApprovedBy;
  const events = [accessEvent({ type: 'access.request.approved', actor, request, grant, data })];
  if (approved.subject.kind === 'access') events.push(grantCreatedEvent(actor, request, grant));
  await recordEvents(deps, tx, events);
  const payload = { requestId: request.id, grantId: grant.id, status: 'approved', startsAt: isoTime(grant.startsAtMs), endsAt: isoTime(grant.endsAtMs) };
  await tx.enqueue({ topic: 'request.decided', recipients: [request.requesterId], payload }, nowMs);
  return { request, grant };
}

/** Records a refused review attempt (a reviewer outside the stage, or self-approval) after the command's rollback. */
async function recordRefusedReview(deps: AccessDeps, actor: AccessActor, request: AccessRequest, stage: number, input: ReviewInput, reason: string): Promise<void> {
  await deps.store.transact(async (tx) => {
    const counts = approvalsPerStage(request);
    const data = {
      requestId: request.id,
      stage,
      stageName: request.workflow.stages[stage]?.name ?? 'none',
      verdict: input.verdict,
      selfApproval: actor.userId === request.requesterId,
      approvalsReceived: counts[stage] ?? 0,
      approvalsRequired: request.workflow.stages[stage]?.count ?? 0,
    };
    await recordEvents(deps, tx, [accessEvent({ type: 'access.request.reviewed', actor, outcome: 'denied', request, reason: reason.slice(0, 1024), data })]);
  });
}

function reviewedEvent(actor: AccessActor, request: AccessRequest, stage: number, input: ReviewInput, selfApproval: boolean): ReturnType<typeof accessEvent> {
  const data: Record<string, unknown> = {
    requestId: request.id,
    stage,
    stageName: request.workflow.stages[stage]?.name ?? 'none',
    verdict: input.verdict,
    selfApproval,
    approvalsReceived: approvalsPerStage(request)[stage] ?? 0,
    approvalsRequired: request.workflow.stages[stage]?.count ?? 0,
  };
  if (input.durationSeconds !== undefined) data.durationSeconds = input.durationSeconds;
  if (input.startAtMs !== undefined) data.startAt = isoTime(input.startAtMs);
  return accessEvent({ type: 'access.request.reviewed', actor, request, reason: input.comment, data });
}

/**
 * A reviewer approves or denies a request at its current stage. Refused (and recorded) when the policy does not
 * let this reviewer decide it — self-approval included, for admins too, unless the policy allows it (then flagged).
 * @example await decideRequest(deps, bob, request.id, { verdict: 'approve', comment: 'ok', durationSeconds: 1800, startAtMs: undefined })
 */
export async function decideRequest(deps: AccessDeps, actor: AccessActor, requestId: RequestId, input: ReviewInput): Promise<{ request: AccessRequest; grant: Grant | undefined }> {
  const refused: { reason?: string; request?: AccessRequest; stage?: number } = {};
  try {
    return await deps.store.transact(async (tx) => {
      const request = await tx.getRequest(requestId);
      if (request === undefined) throw new AppError('not_found', `there is no request ${requestId}`);
      const nowMs = deps.clock.nowMs();
      const stage = request.status === 'pending' ? currentStage(request) : undefined;
      if (stage !== undefined) {
        const verdict = deps.policy().decideReview({ reviewer: actor, request, stage, nowMs });
        if (verdict.kind === 'deny') {
          Object.assign(refused, { reason: verdict.reason, request, stage });
          throw new AppError('forbidden', `you may not decide request ${requestId}: ${verdict.reason}`);
        }
        const outcome = reviewRequest(request, { reviewerId: actor.userId, reviewerName: actor.username, ...input, selfApproval: verdict.selfApproval }, nowMs);
        await recordEvents(deps, tx, [reviewedEvent(actor, outcome.request, outcome.stage, input, verdict.selfApproval)]);
        if (outcome.kind === 'approved') return applyApproval(deps, tx, actor, outcome.request, outcome.window);
        await tx.updateRequest(outcome.request);
        if (outcome.kind === 'denied') {
          await recordEvents(deps, tx, [accessEvent({ type: 'access.request.denied', actor, request, reason: input.comment, data: { requestId, deniedBy: 'approver' } })]);
          await tx.enqueue({ topic: 'request.decided', recipients: [request.requesterId], payload: { requestId, status: 'denied', comment: input.comment ?? null } }, nowMs);
        } else if (currentStage(outcome.request) !== outcome.stage) {
          const next = currentStage(outcome.request) ?? 0;
          await tx.enqueue({ topic: 'request.created', recipients: stageRecipients(outcome.request, next), payload: { requestId, stage: next, requester: request.requesterName } }, nowMs);
        }
        return { request: outcome.request, grant: undefined };
      }
      // Not pending (or nothing left to approve): the workflow explains exactly why.
      reviewRequest(request, { reviewerId: actor.userId, reviewerName: actor.username, ...input, selfApproval: false }, nowMs);
      throw new AppError('conflict', `request ${requestId} cannot be reviewed now`);
    });
  } catch (error) {
    if (refused.reason !== undefined && refused.request !== undefined && refused.stage !== undefined) {
      await recordRefusedReview(deps, actor, refused.request, refused.stage, input, refused.reason);
    }
    throw error;
  }
}
