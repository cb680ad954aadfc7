// Who is calling the /api routes and what each route needs: an injected Authenticator, deny by default, 401 versus 403.
import type { FastifyInstance, FastifyRequest, RouteOptions } from 'fastify';
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

/** One way to be allowed: holding a role, or (for tokens) a scope. */
export type AccessRule = { readonly role: ApiRole } | { readonly scope: string };

/**
 * What a route needs, declared as its `auth` option:
 * `'public'` (no credentials), `'authenticated'` (any principal; the default), or `{ anyOf: [...] }`.
 * @example app.get('/api/v1/events', { auth: { anyOf: [{ role: 'auditor' }, { scope: 'log:read' }] } }, handler)
 */
export type RouteAuth = 'public' | 'authenticated' | { readonly anyOf: readonly AccessRule[] };

declare module 'fastify' {
  interface RouteShorthandOptions {
    /** What the caller needs; absent means 'authenticated' (deny by default). */
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

/** True when the principal satisfies one of the rules. */
export function isAllowed(principal: ApiPrincipal, rules: readonly AccessRule[]): boolean {
  return rules.some((rule) => ('role' in rule ? principal.roles.includes(rule.role) : principal.scopes.includes(rule.scope)));
}

function describeRules(rules: readonly AccessRule[]): string {
  return rules.map((rule) => ('role' in rule ? `role "${rule.role}"` : `scope "${rule.scope}"`)).join(' or ');
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
 * @example const principal = await requireAccess(request, { anyOf: [{ role: 'admin' }] })
 */
export async function requireAccess(request: FastifyRequest, auth: Exclude<RouteAuth, 'public'>): Promise<ApiPrincipal> {
  const principal = await principalOf(request, authenticatorOf(request));
  request.principal = principal;
  if (principal === undefined) {
    throw new AppError('unauthorized', 'this needs credentials: log in, or send "Authorization: Bearer <API token>"');
  }
  if (auth !== 'authenticated' && !isAllowed(principal, auth.anyOf)) {
    throw new AppError('forbidden', `"${principal.username}" may not do this: it needs ${describeRules(auth.anyOf)}`);
  }
  return principal;
}

const authenticators = new WeakMap<FastifyRequest, Authenticator | undefined>();

function authenticatorOf(request: FastifyRequest): Authenticator | undefined {
  return authenticators.get(request);
}

function checkDeclaration(route: RouteOptions): RouteAuth {
  const auth = route.auth ?? 'authenticated';
  if (auth !== 'public' && auth !== 'authenticated' && auth.anyOf.length === 0) {
    throw new Error(`route ${route.method.toString()} ${route.url} declares auth.anyOf with no rules: nobody could call it`);
  }
  return auth;
}

/**
 * Makes every route registered on `app` (and its children) after this call require its declared `auth`,
 * or 'authenticated' when it declares none; only `auth: 'public'` routes skip credentials.
 */
export function installAuthentication(app: FastifyInstance, authenticator: Authenticator | undefined): void {
  if (!app.hasRequestDecorator('principal')) app.decorateRequest('principal', undefined);
  app.addHook('onRoute', (route) => {
    route.config = { ...route.config, auth: checkDeclaration(route) };
  });
  app.addHook('onRequest', async (request) => {
    authenticators.set(request, authenticator);
    const auth = request.routeOptions.config.auth ?? 'authenticated';
    if (auth === 'public') {
      if (header(request, 'authorization') !== undefined || header(request, 'cookie') !== undefined) {
        request.principal = await principalOf(request, authenticator);
      }
      return;
    }
    await requireAccess(request, auth);
  });
}
