// The identity API: sign-in (browser session or CLI token), who am I, password, users, groups and API tokens.
import type { FastifyReply, FastifyRequest } from 'fastify';
import { z } from 'zod';
import { apiScopes, scopeRequiresRole, type ApiTokenId } from '../identity/api-token.ts';
import type { IdentityService } from '../identity/identity-service.ts';
import type { PasswordChangeResult } from '../identity/password-commands.ts';
import type { Principal, SessionPrincipal } from '../identity/principal.ts';
import type { User } from '../identity/user.ts';
import { AppError } from '../shared/app-error.ts';
import type { Clock } from '../shared/clock.ts';
import { ACCESS_READ_SCOPES } from './access-routes.ts';
import { pageOf } from './access-schemas.ts';
import { ADMINS, type RouteNeeds } from './api-auth.ts';
import type { ApiRoutes } from './api-plugin.ts';
import { SESSION_COOKIE, type IdentityAuthenticator } from './identity-authenticator.ts';
import * as s from './identity-schemas.ts';

export interface IdentityRouteDeps {
  readonly identity: IdentityService;
  readonly authenticator: IdentityAuthenticator;
  readonly clock: Clock;
  /** Resolves a user named by id or username (admins and auditors address users by name). */
  findUser(idOrName: string): Promise<User | undefined>;
}

const CLI_TOKEN_HOURS = 12;
/** Who am I and sign out concern the credential itself: every token may. */
const anyCredential: RouteNeeds = { scopes: 'any' };
/** The owner's own password and profile: a token needs account:write (administrators change others with admin). */
const ownAccount: RouteNeeds = { scopes: ['account:write'] };
const userWriters: RouteNeeds = { scopes: ['account:write', 'admin'] };
/** Every user account: administrators and auditors (for tokens, log:read, as identity's requireUserReader asks). */
const directoryReaders: RouteNeeds = { roles: ['admin', 'auditor'], scopes: ['log:read'] };
/** One account: one's own (account:write), or anyone's for administrators and auditors. */
const userReaders: RouteNeeds = { scopes: ['log:read', 'account:write'] };
/** Groups: all for administrators and auditors, one's own for everyone else (identity decides which; ADR 0013). */
const groupReaders: RouteNeeds = { scopes: [...ACCESS_READ_SCOPES, 'log:read'] };
/** Listing, creating and revoking API tokens: a token needs tokens:write. */
const tokenKeepers: RouteNeeds = { scopes: ['tokens:write'] };
const signInLimit = { rateLimit: { max: 30, timeWindow: 60_000 } };

function sessionCookie(token: string, expiresAtMs: number, secure: boolean): string {
  return `${SESSION_COOKIE}=${token}; Path=/; HttpOnly; SameSite=Lax; Expires=${new Date(expiresAtMs).toUTCString()}${secure ? '; Secure' : ''}`;
}

const clearedCookie = `${SESSION_COOKIE}=; Path=/; HttpOnly; SameSite=Lax; Max-Age=0`;

async function signIn(identity: IdentityService, request: FastifyRequest, reply: FastifyReply, body: { username: string; password: string }) {
  const result = await identity.login({ username: body.username, password: body.password, ip: request.ip, userAgent: request.headers['user-agent']?.slice(0, 1024) });
  if (result.kind === 'throttled') {
    void reply.header('retry-after', String(result.retryAfterSeconds));
    throw new AppError('rate_limited', `too many failed sign-ins: try again in ${result.retryAfterSeconds} s`);
  }
  if (result.kind === 'failed') throw new AppError('unauthorized', 'wrong username or password');
  return result;
}

/** Turns a refused password change into its HTTP answer. */
function passwordChanged(result: PasswordChangeResult, reply: FastifyReply): void {
  if (result.kind === 'wrong-password') throw new AppError('invalid_input', 'the current password is wrong', { details: { field: 'currentPassword' } });
  if (result.kind === 'throttled') {
    void reply.header('retry-after', String(result.retryAfterSeconds));
    throw new AppError('rate_limited', `too many wrong passwords: try again in ${result.retryAfterSeconds} s`);
  }
}

/** Scopes a CLI login token carries: everything the user's roles allow. */
function cliScopes(principal: Principal): string[] {
  return apiScopes.filter((scope) => {
    const needs = scopeRequiresRole[scope];
    return needs === undefined || needs.some((role) => principal.roles.includes(role));
  });
}

/** @example apiPlugin(app, { routes: [identityRoutes(deps)] }) */
export function identityRoutes(deps: IdentityRouteDeps): ApiRoutes {
  const { identity } = deps;
  const me = (request: FastifyRequest): Principal => {
    if (request.principal === undefined) throw new AppError('unauthorized', 'this needs credentials');
    return deps.authenticator.principalOf(request.principal);
  };
  const userNamed = async (idOrName: string): Promise<User> => {
    const user = await deps.findUser(idOrName);
    if (user === undefined) throw new AppError('not_found', `there is no user "${idOrName}"`);
    return user;
  };

  return (api) => {
    api.post('/v1/auth/login', { auth: 'public', config: signInLimit, schema: { tags: ['identity'], summary: 'Sign in: sets the session cookie and returns the CSRF token', body: s.loginBody, response: { 200: s.sessionAnswer } } }, async (request, reply) => {
      const result = await signIn(identity, request, reply, request.body);
      void reply.header('set-cookie', sessionCookie(result.sessionToken, result.expiresAtMs, request.protocol === 'https'));
      const user = await identity.getUser(result.principal, result.principal.userId).catch(() => undefined);
      const view = user === undefined ? await userNamed(result.principal.userId) : user;
      return { user: s.toUserView(view), csrfToken: result.csrfToken, expiresAt: new Date(result.expiresAtMs).toISOString() };
    });

    api.post('/v1/auth/cli-token', { auth: 'public', config: signInLimit, schema: { tags: ['identity'], summary: 'Sign in from the CLI: a 12-hour API token with the scopes your roles allow', body: s.cliTokenBody, response: { 200: s.cliTokenAnswer } } }, async (request, reply) => {
      let result = await signIn(identity, request, reply, request.body);
      if (result.principal.mustChangePassword) {
        const newPassword = request.body.newPassword;
        if (newPassword === undefined) {
          await identity.logout(result.principal);
          throw new AppError('forbidden', 'you must change your password first: send newPassword (writ login asks for it)', { details: { passwordChangeRequired: true } });
        }
        passwordChanged(await identity.changePassword(result.principal, { currentPassword: request.body.password, newPassword }), reply);
        result = await signIn(identity, request, reply, { username: request.body.username, password: newPassword });
      }
      const session: SessionPrincipal = result.principal;
      try {
        const expiresAtMs = deps.clock.nowMs() + CLI_TOKEN_HOURS * 3_600_000;
        const created = await identity.createApiToken(session, { name: request.body.name ?? 'writ CLI', scopes: cliScopes(session), expiresAtMs });
        const user = await identity.getUser(session, session.userId);
        return { token: created.tokenText, tokenId: created.token.id, expiresAt: new Date(expiresAtMs).toISOString(), user: s.toUserView(user) };
      } finally {
        await identity.logout(session);
      }
    });

    api.post('/v1/auth/logout', { auth: anyCredential, schema: { tags: ['identity'], summary: 'Sign out: ends this session, or revokes this API token' } }, async (request, reply) => {
      const principal = me(request);
      if (principal.via === 'session') await identity.logout(principal);
      else await identity.revokeApiToken(principal, principal.tokenId);
      return reply.header('set-cookie', clearedCookie).status(204).send();
    });

    api.get('/v1/auth/me', { auth: anyCredential, schema: { tags: ['identity'], summary: 'Who am I', response: { 200: s.meView } } }, async (request) => {
      const principal = me(request);
      const user = await userNamed(principal.userId);
      return { user: s.toUserView(user), groups: [...principal.groups], via: principal.via, scopes: [...principal.scopes] };
    });

    api.post('/v1/auth/password', { auth: ownAccount, config: signInLimit, schema: { tags: ['identity'], summary: 'Change my password (needs the current one)', body: s.passwordBody } }, async (request, reply) => {
      const result = await identity.changePassword(me(request), request.body);
      passwordChanged(result, reply);
      return reply.status(204).send();
    });

    api.get('/v1/users', { auth: directoryReaders, schema: { tags: ['identity'], summary: 'Users (admin, auditor)', querystring: s.listQuery, response: { 200: pageOf(s.userView) } } }, async (request) => {
      const page = await identity.listUsers(me(request), { limit: request.query.limit, cursor: request.query.cursor });
      return { items: page.items.map(s.toUserView), nextCursor: page.nextCursor ?? null };
    });

    api.post('/v1/users', { auth: ADMINS, schema: { tags: ['identity'], summary: 'Create a user (admin); a generated one-time password is shown once', body: s.createUserBody, response: { 201: z.object({ user: s.userView, oneTimePassword: z.string().nullable() }) } } }, async (request, reply) => {
      const created = await identity.createUser(me(request), request.body);
      return reply.status(201).send({ user: s.toUserView(created.user), oneTimePassword: created.oneTimePassword ?? null });
    });

    api.get('/v1/users/:user', { auth: userReaders, schema: { tags: ['identity'], summary: 'One user, by id or username', params: s.userParams, response: { 200: s.userView } } }, async (request) => {
      const user = await userNamed(request.params.user);
      return s.toUserView(await identity.getUser(me(request), user.id));
    });

    api.patch('/v1/users/:user', { auth: userWriters, schema: { tags: ['identity'], summary: 'Change a user: name, e-mail (self or admin); roles, disabled (admin)', params: s.userParams, body: s.patchUserBody, response: { 200: s.userView } } }, async (request) => {
      const actor = me(request);
      const target = await userNamed(request.params.user);
      const { roles, disabled, ...profile } = request.body;
      let user = target;
      if (profile.displayName !== undefined || profile.email !== undefined) user = await identity.updateUser(actor, target.id, profile);
      if (roles !== undefined) user = await identity.setRoles(actor, target.id, roles);
      if (disabled === true) user = await identity.disableUser(actor, target.id);
      if (disabled === false) user = await identity.enableUser(actor, target.id);
      return s.toUserView(user);
    });

    api.post('/v1/users/:user/password-reset', { auth: ADMINS, schema: { tags: ['identity'], summary: 'Reset a password (admin): a one-time password, to change at next sign-in', params: s.userParams, response: { 200: z.object({ oneTimePassword: z.string().nullable() }) } } }, async (request) => {
      const user = await userNamed(request.params.user);
      const result = await identity.resetPassword(me(request), user.id);
      return { oneTimePassword: result.oneTimePassword ?? null };
    });

    api.get('/v1/groups', { auth: groupReaders, schema: { tags: ['identity'], summary: 'Groups', querystring: s.listQuery, response: { 200: pageOf(s.groupView) } } }, async (request) => {
      const page = await identity.listGroups(me(request), { limit: request.query.limit, cursor: request.query.cursor });
      return { items: page.items.map(s.toGroupView), nextCursor: page.nextCursor ?? null };
    });

    api.post('/v1/groups', { auth: ADMINS, schema: { tags: ['identity'], summary: 'Create a group (admin)', body: s.createGroupBody, response: { 201: s.groupView } } }, async (request, reply) => {
      return reply.status(201).send(s.toGroupView(await identity.createGroup(me(request), request.body)));
    });

    api.delete('/v1/groups/:name', { auth: ADMINS, schema: { tags: ['identity'], summary: 'Delete a group (admin)', params: s.groupParams } }, async (request, reply) => {
      await identity.deleteGroup(me(request), request.params.name);
      return reply.status(204).send();
    });

    api.get('/v1/groups/:name/members', { auth: groupReaders, schema: { tags: ['identity'], summary: 'Members of a group', params: s.groupParams, querystring: s.listQuery, response: { 200: pageOf(s.userView) } } }, async (request) => {
      const page = await identity.listGroupMembers(me(request), request.params.name, { limit: request.query.limit, cursor: request.query.cursor });
      return { items: page.items.map(s.toUserView), nextCursor: page.nextCursor ?? null };
    });

    api.put('/v1/groups/:name/members/:user', { auth: ADMINS, schema: { tags: ['identity'], summary: 'Add a member (admin)', params: s.memberParams, response: { 200: z.object({ added: z.boolean() }) } } }, async (request) => {
      const user = await userNamed(request.params.user);
      return { added: await identity.addGroupMember(me(request), request.params.name, user.id) };
    });

    api.delete('/v1/groups/:name/members/:user', { auth: ADMINS, schema: { tags: ['identity'], summary: 'Remove a member (admin)', params: s.memberParams, response: { 200: z.object({ removed: z.boolean() }) } } }, async (request) => {
      const user = await userNamed(request.params.user);
      return { removed: await identity.removeGroupMember(me(request), request.params.name, user.id) };
    });

    api.get('/v1/tokens', { auth: tokenKeepers, schema: { tags: ['identity'], summary: 'My API tokens (all owners with all=true, admin)', querystring: s.tokenListQuery, response: { 200: pageOf(s.tokenView) } } }, async (request) => {
      const page = await identity.listApiTokens(me(request), { limit: request.query.limit, cursor: request.query.cursor, allOwners: request.query.all === 'true' });
      return { items: page.items.map(s.toTokenView), nextCursor: page.nextCursor ?? null };
    });

    api.post('/v1/tokens', { auth: tokenKeepers, schema: { tags: ['identity'], summary: 'Create an API token; its secret is in this answer only', body: s.createTokenBody, response: { 201: z.object({ token: z.string(), tokenId: z.string(), details: s.tokenView }) } } }, async (request, reply) => {
      const b = request.body;
      const owner = b.ownerId === undefined ? undefined : (await userNamed(b.ownerId)).id;
      const expiresAtMs = b.expiresInSeconds === undefined ? undefined : deps.clock.nowMs() + b.expiresInSeconds * 1000;
      const created = await identity.createApiToken(me(request), { name: b.name, scopes: b.scopes, expiresAtMs, ownerId: owner });
      return reply.status(201).send({ token: created.tokenText, tokenId: created.token.id, details: s.toTokenView(created.token) });
    });

    api.delete('/v1/tokens/:id', { auth: tokenKeepers, schema: { tags: ['identity'], summary: 'Revoke an API token', params: s.tokenParams } }, async (request, reply) => {
      await identity.revokeApiToken(me(request), request.params.id as ApiTokenId);
      return reply.status(204).send();
    });
  };
}

