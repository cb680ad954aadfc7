// Benchmark 4: the events API in-process (Fastify inject): POST batches (events/s acknowledged), then GET /api/v1/events per filter.
import { performance } from 'node:perf_hooks';
import pino from 'pino';
import type { FastifyInstance } from 'fastify';
import type { WritApp } from '../src/app.ts';
import type { ApiPrincipal, Authenticator } from '../src/http/api-auth.ts';
import { encodeCursor } from '../src/http/event-cursor.ts';
import { eventRoutes } from '../src/http/event-routes.ts';
import { buildServer } from '../src/http/server.ts';
import { benchEvent, log, Samples } from './bench-support.ts';
import { seededRandom } from './proof-latency.ts';

export interface PostCaseResult {
  readonly batch: number;
  readonly clients: number;
  readonly wait: boolean;
  readonly seconds: number;
  readonly eventsPerSecond: number;
  readonly requestP50Ms: number;
  readonly requestP99Ms: number;
}

export interface GetCaseResult {
  readonly what: string;
  readonly limit: number;
  readonly n: number;
  readonly p50Ms: number;
  readonly p95Ms: number;
  readonly p99Ms: number;
  readonly meanEvents: number;
  /** Pages with fewer than `limit` events that still had a next cursor (the search stopped at its time budget). */
  readonly shortPages: number;
}

export interface EventsApiResult {
  readonly logSize: number;
  readonly posted: number;
  readonly post: readonly PostCaseResult[];
  readonly get: readonly GetCaseResult[];
}

export interface EventsApiOptions {
  readonly quick: boolean;
  readonly postSeconds: number;
  readonly samples: number;
}

const TOKEN = 'bench-token';
const GRANTS = 50;
const principal: ApiPrincipal = { userId: 'bench', username: 'bench', roles: ['auditor'], scopes: ['events:write', 'log:read'], via: 'token' };
const authenticator: Authenticator = { authenticate: (r) => Promise.resolve(r.authorization === `Bearer ${TOKEN}` ? principal : undefined) };
const headers = { authorization: `Bearer ${TOKEN}`, 'content-type': 'application/json' };

/** A bench event as another system would post it: a grant id in its context, and the hot target every posted event shares. */
function postedEvent(n: number): Record<string, unknown> {
  const event = benchEvent(n);
  const targets = event.targets as unknown[];
  return { ...event, targets: [...targets, { kind: 'database', id: 'pg-prod' }], context: { requestId: `post-${n}`, grantId: `grant-${n % GRANTS}` } };
}

async function postCase(server: FastifyInstance, batch: number, clients: number, wait: boolean, seconds: number): Promise<PostCaseResult> {
  // Events without ids get fresh ones on the server, so one body serves every request.
  const body = JSON.stringify({ events: Array.from({ length: batch }, (_, i) => postedEvent(i)) });
  const url = `/api/v1/events${wait ? '?wait=checkpoint' : ''}`;
  const samples = new Samples();
  let acknowledged = 0;
  const started = performance.now();
  const end = started + seconds * 1000;
  await Promise.all(
    Array.from({ length: clients }, async () => {
      while (performance.now() < end) {
        const sent = performance.now();
        const response = await server.inject({ method: 'POST', url, headers, payload: body });
        if (response.statusCode !== 201) throw new Error(`POST answered ${response.statusCode}: ${response.body.slice(0, 300)}`);
        samples.add(performance.now() - sent);
        acknowledged += batch;
      }
    }),
  );
  const elapsed = (performance.now() - started) / 1000;
  const s = samples.summary();
  return { batch, clients, wait, seconds: elapsed, eventsPerSecond: acknowledged / elapsed, requestP50Ms: s.p50, requestP99Ms: s.p99 };
}

/** Nearest-rank percentile of sorted values. */
function percentile(sorted: Float64Array, p: number): number {
  return sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1))] ?? Number.NaN;
}

async function getCase(server: FastifyInstance, what: string, samples: number, url: (random: () => number) => string): Promise<GetCaseResult> {
  const random = seededRandom(what.length * 7919);
  const times = new Float64Array(samples);
  let events = 0;
  let shortPages = 0;
  let limit = 100;
  for (let i = -Math.min(10, samples); i < samples; i++) {
    const target = url(random);
    const sent = performance.now();
    const response = await server.inject({ method: 'GET', url: target, headers: { authorization: headers.authorization } });
    const elapsed = performance.now() - sent;
    if (response.statusCode !== 200) throw new Error(`GET ${target} answered ${response.statusCode}: ${response.body.slice(0, 300)}`);
    if (i < 0) continue;
    const page = response.json<{ events: unknown[]; next: string | null }>();
    times[i] = elapsed;
    events += page.events.length;
    limit = Number(new URL(target, 'http://x').searchParams.get('limit') ?? 100);
    if (page.events.length < limit && page.next !== null) shortPages += 1;
  }
  times.sort();
  return { what, limit, n: samples, p50Ms: percentile(times, 50), p95Ms: percentile(times, 95), p99Ms: percentile(times, 99), meanEvents: events / samples, shortPages };
}

type GetSpec = readonly [string, (random: () => number) => string];

/** The GET cases over a log built from benchEvent(0…built-1) plus the posted events. */
function getSpecs(built: number, posted: number, fromMs: number, toMs: number): GetSpec[] {
  const pick = (random: () => number, n: number): number => Math.floor(random() * n);
  const q = (query: string): string => `/api/v1/events?${query}`;
  const window = (toMs - fromMs) / 100;
  const verbs = ['viewed', 'updated', 'exported', 'shared', 'deleted'];
  return [
    ['no filter: the newest 100', () => q('')],
    ['no filter, limit 500', () => q('limit=500')],
    ['no filter, order=asc from a random cursor', (r) => q(`order=asc&cursor=${encodeCursor('asc', pick(r, built))}`)],
    ['from/to: a random 1% of the time span (≈10,000 events)', (r) => {
      const from = fromMs + r() * (toMs - fromMs - window);
      return q(`from=${new Date(from).toISOString()}&to=${new Date(from + window).toISOString()}`);
    }],
    ['actor (≈1,000 events each)', (r) => q(`actor=user-${pick(r, 997)}@corp.example`)],
    ['type, exact (≈200,000 each)', (r) => q(`type=app.document.${verbs[pick(r, 5)] ?? 'viewed'}`)],
    ['type prefix app.document.* (every event)', () => q('type=app.document.*')],
    ['target, cold (≈10 events each)', (r) => q(`target=document:doc-${pick(r, 100_000)}`)],
    [`target, hot: database:pg-prod (${posted.toLocaleString('en-US')} posted events)`, () => q('target=database:pg-prod')],
    ['outcome=denied (2%)', () => q('outcome=denied')],
    ['outcome=failure (none)', () => q('outcome=failure')],
    ['requestId (1 event each)', (r) => q(`requestId=req-${pick(r, built).toString(16).padStart(8, '0')}`)],
    [`grantId (≈${Math.round(posted / GRANTS).toLocaleString('en-US')} posted events each)`, (r) => q(`grantId=grant-${pick(r, GRANTS)}`)],
    ['reason contains a common word ("escalation")', () => q('reason=escalation')],
    ['reason contains a rare ticket (≈200 events each)', (r) => q(`reason=OPS-${10_000 + pick(r, 5000)}`)],
    ['actor and type together', (r) => q(`actor=user-${pick(r, 997)}@corp.example&type=app.document.${verbs[pick(r, 5)] ?? 'viewed'}`)],
  ];
}

async function eventTimeMs(app: WritApp, index: number): Promise<number> {
  const [entry] = await app.store.readEntries(index, index + 1);
  if (entry === undefined) throw new Error(`entry ${index} is missing`);
  return Date.parse((JSON.parse(Buffer.from(entry.entry).toString('utf8')) as { time: string }).time);
}

/**
 * Posts batches through the API (sequencer running), then times each GET filter on the whole log.
 * @example await runEventsApi(bench.app, built.size, { quick: false, postSeconds: 6, samples: 200 })
 */
export async function runEventsApi(app: WritApp, built: number, options: EventsApiOptions): Promise<EventsApiResult> {
  const loop = app.startSequencer();
  const routes = eventRoutes({ store: app.store, search: app.eventSearch, appender: app.appender, clock: app.clock, ids: app.ids });
  const server = buildServer({ store: app.store, logger: pino({ level: 'silent' }), readToken: undefined, api: { authenticator, routes: [routes], requestsPerMinute: 1e9 } });
  await server.ready();
  try {
    const post: PostCaseResult[] = [];
    const cases: [number, number, boolean][] = [[1, 16, false], [100, 8, false], [1000, 4, false], [100, 8, true]];
    for (const [batch, clients, wait] of cases) {
      log(`events API: POST batches of ${batch}, ${clients} clients${wait ? ', ?wait=checkpoint' : ''}, ${options.postSeconds} s`);
      const result = await postCase(server, batch, clients, wait, options.postSeconds);
      log(`  ${Math.round(result.eventsPerSecond)} events/s acknowledged, request p99 ${result.requestP99Ms.toFixed(1)} ms`);
      post.push(result);
    }
    await loop.drain();
    const logSize = (await app.store.entryStats()).count;
    const posted = logSize - built;
    const [fromMs, toMs] = [await eventTimeMs(app, 0), await eventTimeMs(app, built - 1)];
    const get: GetCaseResult[] = [];
    for (const [what, url] of getSpecs(built, posted, fromMs, toMs)) {
      const result = await getCase(server, what, options.samples, url);
      log(`  GET ${what}: p50 ${result.p50Ms.toFixed(1)} ms, p95 ${result.p95Ms.toFixed(1)} ms`);
      get.push(result);
    }
    return { logSize, posted, post, get };
  } finally {
    await server.close();
    await loop.stop();
  }
}
