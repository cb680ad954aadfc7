// Server-sent events for the dashboard: "access" when requests or grants changed, "log" when the log grew, so pages refetch instead of polling.
import type { FastifyRequest } from 'fastify';
import { AppError } from '../shared/app-error.ts';
import { ACCESS_READ_SCOPES } from './access-routes.ts';
import { isAllowed, type RouteNeeds } from './api-auth.ts';
import type { ApiRoutes } from './api-plugin.ts';
import { createLogGrowthWatch } from './log-growth-watch.ts';
import { REQUEST_ID_HEADER } from './request-id.ts';

export type ChangeTopic = 'access' | 'log';
const TOPICS: readonly ChangeTopic[] = ['access', 'log'];

/** In-process fan-out of "something changed" notices; they carry no content, so listeners learn nothing they may not see. */
export interface ChangeFeed {
  publish(topic: ChangeTopic): void;
  subscribe(listener: (topic: ChangeTopic) => void): () => void;
  readonly subscribers: number;
}

/** @example const feed = createChangeFeed(); const stop = feed.subscribe(console.log); feed.publish('access'); stop(); */
export function createChangeFeed(): ChangeFeed {
  const listeners = new Set<(topic: ChangeTopic) => void>();
  return {
    publish(topic) {
      for (const listener of listeners) listener(topic);
    },
    subscribe(listener) {
      const own = (topic: ChangeTopic): void => {
        listener(topic);
      };
      listeners.add(own);
      return () => {
        listeners.delete(own);
      };
    },
    get subscribers() {
      return listeners.size;
    },
  };
}

export interface StreamRouteDeps {
  readonly feed: ChangeFeed;
  /** A comment line this often keeps proxies from closing an idle stream (default 25 s). */
  readonly heartbeatMs?: number;
  /** The stream ends after this long and the browser reconnects, so credentials are checked again (default 5 min). */
  readonly maxStreamMs?: number;
  /** Open streams per process (default 1000); beyond it the answer is 503. */
  readonly maxStreams?: number;
  /** Who hears a topic; a topic without its needs goes to every caller of the stream. */
  readonly hearers?: Partial<Record<ChangeTopic, RouteNeeds>>;
  /** The log's size. With it, while someone who hears "log" is connected, the size is read every logPollMs (default 2 s) and
   * "log" said when it grew: one read per process however many listen, and it sees entries any process integrated. */
  readonly logSize?: () => Promise<number>;
  readonly logPollMs?: number;
}

const RECONNECT_MS = 3000;
/** Dashboards and tools that follow requests and grants, or the log. */
const listeners: RouteNeeds = { scopes: [...ACCESS_READ_SCOPES, 'log:read'] };

/**
 * `GET /api/v1/stream` (text/event-stream) for any signed-in caller. "access" notices come from this process's commands;
 * with several Writ processes a browser also refetches on every reconnect (after at most maxStreamMs). "log" notices follow the
 * stored log's size, so they come whichever process integrated the entries.
 * @example apiPlugin(app, { routes: [streamRoutes({ feed })] })
 */
export function streamRoutes(deps: StreamRouteDeps): ApiRoutes {
  const heartbeatMs = deps.heartbeatMs ?? 25_000;
  const maxStreamMs = deps.maxStreamMs ?? 5 * 60_000;
  const maxStreams = deps.maxStreams ?? 1000;
  const hearers = deps.hearers ?? {};
  const logSize = deps.logSize;
  return (api) => {
    const open = new Set<{ end(): void }>();
    const logWatch = logSize === undefined ? undefined : createLogGrowthWatch({ feed: deps.feed, size: logSize, pollMs: deps.logPollMs ?? 2000, onError: (error) => { api.log.error({ err: error }, 'reading the log size for stream notices failed'); } });
    // An open stream would keep the server from closing: end them all when it does.
    api.addHook('onClose', (_instance, done) => {
      logWatch?.stop();
      for (const response of open) response.end();
      done();
    });
    api.get('/v1/stream', { auth: listeners, schema: { tags: ['access'], summary: 'Server-sent events: "access" when requests or grants changed; "log" when the audit log grew (to auditors, admins and log:read) — no content: refetch what you may see' } }, (request: FastifyRequest, reply) => {
      if (deps.feed.subscribers >= maxStreams) throw new AppError('unavailable', `too many open streams (${maxStreams}); try again shortly`);
      void reply.hijack();
      const raw = reply.raw;
      raw.writeHead(200, {
        'content-type': 'text/event-stream; charset=utf-8',
        'cache-control': 'no-store',
        'x-accel-buffering': 'no',
        'x-content-type-options': 'nosniff',
        'content-security-policy': "default-src 'none'; frame-ancestors 'none'",
        [REQUEST_ID_HEADER]: request.id,
      });
      open.add(raw);
      raw.write(`retry: ${RECONNECT_MS}\n: connected\n\n`);
      const principal = request.principal;
      const heard = new Set(TOPICS.filter((topic) => {
        const needs = hearers[topic];
        return needs === undefined || (principal !== undefined && isAllowed(principal, needs));
      }));
      const unsubscribe = deps.feed.subscribe((topic) => {
        if (heard.has(topic)) raw.write(`event: ${topic}\ndata: {}\n\n`);
      });
      const leaveLogWatch = heard.has('log') ? logWatch?.join() : undefined;
      const heartbeat = setInterval(() => {
        raw.write(': keep-alive\n\n');
      }, heartbeatMs);
      const ending = setTimeout(() => {
        raw.end();
      }, maxStreamMs);
      request.raw.once('close', () => {
        clearInterval(heartbeat);
        clearTimeout(ending);
        unsubscribe();
        leaveLogWatch?.();
        open.delete(raw);
      });
    });
  };
}
