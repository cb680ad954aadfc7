// An interim Authenticator until identity is wired: the operator's WRIT_LOG_READ_TOKEN, as a principal that may only read the log.
import type { ApiPrincipal, Authenticator } from './api-auth.ts';
import { bearerTokenMatches } from './bearer-token.ts';

const readTokenPrincipal: ApiPrincipal = Object.freeze({
  userId: 'log-read-token',
  username: 'log-read-token',
  roles: Object.freeze([]),
  scopes: Object.freeze(['log:read']),
  via: 'token',
});

/**
 * Accepts `Authorization: Bearer <read token>` (compared in constant time) with scope `log:read` only.
 * @example createReadTokenAuthenticator(config.logReadToken) // undefined when no token is configured
 */
export function createReadTokenAuthenticator(readToken: string | undefined): Authenticator | undefined {
  if (readToken === undefined) return undefined;
  return {
    authenticate: (request) => Promise.resolve(bearerTokenMatches(request.authorization, readToken) ? readTokenPrincipal : undefined),
  };
}
