// The HTTP server: health, the log as C2SP tiles, the /api plugin, security headers, request ids and problem+json errors.
import Fastify, { type FastifyBaseLogger, type FastifyInstance } from 'fastify';
import type { LedgerStore } from '../ledger/ledger-store.ts';
import type { TileCache } from '../ledger/tiles.ts';
import { API_PREFIX, apiPlugin, type ApiOptions } from './api-plugin.ts';
import { dashboardRoutes, type DashboardOptions } from './dashboard-routes.ts';
import { registerHealthRoutes } from './health-routes.ts';
import { installJsonBodyParser } from './json-body-parser.ts';
import type { PublicationStatus } from '../ledger/witness-publisher.ts';
import { registerLogRoutes } from './log-routes.ts';
import { installProblemHandler } from './problem.ts';
import { REQUEST_ID_HEADER, requestIdOf } from './request-id.ts';

export interface ServerOptions {
  readonly store: LedgerStore;
  readonly logger: FastifyBaseLogger;
  readonly readToken: string | undefined;
  /** The process's tile cache (WritApp.tileCache), shared by the tile routes and the proofs the API serves. */
  readonly tileCache?: TileCache;
  /** The /api plugin (authenticator and route modules); without it only health and the log are served. */
  readonly api?: ApiOptions;
  /** Witness publication as this process sees it (WritApp.publication), for /healthz and /metrics. */
  readonly publication?: () => PublicationStatus | undefined;
  /** The built dashboard served at / (with its own CSP); without it / is not served. */
  readonly dashboard?: DashboardOptions;
}

/** Builds (but does not start) the HTTP server. */
export function buildServer(options: ServerOptions): FastifyInstance {
  const app = Fastify({
    loggerInstance: options.logger,
    bodyLimit: 1024 * 1024,
    requestIdHeader: false,
    genReqId: requestIdOf,
  });
  app.addHook('onSend', async (request, reply) => {
    reply.header(REQUEST_ID_HEADER, request.id);
    reply.header('x-content-type-options', 'nosniff');
    reply.header('referrer-policy', 'no-referrer');
    reply.header('x-frame-options', 'DENY');
    reply.header('content-security-policy', "default-src 'none'; frame-ancestors 'none'");
  });
  installProblemHandler(app);
  installJsonBodyParser(app);
  registerHealthRoutes(app, { store: options.store, ...(options.publication === undefined ? {} : { publication: options.publication }) });
  registerLogRoutes(app, { store: options.store, readToken: options.readToken, ...(options.tileCache === undefined ? {} : { tileCache: options.tileCache }) });
  if (options.api !== undefined) void app.register(apiPlugin, { ...options.api, prefix: API_PREFIX });
  if (options.dashboard !== undefined) void app.register(dashboardRoutes, options.dashboard);
  return app;
}
