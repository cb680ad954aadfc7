// Who is acting: a user signed in through a browser session or an API token, with roles, groups and scopes.
import { apiScopes, type ApiScope, type ApiTokenId } from './api-token.ts';
import type { SessionId } from './session.ts';
import type { Role, UserId, UserKind } from './user.ts';

interface PrincipalBase {
  readonly userId: UserId;
  readonly username: string;
  readonly kind: UserKind;
  readonly roles: readonly Role[];
  /** Names of the groups the user belongs to. */
  readonly groups: readonly string[];
  /** What this credential may do: every scope for a session, the token's scopes for a token. */
  readonly scopes: readonly ApiScope[];
  /** The user must change their password before doing anything else. */
  readonly mustChangePassword: boolean;
  /** Where the request came from, for audit events. */
  readonly ip: string | undefined;
  readonly userAgent: string | undefined;
}

export interface SessionPrincipal extends PrincipalBase {
  readonly via: 'session';
  readonly sessionId: SessionId;
}

export interface TokenPrincipal extends PrincipalBase {
  readonly via: 'token';
  readonly tokenId: ApiTokenId;
}

export type Principal = SessionPrincipal | TokenPrincipal;

/** Every scope, held by browser sessions. */
export const allScopes: readonly ApiScope[] = apiScopes;

/**
 * True when the credential carries `scope`.
 * @example hasScope(principal, 'requests:write')
 */
export function hasScope(principal: Principal, scope: ApiScope): boolean {
  return principal.scopes.includes(scope);
}

/**
 * True when the principal may act as an administrator: the `admin` role and, for tokens, the `admin` scope.
 * @example isAdmin(sessionOfAdmin) // true
 */
export function isAdmin(principal: Principal): boolean {
  return principal.roles.includes('admin') && hasScope(principal, 'admin');
}

/**
 * True when the principal may read the whole audit log: `auditor` or `admin`, and for tokens the `log:read` scope.
 * @example canReadAuditLog(sessionOfAuditor) // true
 */
export function canReadAuditLog(principal: Principal): boolean {
  return (principal.roles.includes('auditor') || principal.roles.includes('admin')) && hasScope(principal, 'log:read');
}

/**
 * True when the principal may see every user account, group and membership: an administrator or an auditor (as above,
 * with the `admin` or `log:read` scope for tokens). Everyone else sees their own account and their own groups (ADR 0013).
 * @example canSeeDirectory(sessionOfAuditor) // true
 */
export function canSeeDirectory(principal: Principal): boolean {
  return isAdmin(principal) || canReadAuditLog(principal);
}
