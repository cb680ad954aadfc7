// User management: first-start admin, create, update, disable/enable, roles, read and list; each change audited in its transaction.
import { AppError, isAppError } from '../shared/app-error.ts';
import { requireAdmin, requireSelfOrAdmin, requireUserReader, refuseSelf } from './authority.ts';
import { actorOf, loadUser, readPage, systemActor, target, type EventActor, type IdentityContext, type Page, type PageRequest } from './identity-context.ts';
import { generatePassword, requireAcceptablePassword } from './password-policy.ts';
import type { Principal } from './principal.ts';
import { revokeSessionsOf } from './session-revocation.ts';
import { normaliseRoles, parseDisplayName, parseEmail, parseRoles, parseUsername, toPublicUser, type Role, type User, type UserId, type UserKind, type UserRecord } from './user.ts';

export interface CreateUserInput {
  readonly username: string;
  /** Defaults to the username. */
  readonly displayName?: string | undefined;
  readonly email?: string | undefined;
  /** `person` (default) signs in with a password; `service` only uses API tokens. */
  readonly kind?: UserKind | undefined;
  /** Role names; `user` is always added. */
  readonly roles?: readonly string[] | undefined;
  /** For people only; when absent a one-time password is generated. Either way it must be changed at first sign-in. */
  readonly password?: string | undefined;
}

export interface CreatedUser {
  readonly user: User;
  /** The generated password, to hand over once; undefined when one was given or for a service. */
  readonly oneTimePassword: string | undefined;
}

export type BootstrapResult = { readonly kind: 'created'; readonly user: User; readonly oneTimePassword: string | undefined } | { readonly kind: 'exists' };

export interface UserUpdate {
  readonly displayName?: string | undefined;
  /** null removes the address. */
  readonly email?: string | null | undefined;
}

function personalOf(user: User): Record<string, string> {
  return { username: user.username, displayName: user.displayName, ...(user.email === undefined ? {} : { email: user.email }) };
}

async function insertNewUser(ctx: IdentityContext, record: UserRecord, actor: EventActor, source: 'admin' | 'bootstrap'): Promise<void> {
  await ctx.store.transact(async (tx) => {
    if (source === 'bootstrap' && (await tx.countUsers()) > 0) throw new AppError('conflict', 'users exist already');
    await tx.insertUser(record);
    const data = { userId: record.id, kind: record.kind, roles: [...record.roles], mustChangePassword: record.mustChangePassword, source };
    await ctx.record(tx, [{ type: 'identity.user.created', actor, targets: [target('user', record.id)], outcome: 'success', data, personal: personalOf(record) }]);
  });
}

interface NewUserFields {
  readonly username: string;
  readonly displayName: string;
  readonly email: string | undefined;
  readonly kind: UserKind;
  readonly roles: Role[];
  readonly passwordHash: string | undefined;
}

function newRecord(ctx: IdentityContext, fields: NewUserFields): UserRecord {
  const nowMs = ctx.clock.nowMs();
  const id = ctx.ids.next() as UserId;
  return { id, ...fields, disabled: false, mustChangePassword: fields.passwordHash !== undefined, createdAtMs: nowMs, updatedAtMs: nowMs };
}

/** First start: creates `admin` (roles admin and user) when no user exists; does nothing otherwise. */
async function bootstrapAdmin(ctx: IdentityContext, options: { password?: string | undefined }): Promise<BootstrapResult> {
  if ((await ctx.store.countUsers()) > 0) return { kind: 'exists' };
  const oneTimePassword = options.password === undefined ? generatePassword() : undefined;
  const password = options.password ?? oneTimePassword ?? '';
  requireAcceptablePassword(ctx.settings.passwordPolicy, password, 'admin');
  const fields = { username: 'admin', displayName: 'Administrator', email: undefined, kind: 'person' as const, roles: normaliseRoles(['admin']) };
  // A password the operator chose (WRIT_ADMIN_PASSWORD) is theirs to keep; a generated one must be changed.
  const stored: UserRecord = { ...newRecord(ctx, { ...fields, passwordHash: await ctx.hasher.hash(password) }), mustChangePassword: oneTimePassword !== undefined };
  try {
    await insertNewUser(ctx, stored, systemActor, 'bootstrap');
  } catch (error) {
    if (isAppError(error, 'conflict')) return { kind: 'exists' };
    throw error;
  }
  return { kind: 'created', user: toPublicUser(stored), oneTimePassword };
}

async function createUser(ctx: IdentityContext, actor: Principal, input: CreateUserInput): Promise<CreatedUser> {
  requireAdmin(actor, 'create users');
  const username = parseUsername(input.username);
  const kind = input.kind ?? 'person';
  if (kind === 'service' && input.password !== undefined) throw new AppError('invalid_input', 'a service account has no password: give it API tokens', { details: { field: 'password' } });
  const oneTimePassword = kind === 'person' && input.password === undefined ? generatePassword() : undefined;
  const password = input.password ?? oneTimePassword;
  if (password !== undefined) requireAcceptablePassword(ctx.settings.passwordPolicy, password, username);
  const record = newRecord(ctx, {
    username,
    displayName: parseDisplayName(input.displayName ?? username),
    email: input.email === undefined ? undefined : parseEmail(input.email),
    kind,
    roles: parseRoles(input.roles ?? []),
    passwordHash: password === undefined ? undefined : await ctx.hasher.hash(password),
  });
  if ((await ctx.store.findUserByUsername(username)) !== undefined) throw new AppError('conflict', `a user named "${username}" already exists`);
  await insertNewUser(ctx, record, actorOf(actor), 'admin');
  return { user: toPublicUser(record), oneTimePassword };
}

async function updateUser(ctx: IdentityContext, actor: Principal, userId: UserId, update: UserUpdate): Promise<User> {
  requireSelfOrAdmin(actor, userId, "change this user's profile");
  const displayName = update.displayName === undefined ? undefined : parseDisplayName(update.displayName);
  const email = update.email === undefined || update.email === null ? update.email : parseEmail(update.email);
  return ctx.store.transact(async (tx) => {
    const user = await loadUser(tx, userId);
    const changed: ('displayName' | 'email')[] = [];
    if (displayName !== undefined && displayName !== user.displayName) changed.push('displayName');
    if (email !== undefined && (email ?? undefined) !== user.email) changed.push('email');
    if (changed.length === 0) return toPublicUser(user);
    const updatedAtMs = ctx.clock.nowMs();
    await tx.updateUser(userId, { ...(displayName === undefined ? {} : { displayName }), ...(email === undefined ? {} : { email }), updatedAtMs });
    const next: User = { ...toPublicUser(user), displayName: displayName ?? user.displayName, email: email === undefined ? user.email : (email ?? undefined), updatedAtMs };
    await ctx.record(tx, [{ type: 'identity.user.updated', actor: actorOf(actor), targets: [target('user', userId)], outcome: 'success', data: { userId, changed }, personal: personalOf(next) }]);
    return next;
  });
}

async function setDisabled(ctx: IdentityContext, actor: Principal, userId: UserId, disabled: boolean): Promise<User> {
  requireAdmin(actor, disabled ? 'disable users' : 'enable users');
  refuseSelf(actor, userId, disabled ? 'disable their own account' : 'enable their own account');
  return ctx.store.transact(async (tx) => {
    const user = await loadUser(tx, userId);
    if (user.disabled === disabled) return toPublicUser(user);
    const updatedAtMs = ctx.clock.nowMs();
    await tx.updateUser(userId, { disabled, updatedAtMs });
    const type = disabled ? 'identity.user.disabled' : 'identity.user.enabled';
    await ctx.record(tx, [{ type, actor: actorOf(actor), targets: [target('user', userId)], outcome: 'success', data: { userId } }]);
    if (disabled) await revokeSessionsOf(ctx, tx, { userId, exceptId: undefined, cause: 'user_disabled', actor: actorOf(actor) });
    return { ...toPublicUser(user), disabled, updatedAtMs };
  });
}

async function setRoles(ctx: IdentityContext, actor: Principal, userId: UserId, roleNames: readonly string[]): Promise<User> {
  requireAdmin(actor, 'change roles');
  refuseSelf(actor, userId, 'change their own roles');
  const newRoles = parseRoles(roleNames);
  return ctx.store.transact(async (tx) => {
    const user = await loadUser(tx, userId);
    if (user.roles.join(',') === newRoles.join(',')) return toPublicUser(user);
    const updatedAtMs = ctx.clock.nowMs();
    await tx.updateUser(userId, { roles: newRoles, updatedAtMs });
    const data = { userId, oldRoles: [...user.roles], newRoles };
    await ctx.record(tx, [{ type: 'identity.user.roles_changed', actor: actorOf(actor), targets: [target('user', userId)], outcome: 'success', data }]);
    return { ...toPublicUser(user), roles: newRoles, updatedAtMs };
  });
}

/** The user commands, bound to the context. */
export function userCommands(ctx: IdentityContext) {
  return {
    bootstrapAdmin: (options: { password?: string | undefined } = {}) => bootstrapAdmin(ctx, options),
    createUser: (actor: Principal, input: CreateUserInput) => createUser(ctx, actor, input),
    updateUser: (actor: Principal, userId: UserId, update: UserUpdate) => updateUser(ctx, actor, userId, update),
    disableUser: (actor: Principal, userId: UserId) => setDisabled(ctx, actor, userId, true),
    enableUser: (actor: Principal, userId: UserId) => setDisabled(ctx, actor, userId, false),
    setRoles: (actor: Principal, userId: UserId, roleNames: readonly string[]) => setRoles(ctx, actor, userId, roleNames),
    async getUser(actor: Principal, userId: UserId): Promise<User> {
      requireUserReader(actor, userId);
      return toPublicUser(await loadUser(ctx.store, userId));
    },
    async listUsers(actor: Principal, page: PageRequest = {}): Promise<Page<User>> {
      requireUserReader(actor, undefined);
      return readPage(ctx.settings.maxPageSize, page, (query) => ctx.store.listUsers(query), (user) => user.username);
    },
  };
}
