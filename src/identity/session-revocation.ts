// Ending browser sessions inside a command's transaction, each end recorded in the ledger.
import type { EventActor, IdentityContext } from './identity-context.ts';
import { target } from './identity-context.ts';
import type { IdentityTransaction } from './identity-store.ts';
import type { SessionId, SessionRecord } from './session.ts';
import type { UserId } from './user.ts';

export type SessionsRevokedCause = 'password_changed' | 'password_reset' | 'user_disabled';

/**
 * Ends every session of a user but `exceptId` and records one `auth.sessions.revoked` event when any ended.
 * @example await revokeSessionsOf(ctx, tx, { userId, exceptId: undefined, cause: 'user_disabled', actor })
 */
export async function revokeSessionsOf(
  ctx: IdentityContext,
  tx: IdentityTransaction,
  revocation: { userId: UserId; exceptId: SessionId | undefined; cause: SessionsRevokedCause; actor: EventActor },
): Promise<SessionId[]> {
  const ended = await tx.deleteSessionsOfUser(revocation.userId, revocation.exceptId);
  if (ended.length > 0) {
    const data = { userId: revocation.userId, sessionIds: ended, cause: revocation.cause };
    await ctx.record(tx, [{ type: 'auth.sessions.revoked', actor: revocation.actor, targets: [target('user', revocation.userId)], outcome: 'success', data }]);
  }
  return ended;
}

/**
 * Ends one session and records `auth.session.ended`; false (and no event) when it had already ended.
 * @example await endSession(ctx, tx, session, { endReason: 'expired', timeout: 'idle', actor })
 */
export async function endSession(
  ctx: IdentityContext,
  tx: IdentityTransaction,
  session: SessionRecord,
  end: { endReason: 'logout' | 'expired' | 'revoked'; timeout?: 'idle' | 'absolute'; actor: EventActor },
): Promise<boolean> {
  if (!(await tx.deleteSession(session.id))) return false;
  const durationMs = Math.max(0, ctx.clock.nowMs() - session.createdAtMs);
  const data = { sessionId: session.id, endReason: end.endReason, durationMs, ...(end.timeout === undefined ? {} : { timeout: end.timeout }) };
  await ctx.record(tx, [
    { type: 'auth.session.ended', actor: end.actor, targets: [target('session', session.id)], outcome: 'success', context: { sessionId: session.id }, data },
  ]);
  return true;
}
