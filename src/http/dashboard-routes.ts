// Serves the dashboard (web/dist) at /: hashed assets cached for good, index.html for every other page path, its own CSP.
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import type { FastifyInstance, FastifyReply } from 'fastify';
import { AppError } from '../shared/app-error.ts';

export interface DashboardOptions {
  /** The built dashboard (index.html and assets/), e.g. web/dist. */
  readonly root: string;
}

/**
 * The dashboard's policy: its own scripts, styles, fonts and images, and calls to this origin only (the API and the
 * server-sent events stream). Mantine writes its theme as CSS variables into a <style> element and positions
 * popovers and sizes components with inline style attributes, so styles need 'unsafe-inline'; scripts never do.
 */
export const DASHBOARD_CSP = [
  "default-src 'none'",
  "script-src 'self'",
  "style-src 'self' 'unsafe-inline'",
  "img-src 'self' data:",
  "font-src 'self'",
  "connect-src 'self'",
  "manifest-src 'self'",
  "base-uri 'none'",
  "form-action 'self'",
  "frame-ancestors 'none'",
].join('; ');

/** Paths that belong to the API, the log or health: never answered with the dashboard's page. */
const SERVER_PATHS = /^\/(api|log|healthz)(\/|$|\?)/;

const NOT_BUILT = 'The Writ dashboard is not built. Build it with "npm run build:web" (npm ci and npm install run it), then restart writ serve. The API is at /api (docs at /api/docs).\n';

function isServerPath(url: string): boolean {
  return SERVER_PATHS.test(url);
}

function pageHeaders(reply: FastifyReply): void {
  void reply.header('cache-control', 'no-cache');
}

/**
 * Registers the dashboard; without a built web/dist, / and page paths explain how to build it.
 * @example app.register(dashboardRoutes, { root: 'web/dist' })
 */
export async function dashboardRoutes(app: FastifyInstance, options: DashboardOptions): Promise<void> {
  // Root hooks run first; this one, in the dashboard's own scope, replaces the API's "default-src 'none'".
  app.addHook('onSend', async (request, reply) => {
    if (!isServerPath(request.url)) void reply.header('content-security-policy', DASHBOARD_CSP);
  });
  const built = existsSync(join(options.root, 'index.html'));
  if (!built) {
    app.get('/*', { schema: { hide: true } }, async (request, reply) => {
      if (isServerPath(request.url)) throw new AppError('not_found', `no such resource: ${request.method} ${request.url}`);
      return reply.status(503).type('text/plain; charset=utf-8').send(NOT_BUILT);
    });
    return;
  }
  const { default: fastifyStatic } = await import('@fastify/static');
  await app.register(fastifyStatic, {
    root: options.root,
    prefix: '/',
    // One route per built file (found at start), so unknown paths reach the page fallback below instead of a 404.
    wildcard: false,
    index: false,
    schemaHide: true,
    setHeaders: (reply, path) => {
      if (path.includes(join('assets', '/'))) void reply.header('cache-control', 'public, max-age=31536000, immutable');
      else pageHeaders(reply);
    },
  });
  // Every page path of the single-page app gets index.html; the router in the page shows the right one.
  app.get('/*', { schema: { hide: true } }, async (request, reply) => {
    if (isServerPath(request.url) || request.url.startsWith('/assets/')) throw new AppError('not_found', `no such resource: ${request.method} ${request.url}`);
    pageHeaders(reply);
    return reply.sendFile('index.html');
  });
  app.get('/', { schema: { hide: true } }, async (_request, reply) => {
    pageHeaders(reply);
    return reply.sendFile('index.html');
  });
}
