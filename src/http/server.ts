// The HTTP server: health, the log as C2SP tiles, security headers, request ids and problem+json errors.
import Fastify, { type FastifyBaseLogger, type FastifyInstance } from 'fastify';
import type { LedgerStore } from '../ledger/ledger-store.ts';
import { registerLogRoutes } from './log-routes.ts';
import { installProblemHandler } from './problem.ts';

export interface ServerOptions {
  readonly store: LedgerStore;
  readonly logger: FastifyBaseLogger;
  readonly readToken: string | undefined;
}

/** Builds (but does not start) the HTTP server. */
export function buildServer(options: ServerOptions): FastifyInstance {
  const app = Fastify({
    loggerInstance: options.logger,
    bodyLimit: 1024 * 1024,
    requestIdHeader: false,
    disableRequestLogging: false,
  });
  app.addHook('onSend', async (_request, reply) => {
    reply.header('x-content-type-options', 'nosniff');
    reply.header('referrer-policy', 'no-referrer');
    reply.header('x-frame-options', 'DENY');
    reply.header('content-security-policy', "default-src 'none'; frame-ancestors 'none'");
  });
  installProblemHandler(app);
  app.get('/healthz', async () => {
    const checkpoint = await options.store.latestCheckpoint();
    return { status: 'ok', treeSize: checkpoint?.size ?? 0 };
  });
  registerLogRoutes(app, { store: options.store, readToken: options.readToken });
  return app;
}
