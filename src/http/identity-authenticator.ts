// Authenticates /api callers with identity: an API token as bearer, or a session cookie plus its CSRF header on unsafe methods.
import type { IdentityService } from '../identity/identity-service.ts';
import type { Principal } from '../identity/principal.ts';
import { AppError } from '../shared/app-error.ts';
import type { ApiPrincipal, AuthenticationRequest, Authenticator } from './api-auth.ts';

export const SESSION_COOKIE = 'writ_session';
const SAFE_METHODS = new Set(['GET', 'HEAD', 'OPTIONS']);
/** What a user who must change their password may still do. */
const WHILE_PASSWORD_MUST_CHANGE = new Set(['/api/v1/auth/password', '/api/v1/auth/me', '/api/v1/auth/logout']);

/** The value of cookie `name` in a Cookie header, if present once. */
export function cookieValue(header: string | undefined, name: string): string | undefined {
  if (header === undefined) return undefined;
  const values = header
    .split(';')
    .map((part) => part.trim())
    .filter((part) => part.startsWith(`${name}=`))
    .map((part) => part.slice(name.length + 1));
  return values.length === 1 ? values[0] : undefined;
}

export interface IdentityAuthenticator extends Authenticator {
  /** The identity principal behind an authenticated caller, for identity commands. */
  principalOf(api: ApiPrincipal): Principal;
}

/**
 * @example installAuthentication(app, createIdentityAuthenticator(identity))
 */
export function createIdentityAuthenticator(identity: IdentityService): IdentityAuthenticator {
  const known = new WeakMap<ApiPrincipal, Principal>();
  const remember = (principal: Principal | undefined, request: AuthenticationRequest): Principal | undefined => {
    if (principal === undefined) return undefined;
    if (principal.mustChangePassword && !WHILE_PASSWORD_MUST_CHANGE.has(request.path)) {
      throw new AppError('forbidden', 'you must change your password first (writ passwd, or POST /api/v1/auth/password)');
    }
    known.set(principal, principal);
    return principal;
  };
  return {
    async authenticate(request) {
      const origin = { ip: request.ip, userAgent: request.userAgent };
      const bearer = /^Bearer ([^\s]{1,512})$/i.exec(request.authorization ?? '')?.[1];
      if (request.authorization !== undefined) {
        if (bearer === undefined) throw new AppError('unauthorized', 'the Authorization header must be "Bearer <API token>"');
        return remember(await identity.authenticateApiToken(bearer, origin), request);
      }
      const session = cookieValue(request.cookie, SESSION_COOKIE);
      if (session === undefined) return undefined;
      const principal = await identity.authenticateSession(session, origin);
      if (principal !== undefined && !SAFE_METHODS.has(request.method.toUpperCase()) && !(await identity.verifyCsrf(principal, request.csrfHeader))) {
        throw new AppError('forbidden', 'missing or wrong x-csrf-token header: send the CSRF token given at sign-in with every change');
      }
      return remember(principal, request);
    },
    principalOf(api) {
      const principal = known.get(api);
      if (principal === undefined) throw new AppError('unauthorized', 'this needs credentials');
      return principal;
    },
  };
}
