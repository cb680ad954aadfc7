// Password sign-in with throttling, browser sessions (idle/absolute expiry, sliding refresh), CSRF checks and logout.
import { formatEventTime } from '../events/event-time.ts';
import { AppError } from '../shared/app-error.ts';
import { cleanOrigin, target, userActor, type CleanOrigin, type EventActor, type IdentityContext, type RequestOrigin } from './identity-context.ts';
import { decideLoginThrottle, throttleKey } from './login-throttle.ts';
import { allScopes, type Principal, type SessionPrincipal } from './principal.ts';
import { digestSecret, isSecretText, newSecret, secretMatches } from './secret-tokens.ts';
import { sessionState, type SessionId, type SessionRecord } from './session.ts';
import { endSession } from './session-revocation.ts';
import { USERNAME_PATTERN, type UserRecord } from './user.ts';

/** The one message for every failed sign-in: it never says whether the user exists. */
export const LOGIN_FAILED_MESSAGE = 'the username or password is wrong';

export interface LoginInput extends RequestOrigin {
  readonly username: string;
  readonly password: string;
}

export type LoginResult =
  | {
      readonly kind: 'signed-in';
      readonly principal: SessionPrincipal;
      /** The cookie value; shown once, stored only as its SHA-256. */
      readonly sessionToken: string;
      /** Sent back by the browser with every unsafe request (a header); stored only as its SHA-256. */
      readonly csrfToken: string;
      readonly expiresAtMs: number;
    }
  /** Unknown user, wrong password, disabled account or no password: the same answer. */
  | { readonly kind: 'failed' }
  | { readonly kind: 'throttled'; readonly retryAfterSeconds: number };

type LoginFailure = 'unknown_user' | 'bad_credentials' | 'account_disabled' | 'no_password' | 'throttled';

interface LoginAttempt {
  readonly typed: string;
  readonly user: UserRecord | undefined;
  readonly origin: CleanOrigin;
}

/** The actor of a sign-in attempt. */
function attemptActor({ typed, user, origin }: LoginAttempt): EventActor {
  if (user !== undefined) return userActor(user, origin, 'password');
  // An unknown name may be a mistyped password: it goes in the actor name, which is personal data kept outside the leaf.
  return { kind: 'user', id: 'unknown', name: typed.slice(0, 256) || '(empty)', authMethod: 'password', ip: origin.ip, userAgent: origin.userAgent };
}

/** Commits the failure (for throttling) and its event, though the sign-in itself fails. */
async function recordFailure(ctx: IdentityContext, attempt: LoginAttempt, failure: LoginFailure, extra: { attempt?: number; retryAfterMs?: number }): Promise<void> {
  const { user, origin } = attempt;
  const actor = attemptActor(attempt);
  await ctx.store.transact(async (tx) => {
    if (failure !== 'throttled') await tx.recordLoginFailure({ accountKey: throttleKey(attempt.typed), ip: origin.ip, atMs: ctx.clock.nowMs() });
    const targets = user === undefined ? [] : [target('user', user.id)];
    await ctx.record(tx, [{ type: 'auth.login.failed', actor, targets, outcome: 'failure', data: { method: 'password', failure, ...extra } }]);
  });
}

/** Checks the password; for an unknown user or one without a password, spends the same time on a dummy hash. */
async function verifyAttempt(ctx: IdentityContext, user: UserRecord | undefined, password: string): Promise<LoginFailure | undefined> {
  if (user?.passwordHash === undefined) {
    await ctx.hasher.verifyDummy(password);
    return user === undefined ? 'unknown_user' : 'no_password';
  }
  if (!(await ctx.hasher.verify(user.passwordHash, password))) return 'bad_credentials';
  return user.disabled ? 'account_disabled' : undefined;
}

async function principalFor(ctx: IdentityContext, user: UserRecord, session: SessionRecord, origin: CleanOrigin): Promise<SessionPrincipal> {
  const base = { userId: user.id, username: user.username, kind: user.kind, roles: user.roles, mustChangePassword: user.mustChangePassword };
  return { ...base, groups: await ctx.store.groupNamesOf(user.id), scopes: allScopes, ip: origin.ip, userAgent: origin.userAgent, via: 'session', sessionId: session.id };
}

async function startSession(ctx: IdentityContext, user: UserRecord, password: string, origin: CleanOrigin): Promise<Extract<LoginResult, { kind: 'signed-in' }>> {
  const rehash = ctx.hasher.needsRehash(user.passwordHash ?? '') ? await ctx.hasher.hash(password) : undefined;
  const nowMs = ctx.clock.nowMs();
  const sessionToken = newSecret();
  const csrfToken = newSecret();
  const session: SessionRecord = {
    id: ctx.ids.next() as SessionId,
    userId: user.id,
    tokenDigest: digestSecret(sessionToken),
    csrfDigest: digestSecret(csrfToken),
    createdAtMs: nowMs,
    lastSeenAtMs: nowMs,
    expiresAtMs: nowMs + ctx.settings.session.absoluteMs,
    ip: origin.ip,
    userAgent: origin.userAgent,
  };
  await ctx.store.transact(async (tx) => {
    await tx.insertSession(session);
    await tx.forgetLoginFailures(throttleKey(user.username), nowMs - ctx.settings.throttle.windowMs);
    if (rehash !== undefined) await tx.updateUser(user.id, { passwordHash: rehash, updatedAtMs: nowMs });
    const data = { method: 'password', sessionId: session.id, expiresAt: formatEventTime(session.expiresAtMs), mfa: false };
    const actor = userActor(user, origin, 'password');
    await ctx.record(tx, [{ type: 'auth.login.succeeded', actor, targets: [target('user', user.id)], outcome: 'success', context: { sessionId: session.id }, data }]);
  });
  return { kind: 'signed-in', principal: await principalFor(ctx, user, session, origin), sessionToken, csrfToken, expiresAtMs: session.expiresAtMs };
}

async function login(ctx: IdentityContext, input: LoginInput): Promise<LoginResult> {
  const origin = cleanOrigin(input);
  const { throttle } = ctx.settings;
  const failures = await ctx.store.recentLoginFailures({ accountKey: throttleKey(input.username), ip: origin.ip, sinceMs: ctx.clock.nowMs() - throttle.windowMs, limit: 64 });
  const decision = decideLoginThrottle(failures, ctx.clock.nowMs(), throttle);
  const typed = input.username.trim().toLowerCase();
  const user = USERNAME_PATTERN.test(typed) ? await ctx.store.findUserByUsername(typed) : undefined;
  const attempt: LoginAttempt = { typed: input.username, user, origin };
  if (decision.kind === 'refuse') {
    await recordFailure(ctx, attempt, 'throttled', { attempt: failures.accountMs.length + 1, retryAfterMs: decision.retryAfterMs });
    return { kind: 'throttled', retryAfterSeconds: Math.ceil(decision.retryAfterMs / 1000) };
  }
  if (decision.kind === 'delay') await ctx.sleep(decision.delayMs);
  const failure = await verifyAttempt(ctx, user, input.password);
  if (failure !== undefined || user === undefined) {
    await recordFailure(ctx, attempt, failure ?? 'unknown_user', { attempt: failures.accountMs.length + 1 });
    return { kind: 'failed' };
  }
  return startSession(ctx, user, input.password, origin);
}

async function authenticateSession(ctx: IdentityContext, sessionToken: string, requestOrigin: RequestOrigin | undefined): Promise<SessionPrincipal | undefined> {
  if (!isSecretText(sessionToken)) return undefined;
  const session = await ctx.store.findSessionByTokenDigest(digestSecret(sessionToken));
  if (session === undefined) return undefined;
  const origin = cleanOrigin(requestOrigin);
  const user = await ctx.store.findUserById(session.userId);
  if (user === undefined || user.disabled) return undefined;
  const nowMs = ctx.clock.nowMs();
  const state = sessionState(session, nowMs, ctx.settings.session);
  if (state.kind === 'expired') {
    const actor = userActor(user, origin, 'session');
    await ctx.store.transact((tx) => endSession(ctx, tx, session, { endReason: 'expired', timeout: state.timeout, actor }));
    return undefined;
  }
  if (state.touch) await ctx.store.touchSession(session.id, nowMs);
  return principalFor(ctx, user, session, origin);
}

async function logout(ctx: IdentityContext, actor: Principal): Promise<void> {
  if (actor.via !== 'session') throw new AppError('invalid_input', 'only a browser session signs out; revoke the API token instead');
  const session = await ctx.store.findSessionById(actor.sessionId);
  if (session === undefined) return;
  const user = await ctx.store.findUserById(session.userId);
  if (user === undefined) return;
  await ctx.store.transact((tx) => endSession(ctx, tx, session, { endReason: 'logout', actor: userActor(user, actor, 'session') }));
}

/** CSRF applies to cookie sessions; a bearer token is never sent by a browser on its own, so it needs none. */
async function verifyCsrf(ctx: IdentityContext, actor: Principal, csrfToken: string | undefined): Promise<boolean> {
  if (actor.via !== 'session') return true;
  const session = await ctx.store.findSessionById(actor.sessionId);
  if (session === undefined || csrfToken === undefined || csrfToken.length > 256) return false;
  return secretMatches(session.csrfDigest, csrfToken);
}

/** The sign-in and session commands, bound to the context. */
export function loginCommands(ctx: IdentityContext) {
  return {
    login: (input: LoginInput) => login(ctx, input),
    authenticateSession: (sessionToken: string, origin?: RequestOrigin) => authenticateSession(ctx, sessionToken, origin),
    logout: (actor: Principal) => logout(ctx, actor),
    verifyCsrf: (actor: Principal, csrfToken: string | undefined) => verifyCsrf(ctx, actor, csrfToken),
  };
}
