// The gateway API: a short-lived PostgreSQL credential under the caller's own active grant, shown once.
import type { FastifyRequest } from 'fastify';
import type { AccessActor } from '../access/access-policy.ts';
import { hostAndPort } from '../config/config-schema.ts';
import { issueGatewayCredential, type GatewayCredentialDeps } from '../gateway/gateway-credentials.ts';
import { AppError } from '../shared/app-error.ts';
import type { Clock } from '../shared/clock.ts';
import type { ApiPrincipal } from './api-auth.ts';
import type { ApiRoutes } from './api-plugin.ts';
import { issueCredentialBody, issuedCredentialView, toIssuedCredentialView, type GatewayAddress } from './gateway-schemas.ts';

export interface GatewayRouteDeps {
  readonly credentials: GatewayCredentialDeps;
  readonly clock: Clock;
  /** The caller as the access engine sees them (with the address and user agent for the audit event). */
  actorOf(principal: ApiPrincipal, request: FastifyRequest): Promise<AccessActor>;
  /** Where the gateway listens (HOST:PORT). */
  readonly pgListen: string;
  /** Where clients are told to connect instead, when set (HOST:PORT). */
  readonly pgAdvertise: string | undefined;
}

/** Issuing is cheap to ask for and costs a key derivation; a person needs a handful an hour. */
const issueLimit = { rateLimit: { max: 60, timeWindow: 60_000 } };
const WILDCARD_HOSTS = new Set(['0.0.0.0', '::', '']);
const HOST_NAME = /^[A-Za-z0-9.-]{1,253}$|^[0-9A-Fa-f:]{2,39}$/;

/**
 * The address to show clients: pgAdvertise, else pgListen; a wildcard listen address is replaced by the host
 * name the caller reached the API under (the gateway listens on every interface, so that one reaches it too).
 * @example gatewayAddress('0.0.0.0:7432', undefined, 'writ.example.com') // { host: 'writ.example.com', port: 7432 }
 */
export function gatewayAddress(pgListen: string, pgAdvertise: string | undefined, requestHost: string): GatewayAddress {
  if (pgAdvertise !== undefined) return hostAndPort(pgAdvertise);
  const listen = hostAndPort(pgListen);
  if (!WILDCARD_HOSTS.has(listen.host)) return listen;
  const asked = requestHost.replace(/^\[|\]$/g, '');
  return { host: HOST_NAME.test(asked) ? asked : '127.0.0.1', port: listen.port };
}

function principal(request: FastifyRequest): ApiPrincipal {
  if (request.principal === undefined) throw new AppError('unauthorized', 'this needs credentials');
  return request.principal;
}

/** @example apiPlugin(app, { routes: [gatewayRoutes(deps)], ... }) */
export function gatewayRoutes(deps: GatewayRouteDeps): ApiRoutes {
  return (api) => {
    api.post(
      '/v1/gateway/credentials',
      {
        auth: { scopes: ['grants:write', 'requests:write'] },
        config: issueLimit,
        schema: {
          tags: ['gateway'],
          summary: 'A short-lived password for the PostgreSQL gateway under my active grant; shown once, valid until the grant ends',
          body: issueCredentialBody,
          response: { 201: issuedCredentialView },
        },
      },
      async (request, reply) => {
        const caller = principal(request);
        const actor = await deps.actorOf(caller, request);
        const issued = await issueGatewayCredential(
          deps.credentials,
          { userId: actor.userId, userName: actor.username, ip: actor.ip, userAgent: actor.userAgent, authMethod: actor.authMethod },
          { resourceId: request.body.resourceId, level: request.body.level },
          deps.clock.nowMs(),
        );
        // The answer carries a password: no cache (browser, proxy) may keep it.
        void reply.header('cache-control', 'no-store').header('pragma', 'no-cache');
        return reply.status(201).send(toIssuedCredentialView(issued, gatewayAddress(deps.pgListen, deps.pgAdvertise, request.hostname)));
      },
    );
  };
}
