// Passwords: the policy check, a user's own change (needs the current one; throttled like sign-in) and an admin's reset.
import { AppError } from '../shared/app-error.ts';
import { requireAdmin, refuseSelf } from './authority.ts';
import { actorOf, loadUser, target, type IdentityContext } from './identity-context.ts';
import { decideLoginThrottle, throttleKey } from './login-throttle.ts';
import { generatePassword, requireAcceptablePassword } from './password-policy.ts';
import type { Principal } from './principal.ts';
import { revokeSessionsOf } from './session-revocation.ts';
import type { UserId } from './user.ts';

export type PasswordChangeResult =
  | { readonly kind: 'changed' }
  | { readonly kind: 'wrong-password' }
  | { readonly kind: 'throttled'; readonly retryAfterSeconds: number };

async function recordWrongCurrentPassword(ctx: IdentityContext, actor: Principal, failure: 'bad_current_password' | 'throttled'): Promise<void> {
  const nowMs = ctx.clock.nowMs();
  await ctx.store.transact(async (tx) => {
    if (failure === 'bad_current_password') await tx.recordLoginFailure({ accountKey: throttleKey(actor.username), ip: actor.ip, atMs: nowMs });
    const data = { userId: actor.userId, by: 'self', mustChangePassword: actor.mustChangePassword, failure };
    await ctx.record(tx, [{ type: 'auth.password.changed', actor: actorOf(actor), targets: [target('user', actor.userId)], outcome: 'failure', data }]);
  });
}

async function changePassword(ctx: IdentityContext, actor: Principal, change: { currentPassword: string; newPassword: string }): Promise<PasswordChangeResult> {
  requireAcceptablePassword(ctx.settings.passwordPolicy, change.newPassword, actor.username);
  if (change.newPassword === change.currentPassword) throw new AppError('invalid_input', 'the new password must differ from the current one', { details: { field: 'newPassword' } });
  const { throttle } = ctx.settings;
  const failures = await ctx.store.recentLoginFailures({ accountKey: throttleKey(actor.username), ip: actor.ip, sinceMs: ctx.clock.nowMs() - throttle.windowMs, limit: 64 });
  const decision = decideLoginThrottle(failures, ctx.clock.nowMs(), throttle);
  if (decision.kind === 'refuse') {
    await recordWrongCurrentPassword(ctx, actor, 'throttled');
    return { kind: 'throttled', retryAfterSeconds: Math.ceil(decision.retryAfterMs / 1000) };
  }
  if (decision.kind === 'delay') await ctx.sleep(decision.delayMs);
  const user = await loadUser(ctx.store, actor.userId);
  const matches = user.passwordHash === undefined ? await ctx.hasher.verifyDummy(change.currentPassword) : await ctx.hasher.verify(user.passwordHash, change.currentPassword);
  if (!matches) {
    await recordWrongCurrentPassword(ctx, actor, 'bad_current_password');
    return { kind: 'wrong-password' };
  }
  const passwordHash = await ctx.hasher.hash(change.newPassword);
  await ctx.store.transact(async (tx) => {
    const nowMs = ctx.clock.nowMs();
    await tx.updateUser(actor.userId, { passwordHash, mustChangePassword: false, updatedAtMs: nowMs });
    await tx.forgetLoginFailures(throttleKey(actor.username), nowMs - throttle.windowMs);
    const data = { userId: actor.userId, by: 'self', mustChangePassword: false };
    await ctx.record(tx, [{ type: 'auth.password.changed', actor: actorOf(actor), targets: [target('user', actor.userId)], outcome: 'success', data }]);
    const exceptId = actor.via === 'session' ? actor.sessionId : undefined;
    await revokeSessionsOf(ctx, tx, { userId: actor.userId, exceptId, cause: 'password_changed', actor: actorOf(actor) });
  });
  return { kind: 'changed' };
}

async function resetPassword(ctx: IdentityContext, actor: Principal, userId: UserId, options: { newPassword?: string | undefined }): Promise<{ oneTimePassword: string | undefined }> {
  requireAdmin(actor, "reset a user's password");
  refuseSelf(actor, userId, 'reset their own password (change it instead, with the current one)');
  const user = await loadUser(ctx.store, userId);
  if (user.kind === 'service') throw new AppError('invalid_input', `"${user.username}" is a service account: it has no password, only API tokens`);
  const oneTimePassword = options.newPassword === undefined ? generatePassword() : undefined;
  const password = options.newPassword ?? oneTimePassword ?? '';
  requireAcceptablePassword(ctx.settings.passwordPolicy, password, user.username);
  const passwordHash = await ctx.hasher.hash(password);
  await ctx.store.transact(async (tx) => {
    await tx.updateUser(userId, { passwordHash, mustChangePassword: true, updatedAtMs: ctx.clock.nowMs() });
    const data = { userId, by: 'admin', mustChangePassword: true };
    await ctx.record(tx, [{ type: 'auth.password.changed', actor: actorOf(actor), targets: [target('user', userId)], outcome: 'success', data }]);
    await revokeSessionsOf(ctx, tx, { userId, exceptId: undefined, cause: 'password_reset', actor: actorOf(actor) });
  });
  return { oneTimePassword };
}

/** The password commands, bound to the context. */
export function passwordCommands(ctx: IdentityContext) {
  return {
    changePassword: (actor: Principal, change: { currentPassword: string; newPassword: string }) => changePassword(ctx, actor, change),
    resetPassword: (actor: Principal, userId: UserId, options: { newPassword?: string | undefined } = {}) => resetPassword(ctx, actor, userId, options),
  };
}
