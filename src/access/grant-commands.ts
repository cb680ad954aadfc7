// Ending a grant before its time: revocation by an approver or admin, or the holder giving it up; effective at once.
import { AppError } from '../shared/app-error.ts';
import { grantEndedEvent } from './access-audit.ts';
import { recordEvents, type AccessDeps } from './access-deps.ts';
import type { AccessActor } from './access-policy.ts';
import { grantState, type AccessRequest, type Grant, type GrantId } from './access-types.ts';

/** True when `actor` is named by any stage of the request's workflow or decided it. */
export function isReviewerOf(actor: AccessActor, request: AccessRequest): boolean {
  if (request.decisions.some((d) => d.reviewerId === actor.userId)) return true;
  return request.workflow.stages.some((stage) => stage.users.includes(actor.username) || stage.groups.some((g) => actor.groups.includes(g)));
}

/**
 * May `actor` see this request? Its requester, its reviewers, admins and auditors.
 * @example canSeeRequest(alice, request) // true when alice asked for it
 */
export function canSeeRequest(actor: AccessActor, request: AccessRequest): boolean {
  return actor.userId === request.requesterId || actor.roles.includes('admin') || actor.roles.includes('auditor') || isReviewerOf(actor, request);
}

/**
 * Ends an open grant now. The holder releases it; an admin or a reviewer of its request revokes it.
 * Sessions under the grant are cut by the gateway, which reads the stored end.
 * @example await endGrant(deps, alice, grant.id, 'done early')
 */
export async function endGrant(deps: AccessDeps, actor: AccessActor, grantId: GrantId, reason: string | undefined): Promise<Grant> {
  return deps.store.transact(async (tx) => {
    const grant = await tx.getGrant(grantId);
    if (grant === undefined) throw new AppError('not_found', `there is no grant ${grantId}`);
    const request = await tx.getRequest(grant.requestId);
    const holder = grant.userId === actor.userId;
    const mayRevoke = actor.roles.includes('admin') || (request !== undefined && isReviewerOf(actor, request));
    if (!holder && !mayRevoke) {
      if (request !== undefined && canSeeRequest(actor, request)) throw new AppError('forbidden', `only the holder, an admin or a reviewer of request ${grant.requestId} can end grant ${grantId}`);
      throw new AppError('not_found', `there is no grant ${grantId}`);
    }
    const nowMs = deps.clock.nowMs();
    if (grantState(grant, nowMs) === 'ended') throw new AppError('conflict', `grant ${grantId} has already ended`);
    if (!holder && (reason === undefined || reason.trim() === '')) throw new AppError('invalid_input', 'a revocation needs a reason, for the holder and the audit trail');
    const ended: Grant = { ...grant, endedAtMs: nowMs, endReason: holder ? 'released' : 'revoked', endedBy: actor.userId, version: grant.version + 1 };
    await tx.updateGrant(ended);
    await recordEvents(deps, tx, [grantEndedEvent(actor, ended, reason)]);
    if (!holder) {
      await tx.enqueue({ topic: 'grant.ended', recipients: [grant.userId], payload: { grantId, endReason: 'revoked', by: actor.username, reason: reason ?? null } }, nowMs);
    }
    return ended;
  });
}
