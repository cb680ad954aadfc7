// Commands that create requests (ordinary, break-glass, extension) and withdraw them; each commits its state with its events.
import { AppError } from '../shared/app-error.ts';
import { accessEvent, isoTime } from './access-audit.ts';
import { recordEvents, type AccessDeps } from './access-deps.ts';
import type { AccessActor, RequestVerdict } from './access-policy.ts';
import type { AccessTransaction } from './access-store.ts';
import { grantState, type AccessRequest, type Grant, type GrantId, type RequestId } from './access-types.ts';
import { cancelRequest, immediateWindow } from './request-workflow.ts';
import { applyApproval, stageRecipients } from './review-commands.ts';

export interface NewRequest {
  readonly resourceId: string;
  readonly level: string;
  readonly durationSeconds: number;
  readonly reason: string | undefined;
  readonly ticket: string | undefined;
  readonly startAtMs: number | undefined;
}

export interface RequestResult {
  readonly request: AccessRequest;
  /** Present when the request was approved at once (auto-approval, break-glass, approved extension). */
  readonly grant: Grant | undefined;
}

const MAX_SCHEDULE_AHEAD_MS = 90 * 24 * 3600 * 1000;

function checkStart(startAtMs: number | undefined, nowMs: number): void {
  if (startAtMs === undefined) return;
  if (startAtMs < nowMs - 60_000) throw new AppError('invalid_input', `the start ${isoTime(startAtMs)} is in the past; leave it out to start on approval`);
  if (startAtMs > nowMs + MAX_SCHEDULE_AHEAD_MS) throw new AppError('invalid_input', 'a start may be at most 90 days ahead');
}

/** Records a refusal by the policy in its own transaction, then fails the command with the policy's reasons. */
async function refuse(deps: AccessDeps, actor: AccessActor, input: NewRequest, breakGlass: boolean, reasons: readonly string[]): Promise<never> {
  await deps.store.transact(async (tx) => {
    const data = { resourceId: input.resourceId, level: input.level, durationSeconds: input.durationSeconds, breakGlass, reasons: reasons.map((r) => r.slice(0, 512)).slice(0, 16) };
    await recordEvents(deps, tx, [accessEvent({ type: 'access.request.refused', actor, outcome: 'denied', reason: input.reason, resourceId: input.resourceId, data })]);
  });
  throw new AppError('forbidden', `request refused: ${reasons.join('; ')}`, { details: { reasons } });
}

function newRequest(deps: AccessDeps, actor: AccessActor, input: NewRequest, verdict: Exclude<RequestVerdict, { kind: 'deny' }>, nowMs: number): AccessRequest {
  const ttlMs = verdict.kind === 'needs-approval' ? verdict.pendingTtlSeconds * 1000 : 0;
  const immediate = verdict.kind !== 'needs-approval';
  return {
    id: deps.ids.next() as RequestId,
    subject: { kind: 'access' },
    requesterId: actor.userId,
    requesterName: actor.username,
    resourceId: input.resourceId,
    level: input.level,
    durationSeconds: input.durationSeconds,
    reason: input.reason,
    ticket: input.ticket,
    startAtMs: verdict.kind === 'break-glass' ? undefined : input.startAtMs,
    breakGlass: verdict.kind === 'break-glass',
    autoApprovedBy: verdict.kind === 'auto-approve' ? verdict.rule : undefined,
    workflow: verdict.workflow,
    status: immediate ? 'approved' : 'pending',
    decisions: [],
    createdAtMs: nowMs,
    expiresAtMs: nowMs + ttlMs,
    decidedAtMs: immediate ? nowMs : undefined,
    grantId: undefined,
    version: 1,
  };
}

function createdEvent(actor: AccessActor, request: AccessRequest): ReturnType<typeof accessEvent> {
  const data: Record<string, unknown> = {
    requestId: request.id,
    kind: request.subject.kind,
    resourceId: request.resourceId,
    level: request.level,
    durationSeconds: request.durationSeconds,
    expiresAt: isoTime(request.expiresAtMs),
    breakGlass: request.breakGlass,
    policy: request.workflow.policy,
    stages: request.workflow.stages.map((s) => ({ name: s.name, count: s.count })),
  };
  if (request.subject.kind === 'extension') data.grantId = request.subject.grantId;
  if (request.ticket !== undefined) data.ticket = request.ticket;
  if (request.startAtMs !== undefined) data.startAt = isoTime(request.startAtMs);
  return accessEvent({ type: 'access.request.created', actor, request, reason: request.reason, data });
}

async function storeNew(deps: AccessDeps, tx: AccessTransaction, actor: AccessActor, request: AccessRequest, notify: readonly string[]): Promise<RequestResult> {
  const nowMs = request.createdAtMs;
  await tx.insertRequest(request.status === 'approved' ? { ...request, status: 'pending', decidedAtMs: undefined } : request);
  await recordEvents(deps, tx, [createdEvent(actor, request)]);
  if (request.status === 'pending') {
    await tx.enqueue({ topic: 'request.created', recipients: stageRecipients(request, 0), payload: { requestId: request.id, requester: request.requesterName, resourceId: request.resourceId, level: request.level } }, nowMs);
    return { request, grant: undefined };
  }
  const approved = await applyApproval(deps, tx, 'system', { ...request, version: 2 }, immediateWindow(request, nowMs));
  if (request.breakGlass) {
    const data = { requestId: request.id, grantId: approved.grant.id, resourceId: request.resourceId, level: request.level, notify: [...notify] };
    await recordEvents(deps, tx, [accessEvent({ type: 'access.break_glass.used', actor, request, grant: approved.grant, reason: request.reason, data })]);
    await tx.enqueue({ topic: 'break_glass.used', recipients: notify.map((g) => `group:${g}`), payload: { requestId: request.id, grantId: approved.grant.id, user: request.requesterName, resourceId: request.resourceId, level: request.level } }, nowMs);
  }
  return approved;
}

/**
 * Asks for access. The policy decides: refused (recorded, then `forbidden`), pending for reviewers, or approved
 * at once by an auto-approval rule. The grant's clock starts at approval, not at the request.
 * @example await createRequest(deps, alice, { resourceId: 'pg-prod', level: 'read-only', durationSeconds: 3600, reason: 'INC-1', ticket: undefined, startAtMs: undefined })
 */
export async function createRequest(deps: AccessDeps, actor: AccessActor, input: NewRequest): Promise<RequestResult> {
  const nowMs = deps.clock.nowMs();
  checkStart(input.startAtMs, nowMs);
  const verdict = deps.policy().decideRequest({ requester: actor, ...input, breakGlass: false, nowMs });
  if (verdict.kind === 'deny') return refuse(deps, actor, input, false, verdict.reasons);
  if (verdict.kind === 'break-glass') throw new AppError('internal', 'the policy answered break-glass to an ordinary request');
  return deps.store.transact((tx) => storeNew(deps, tx, actor, newRequest(deps, actor, input, verdict, nowMs), []));
}

/**
 * Emergency access where the policy allows it: granted at once, flagged, announced, and left for review after the fact.
 * @example await breakGlass(deps, alice, { resourceId: 'pg-prod', level: 'read-write', durationSeconds: 1800, reason: 'outage', ... })
 */
export async function breakGlass(deps: AccessDeps, actor: AccessActor, input: NewRequest): Promise<RequestResult & { grant: Grant }> {
  const nowMs = deps.clock.nowMs();
  if (input.reason === undefined || input.reason.trim().length < 3) throw new AppError('invalid_input', 'break-glass needs a reason saying what the emergency is');
  const verdict = deps.policy().decideRequest({ requester: actor, ...input, breakGlass: true, nowMs });
  if (verdict.kind === 'deny') return refuse(deps, actor, input, true, verdict.reasons);
  if (verdict.kind !== 'break-glass') throw new AppError('internal', 'the policy did not answer a break-glass request with break-glass');
  const result = await deps.store.transact((tx) => storeNew(deps, tx, actor, newRequest(deps, actor, { ...input, startAtMs: undefined }, verdict, nowMs), verdict.notify));
  if (result.grant === undefined) throw new AppError('internal', 'break-glass produced no grant');
  return { request: result.request, grant: result.grant };
}

/**
 * The holder asks to move an open grant's end by `bySeconds`; the policy decides on the grant's whole new length.
 * @example await requestExtension(deps, alice, grant.id, { bySeconds: 3600, reason: 'migration still running' })
 */
export async function requestExtension(deps: AccessDeps, actor: AccessActor, grantId: GrantId, input: { bySeconds: number; reason: string | undefined; ticket?: string | undefined }): Promise<RequestResult> {
  const nowMs = deps.clock.nowMs();
  const grant = await deps.store.getGrant(grantId);
  if (grant === undefined || grant.userId !== actor.userId) throw new AppError('not_found', `you hold no grant ${grantId}`);
  if (grantState(grant, nowMs) === 'ended') throw new AppError('conflict', `grant ${grantId} has ended; request access again instead`);
  const totalSeconds = Math.round((grant.endsAtMs - grant.startsAtMs) / 1000) + input.bySeconds;
  const ask = { resourceId: grant.resourceId, level: grant.level, durationSeconds: totalSeconds, reason: input.reason, ticket: input.ticket, startAtMs: undefined };
  const verdict = deps.policy().decideRequest({ requester: actor, ...ask, breakGlass: false, nowMs });
  if (verdict.kind === 'deny') return refuse(deps, actor, { ...ask, durationSeconds: input.bySeconds }, false, verdict.reasons);
  if (verdict.kind === 'break-glass') throw new AppError('internal', 'the policy answered break-glass to an extension');
  const request: AccessRequest = { ...newRequest(deps, actor, { ...ask, durationSeconds: input.bySeconds }, verdict, nowMs), subject: { kind: 'extension', grantId } };
  return deps.store.transact((tx) => storeNew(deps, tx, actor, request, []));
}

/**
 * The requester withdraws a pending request.
 * @example await cancelOwnRequest(deps, alice, request.id)
 */
export async function cancelOwnRequest(deps: AccessDeps, actor: AccessActor, requestId: RequestId): Promise<AccessRequest> {
  return deps.store.transact(async (tx) => {
    const request = await tx.getRequest(requestId);
    if (request === undefined || request.requesterId !== actor.userId) throw new AppError('not_found', `you have no request ${requestId}`);
    const cancelled = cancelRequest(request, actor.userId, deps.clock.nowMs());
    await tx.updateRequest(cancelled);
    await recordEvents(deps, tx, [accessEvent({ type: 'access.request.cancelled', actor, request, data: { requestId } })]);
    return cancelled;
  });
}
