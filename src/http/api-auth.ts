// Who is calling the /api routes and what each route needs: an injected Authenticator, deny by default, 401 versus 403.
import type { FastifyInstance, FastifyRequest, RouteOptions } from 'fastify';
import type { ApiScope } from '../identity/api-token.ts';
import { AppError } from '../shared/app-error.ts';

export type ApiRole = 'admin' | 'auditor' | 'user';

/** The authenticated caller; identity's Principal satisfies it. */
export interface ApiPrincipal {
  readonly userId: string;
  readonly username: string;
  readonly roles: readonly ApiRole[];
  readonly scopes: readonly string[];
  readonly via: 'session' | 'token';
}

/** What the Authenticator is given: the credential-bearing parts of one request, nothing else. */
export interface AuthenticationRequest {
  readonly authorization?: string;
  readonly cookie?: string;
  readonly ip: string;
  readonly userAgent?: string;
  readonly method: string;
  /** The path asked for (without the query), e.g. to let a user who must change their password do only that. */
  readonly path: string;
  /** The `x-csrf-token` header, for session cookies on unsafe methods. */
  readonly csrfHeader?: string;
}

/**
 * Turns credentials into a principal; undefined when there are none or they are not valid. It alone judges
 * CSRF for cookie sessions, and it gives a token only the roles and scopes that token carries.
 */
export interface Authenticator {
  authenticate(request: AuthenticationRequest): Promise<ApiPrincipal | undefined>;
}

/**
 * What an authenticated route needs: one of `roles` (absent: any signed-in user; for a token, its owner's roles) and,
 * for an API token, one of `scopes`. The `admin` scope stands for every scope. `'any'` lets every token through, for
 * routes about the credential itself (who am I, sign out); browser sessions hold every scope.
 */
export interface RouteNeeds {
  readonly roles?: readonly ApiRole[];
  readonly scopes: readonly [ApiScope, ...ApiScope[]] | 'any';
}

/** Administrators only; for tokens, the `admin` scope. */
export const ADMINS: RouteNeeds = { roles: ['admin'], scopes: ['admin'] };

/**
 * What a route needs, declared as its `auth` option: `'public'` (no credentials) or its RouteNeeds. There is no
 * default: a route under /api that declares nothing fails to register, so no route is reachable by a token by accident.
 * @example app.get('/api/v1/events', { auth: { roles: ['auditor', 'admin'], scopes: ['log:read'] } }, handler)
 */
export type RouteAuth = 'public' | RouteNeeds;

declare module 'fastify' {
  interface RouteShorthandOptions {
    /** What the caller needs; required on every /api route (checked when the route registers). */
    auth?: RouteAuth;
  }
  interface FastifyContextConfig {
    auth?: RouteAuth;
  }
  interface FastifyRequest {
    /** The caller, once authenticated (undefined on public routes without credentials). */
    principal: ApiPrincipal | undefined;
  }
}

const authenticated = new WeakMap<FastifyRequest, Promise<ApiPrincipal | undefined>>();

function header(request: FastifyRequest, name: string): string | undefined {
  const value = request.headers[name];
  return typeof value === 'string' && value !== '' ? value : undefined;
}

function credentialsOf(request: FastifyRequest): AuthenticationRequest {
  const parts: { -readonly [K in keyof AuthenticationRequest]: AuthenticationRequest[K] } = { ip: request.ip, method: request.method, path: request.url.split('?', 1)[0] ?? request.url };
  const authorization = header(request, 'authorization');
  const cookie = header(request, 'cookie');
  const userAgent = header(request, 'user-agent');
  const csrfHeader = header(request, 'x-csrf-token');
  if (authorization !== undefined) parts.authorization = authorization;
  if (cookie !== undefined) parts.cookie = cookie;
  if (userAgent !== undefined) parts.userAgent = userAgent;
  if (csrfHeader !== undefined) parts.csrfHeader = csrfHeader;
  return parts;
}

/** True when a token's scopes (every scope, for a session) cover the route's. */
export function hasRouteScope(principal: ApiPrincipal, scopes: RouteNeeds['scopes']): boolean {
  return scopes === 'any' || principal.scopes.includes('admin') || scopes.some((scope) => principal.scopes.includes(scope));
}

/** True when the principal holds one of the roles (if any are named) and its credential one of the scopes. */
export function isAllowed(principal: ApiPrincipal, needs: RouteNeeds): boolean {
  const roleOk = needs.roles === undefined || needs.roles.some((role) => principal.roles.includes(role));
  return roleOk && hasRouteScope(principal, needs.scopes);
}

function quoted(names: readonly string[]): string {
  return names.map((name) => `"${name}"`).join(' or ');
}

/** Why `principal` may not: the missing role first, then the missing scope. */
function refusal(principal: ApiPrincipal, needs: RouteNeeds): string {
  if (needs.roles !== undefined && !needs.roles.some((role) => principal.roles.includes(role))) {
    return `"${principal.username}" may not do this: it needs the role ${quoted(needs.roles)}`;
  }
  const scopes = needs.scopes === 'any' ? [] : needs.scopes;
  return `this API token lacks the ${quoted(scopes)} scope (or "admin"): create one with the scope this needs`;
}

/** Authenticates once per request (later calls share the answer). */
function principalOf(request: FastifyRequest, authenticator: Authenticator | undefined): Promise<ApiPrincipal | undefined> {
  let pending = authenticated.get(request);
  if (pending === undefined) {
    pending = authenticator === undefined ? Promise.resolve(undefined) : authenticator.authenticate(credentialsOf(request));
    authenticated.set(request, pending);
  }
  return pending;
}

/**
 * Checks `auth` for this request and returns the principal; throws AppError('unauthorized') (401; problem.ts adds
 * the WWW-Authenticate challenge) without valid credentials, AppError('forbidden') (403) when they do not suffice.
 * Handlers may call it again for finer checks; credentials are verified once per request.
 * @example const principal = await requireAccess(request, { roles: ['admin'], scopes: ['admin'] })
 */
export async function requireAccess(request: FastifyRequest, auth: RouteNeeds): Promise<ApiPrincipal> {
  const principal = await principalOf(request, authenticatorOf(request));
  request.principal = principal;
  if (principal === undefined) {
    throw new AppError('unauthorized', 'this needs credentials: log in, or send "Authorization: Bearer <API token>"');
  }
  if (!isAllowed(principal, auth)) throw new AppError('forbidden', refusal(principal, auth));
  return principal;
}

const authenticators = new WeakMap<FastifyRequest, Authenticator | undefined>();

function authenticatorOf(request: FastifyRequest): Authenticator | undefined {
  return authenticators.get(request);
}

function checkDeclaration(route: RouteOptions): RouteAuth {
  const where = `route ${route.method.toString()} ${route.url}`;
  const auth = route.auth ?? route.config?.auth;
  if (auth === undefined) throw new Error(`${where} declares no auth: say 'public', or the roles and token scopes it needs`);
  if (auth !== 'public' && auth.scopes !== 'any' && auth.scopes.length === 0) throw new Error(`${where} declares no scopes: no token could call it; name one`);
  if (auth !== 'public' && auth.roles?.length === 0) throw new Error(`${where} declares an empty roles list: nobody could call it`);
  return auth;
}

/**
 * Makes every route registered on `app` (and its children) after this call require its declared `auth`; a route
 * that declares none fails to register. Only `auth: 'public'` routes skip credentials.
 */
export function installAuthentication(app: FastifyInstance, authenticator: Authenticator | undefined): void {
  if (!app.hasRequestDecorator('principal')) app.decorateRequest('principal', undefined);
  app.addHook('onRoute', (route) => {
    route.config = { ...route.config, auth: checkDeclaration(route) };
  });
  app.addHook('onRequest', async (request) => {
    authenticators.set(request, authenticator);
    // Only the not-found answer has no declaration: it needs credentials, so unknown paths say no more than known ones.
    const auth = request.routeOptions.config.auth ?? { scopes: 'any' };
    if (auth === 'public') {
      if (header(request, 'authorization') !== undefined || header(request, 'cookie') !== undefined) {
        request.principal = await principalOf(request, authenticator);
      }
      return;
    }
    await requireAccess(request, auth);
  });
}
