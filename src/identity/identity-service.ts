// The identity service: every identity command and query, wired to a store, a clock, ids and the audit factory.
import { setTimeout as delay } from 'node:timers/promises';
import type { AuditEntryFactory } from '../events/audit-entry.ts';
import type { Clock } from '../shared/clock.ts';
import type { IdGenerator } from '../shared/ids.ts';
import type { ApiToken, ApiTokenId } from './api-token.ts';
import type { Group } from './group.ts';
import { createRecorder, type IdentityContext, type Page, type PageRequest, type RequestOrigin } from './identity-context.ts';
import { defaultIdentitySettings, type IdentitySettings } from './identity-settings.ts';
import type { IdentityStore } from './identity-store.ts';
import { groupCommands, type CreateGroupInput } from './group-commands.ts';
import { loginCommands, type LoginInput, type LoginResult } from './login-commands.ts';
import { createArgon2PasswordHasher } from './password-hasher.ts';
import { passwordCommands, type PasswordChangeResult } from './password-commands.ts';
import type { Principal, SessionPrincipal, TokenPrincipal } from './principal.ts';
import { tokenCommands, type CreateApiTokenInput, type CreatedApiToken } from './token-commands.ts';
import type { User, UserId } from './user.ts';
import { userCommands, type BootstrapResult, type CreatedUser, type CreateUserInput, type UserUpdate } from './user-commands.ts';

export interface IdentityServiceDeps {
  readonly store: IdentityStore;
  readonly clock: Clock;
  readonly ids: IdGenerator;
  readonly auditEntry: AuditEntryFactory;
  readonly settings?: IdentitySettings | undefined;
  /** Waits out a sign-in delay; a real timer unless given (tests pass one that moves a manual clock). */
  readonly sleep?: ((ms: number) => Promise<void>) | undefined;
}

/**
 * Every command takes the acting principal and checks its authority itself: administrators manage users and
 * groups, users manage their own password and tokens, nobody changes their own roles or disables themself.
 * Every state change is recorded in the ledger in the same transaction.
 */
export interface IdentityService {
  /** First start: creates `admin` when no user exists (with a generated one-time password unless one is given). Idempotent. */
  bootstrapAdmin(options?: { password?: string | undefined }): Promise<BootstrapResult>;
  createUser(actor: Principal, input: CreateUserInput): Promise<CreatedUser>;
  updateUser(actor: Principal, userId: UserId, update: UserUpdate): Promise<User>;
  /** Also ends every session of the user; tokens stop working while disabled. */
  disableUser(actor: Principal, userId: UserId): Promise<User>;
  enableUser(actor: Principal, userId: UserId): Promise<User>;
  setRoles(actor: Principal, userId: UserId, roles: readonly string[]): Promise<User>;
  getUser(actor: Principal, userId: UserId): Promise<User>;
  listUsers(actor: Principal, page?: PageRequest): Promise<Page<User>>;
  /** Needs the current password; ends the user's other sessions. Throttled like sign-in. */
  changePassword(actor: Principal, change: { currentPassword: string; newPassword: string }): Promise<PasswordChangeResult>;
  /** Admin only; the user must change it at next sign-in; ends all their sessions. */
  resetPassword(actor: Principal, userId: UserId, options?: { newPassword?: string | undefined }): Promise<{ oneTimePassword: string | undefined }>;
  createGroup(actor: Principal, input: CreateGroupInput): Promise<Group>;
  deleteGroup(actor: Principal, name: string): Promise<void>;
  addGroupMember(actor: Principal, name: string, userId: UserId): Promise<boolean>;
  removeGroupMember(actor: Principal, name: string, userId: UserId): Promise<boolean>;
  listGroups(actor: Principal, page?: PageRequest): Promise<Page<Group>>;
  listGroupMembers(actor: Principal, name: string, page?: PageRequest): Promise<Page<User>>;
  /** Group names of a user, for the access engine. */
  groupsOf(userId: UserId): Promise<string[]>;
  login(input: LoginInput): Promise<LoginResult>;
  /** The principal of a session cookie, or undefined (unknown, expired — recorded — or user disabled). */
  authenticateSession(sessionToken: string, origin?: RequestOrigin): Promise<SessionPrincipal | undefined>;
  /** True when the CSRF token is the session's (constant time); always true for token principals. */
  verifyCsrf(actor: Principal, csrfToken: string | undefined): Promise<boolean>;
  logout(actor: Principal): Promise<void>;
  createApiToken(actor: Principal, input: CreateApiTokenInput): Promise<CreatedApiToken>;
  /** The principal of `writ_<id>_<secret>`, or undefined (unknown, wrong, expired, revoked, owner disabled). */
  authenticateApiToken(tokenText: string, origin?: RequestOrigin): Promise<TokenPrincipal | undefined>;
  revokeApiToken(actor: Principal, tokenId: ApiTokenId): Promise<void>;
  /** The actor's own tokens by default; `ownerId` or `allOwners` need an administrator. Never shows secrets. */
  listApiTokens(actor: Principal, query?: PageRequest & { ownerId?: UserId | undefined; allOwners?: boolean | undefined }): Promise<Page<ApiToken>>;
}

/**
 * Creates the identity service.
 * @example const identity = createIdentityService({ store, clock, ids, auditEntry }); await identity.bootstrapAdmin({ password: process.env.WRIT_ADMIN_PASSWORD })
 */
export function createIdentityService(deps: IdentityServiceDeps): IdentityService {
  const settings = deps.settings ?? defaultIdentitySettings;
  const ctx: IdentityContext = {
    store: deps.store,
    clock: deps.clock,
    ids: deps.ids,
    settings,
    hasher: createArgon2PasswordHasher(settings.argon2),
    sleep: deps.sleep ?? ((ms) => delay(ms)),
    record: createRecorder(deps.auditEntry),
  };
  return { ...userCommands(ctx), ...passwordCommands(ctx), ...groupCommands(ctx), ...loginCommands(ctx), ...tokenCommands(ctx) };
}
