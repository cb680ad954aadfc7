// The events API: other systems append app.* events; auditors search the log and fetch one event with its proof.
import type { FastifySchemaCompiler, FastifySerializerCompiler } from 'fastify';
import { validatorCompiler } from 'fastify-type-provider-zod';
import type { PrepareEventDeps } from '../events/event-preparation.ts';
import { readEntry } from '../events/event-preparation.ts';
import type { EventFilter, EventSearch } from '../events/event-search.ts';
import { createCheckpointWatch } from '../ledger/checkpoint-watch.ts';
import type { GroupCommitAppender } from '../ledger/group-commit.ts';
import type { LedgerStore } from '../ledger/ledger-store.ts';
import { checkpointCovering, inclusionProof } from '../ledger/log-reader.ts';
import { formatReceipt } from '../ledger/receipt.ts';
import { createTileCache, type TileCache } from '../ledger/tiles.ts';
import { AppError } from '../shared/app-error.ts';
import type { Clock } from '../shared/clock.ts';
import type { IdGenerator } from '../shared/ids.ts';
import type { RouteNeeds } from './api-auth.ts';
import type { ApiRoutes } from './api-plugin.ts';
import { appendBatch, eventsOfBody, prepareBatch, type AppendDeps } from './event-append.ts';
import { decodeCursor, encodeCursor } from './event-cursor.ts';
import {
  appendBodySchema,
  appendQuerySchema,
  appendResponseSchema,
  eventParamsSchema,
  eventResponseSchema,
  listQuerySchema,
  listResponseSchema,
  MAX_APPEND_BODY_BYTES,
  problemResponses,
  problemSchema,
  type ListQuery,
} from './event-schemas.ts';

export interface EventRoutesDeps {
  readonly store: LedgerStore;
  readonly search: EventSearch;
  readonly appender: GroupCommitAppender;
  readonly clock: Clock;
  readonly ids: IdGenerator;
  /** How long `?wait=checkpoint` waits before answering 503 (default 10 s). */
  readonly checkpointWaitMs?: number;
  readonly checkpointPollMs?: number;
  /** The process's tile cache (WritApp.tileCache); one of its own when absent. */
  readonly tiles?: TileCache;
}

/** Who may read the log's events (and hear that it grew, on /api/v1/stream): auditors and administrators, tokens with log:read. */
export const LOG_READERS: RouteNeeds = { roles: ['auditor', 'admin'], scopes: ['log:read'] };
/** Applications append app.* events with a service account's token; the scope needs the admin role (api-token.ts). */
const writers: RouteNeeds = { roles: ['admin'], scopes: ['events:write'] };
const base64 = (bytes: Uint8Array): string => Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).toString('base64');

/** Validates all but the body with zod: the handler checks each event of a batch itself, to name bad ones by position. */
const bodyCheckedByHandler: FastifySchemaCompiler<unknown> = (route) =>
  route.httpPart === 'body' ? (data: unknown) => ({ value: data }) : validatorCompiler(route as Parameters<typeof validatorCompiler>[0]);

/**
 * Answers made of events readEntry has already checked go out with plain JSON.stringify: checking 500 events again
 * against the response schema would cost more than the search. The schema still documents them.
 */
const checkedJson: FastifySerializerCompiler<unknown> = () => (data) => JSON.stringify(data);

/** The search filter a query asks for. */
export function filterOf(query: ListQuery): EventFilter {
  const colon = query.target?.indexOf(':') ?? -1;
  const type = query.type;
  return {
    fromTime: query.from,
    toTime: query.to,
    actorId: query.actor,
    type: type === undefined ? undefined : type.endsWith('*') ? { kind: 'prefix', prefix: type.slice(0, -1) } : { kind: 'exact', type },
    target: query.target === undefined ? undefined : { kind: query.target.slice(0, colon), id: query.target.slice(colon + 1) },
    outcome: query.outcome,
    requestId: query.requestId,
    grantId: query.grantId,
    reasonContains: query.reason,
  };
}


/**
 * The events routes, for the /api plugin.
 * @example apiOptions.routes = [eventRoutes({ store, search, appender, clock, ids })]
 */
export function eventRoutes(deps: EventRoutesDeps): ApiRoutes {
  const tiles = deps.tiles ?? createTileCache(4096);
  const prepareDeps: PrepareEventDeps = { clock: deps.clock, ids: deps.ids };
  const appendDeps: AppendDeps = {
    store: deps.store,
    search: deps.search,
    appender: deps.appender,
    watch: createCheckpointWatch(deps.store, deps.checkpointPollMs ?? 20),
    tiles,
    nowMs: () => deps.clock.nowMs(),
    waitMs: deps.checkpointWaitMs ?? 10_000,
  };
  return (api) => {
    api.post('/v1/events', {
      auth: writers,
      bodyLimit: MAX_APPEND_BODY_BYTES,
      validatorCompiler: bodyCheckedByHandler,
      schema: {
        summary: 'Append app.* events (one, or a batch of up to 1,000: all or nothing)',
        tags: ['events'],
        querystring: appendQuerySchema,
        body: appendBodySchema,
        response: { 201: appendResponseSchema, ...problemResponses, 409: problemSchema, 413: problemSchema, 503: problemSchema },
      },
    }, async (request, reply) => {
      const events = prepareBatch(eventsOfBody(request.body), prepareDeps);
      const appended = await appendBatch(appendDeps, events, request.query.wait === 'checkpoint');
      return reply.status(201).send({ events: appended });
    });

    api.get('/v1/events', {
      auth: LOG_READERS,
      serializerCompiler: checkedJson,
      schema: {
        summary: 'Search the log: newest first, by time, actor, type, target, outcome, request or grant id, reason',
        tags: ['events'],
        querystring: listQuerySchema,
        response: { 200: listResponseSchema, ...problemResponses },
      },
    }, async (request) => {
      const { order, limit, cursor } = request.query;
      const after = cursor === undefined ? undefined : decodeCursor(cursor, order);
      const page = await deps.search.search({ filter: filterOf(request.query), order, after, limit });
      return {
        events: page.entries.map((entry) => ({ index: entry.index, event: readEntry(entry.entry, entry.personal) })),
        next: page.resumeAfter === undefined ? null : encodeCursor(order, page.resumeAfter),
      };
    });

    api.get('/v1/events/:id', {
      auth: LOG_READERS,
      schema: {
        summary: 'One event with its entry bytes, inclusion proof and the signed checkpoint it is proven against',
        tags: ['events'],
        params: eventParamsSchema,
        response: { 200: eventResponseSchema, ...problemResponses, 404: problemSchema, 410: problemSchema },
      },
    }, async (request) => {
      const found = await deps.search.findEvent(request.params.id);
      if (found === undefined) {
        const removed = await deps.store.removed?.findRemoved(request.params.id);
        if (removed !== undefined) {
          const removedAt = new Date(removed.removedAtMs).toISOString();
          throw new AppError('gone', `event "${removed.eventId}" (log index ${removed.index}) was removed by retention at ${removedAt}: its content is gone; its leaf hash stays in the tree, so proofs that include it still verify`, {
            details: { index: removed.index, removedAt },
          });
        }
        throw new AppError('not_found', `no event with id "${request.params.id}" in the log`);
      }
      const view = { event: readEntry(found.entry, found.personal), entry: base64(found.entry) };
      if (found.index === undefined) return { ...view, index: null, inclusionProof: null, checkpoint: null, receipt: null };
      const checkpoint = await checkpointCovering(deps.store, found.index);
      const proof = await inclusionProof(deps.store, found.index, checkpoint.size, tiles);
      return {
        ...view,
        index: found.index,
        inclusionProof: { leafIndex: found.index, treeSize: checkpoint.size, hashes: proof.map(base64) },
        checkpoint: { size: checkpoint.size, rootHash: base64(checkpoint.rootHash), note: checkpoint.note },
        receipt: formatReceipt({ index: found.index, proof, checkpointNote: checkpoint.note }),
      };
    });
  };
}
