// Who may run which identity command: checks that throw `forbidden`, each naming what was refused.
import { AppError } from '../shared/app-error.ts';
import { canSeeDirectory, isAdmin, type Principal } from './principal.ts';
import type { UserId } from './user.ts';

/**
 * Refuses everything but a password change while the principal must change its password.
 * @example assertMayAct(principal)
 */
export function assertMayAct(actor: Principal): void {
  if (actor.mustChangePassword) throw new AppError('forbidden', 'change your password first: it was set by an administrator or at first start');
}

/**
 * Requires an administrator (for tokens: also the `admin` scope).
 * @example requireAdmin(actor, 'create users')
 */
export function requireAdmin(actor: Principal, action: string): void {
  assertMayAct(actor);
  if (!isAdmin(actor)) throw new AppError('forbidden', `only an administrator may ${action}`);
}

/**
 * Requires the user themself or an administrator.
 * @example requireSelfOrAdmin(actor, userId, "change this user's profile")
 */
export function requireSelfOrAdmin(actor: Principal, userId: UserId, action: string): void {
  assertMayAct(actor);
  if (actor.userId !== userId && !isAdmin(actor)) throw new AppError('forbidden', `only the user themself or an administrator may ${action}`);
}

/**
 * Requires someone who may see user accounts: the user themself (when `userId` is given), an administrator or an auditor.
 * @example requireUserReader(actor, undefined)
 */
export function requireUserReader(actor: Principal, userId: UserId | undefined): void {
  assertMayAct(actor);
  if (userId !== undefined && actor.userId === userId) return;
  if (!canSeeDirectory(actor)) throw new AppError('forbidden', 'only an administrator or an auditor may see other users');
}

/**
 * Refuses a command on one's own account that would let one escalate or lock oneself out.
 * @example refuseSelf(actor, userId, 'change their own roles')
 */
export function refuseSelf(actor: Principal, userId: UserId, action: string): void {
  if (actor.userId === userId) throw new AppError('forbidden', `nobody may ${action}: ask another administrator`);
}
