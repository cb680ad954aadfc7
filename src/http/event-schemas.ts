// The events API's queries, bodies and answers as zod schemas: they check requests, shape answers and make the OpenAPI document.
import { z } from 'zod';
import { auditEventSchema, eventIdSchema, eventInputSchema, eventTimeSchema, outcomeSchema } from '../events/event-schema.ts';

export const MAX_BATCH_EVENTS = 1000;
export const MAX_PAGE_EVENTS = 500;
export const DEFAULT_PAGE_EVENTS = 100;
/** A batch's body: 1,000 events of about 8 KiB each; send larger events in smaller batches. */
export const MAX_APPEND_BODY_BYTES = 8 * 1024 * 1024;

const base64 = z.string().describe('base64');
const text = (maxLength: number) => z.string().min(1).max(maxLength);

export const problemSchema = z
  .looseObject({
    type: z.string(),
    title: z.string(),
    status: z.number().int(),
    detail: z.string(),
    instance: z.string(),
    requestId: z.string(),
  })
  .describe('application/problem+json (RFC 9457); `title` is the error code. Validation errors add `issues`, bad batches `events`.');

export const appendQuerySchema = z.strictObject({
  wait: z
    .enum(['none', 'checkpoint'])
    .default('none')
    .describe('"checkpoint": answer once the events are in a signed checkpoint, with a receipt each (503 after about 10 s)'),
});

/** For the document only: the handler checks each event itself, so that a bad one is named by its position. */
export const appendBodySchema = z
  .union([eventInputSchema, z.strictObject({ events: z.array(eventInputSchema).min(1).max(MAX_BATCH_EVENTS) })])
  .describe(
    `One "app.*" event, or { "events": [...] } with 1 to ${MAX_BATCH_EVENTS}. A batch is all or nothing: if any event is invalid, ` +
      'none is written and the answer lists each bad event by its position.',
  );

export const appendResponseSchema = z.strictObject({
  events: z.array(
    z.strictObject({
      id: z.string(),
      index: z.number().int().min(0).nullable().describe('the log index; null until sequenced (use ?wait=checkpoint or GET /api/v1/events/{id})'),
      receipt: z.string().optional().describe('a c2sp.org/tlog-proof@v1 receipt (with ?wait=checkpoint)'),
    }),
  ),
});

export const listQuerySchema = z.strictObject({
  from: eventTimeSchema.optional().describe('RFC 3339; events at or after this time'),
  to: eventTimeSchema.optional().describe('RFC 3339; events before this time'),
  actor: text(256).optional().describe('actor id'),
  type: z
    .string()
    .max(129)
    .regex(/^[a-z][a-z0-9_.]*\*?$/, 'expected an event type such as "app.document.viewed", or a prefix ending in "*" such as "app.document.*"')
    .optional(),
  target: z
    .string()
    .max(321)
    .regex(/^[^:]{1,64}:.{1,256}$/, 'expected "kind:id", such as "database:pg-prod"')
    .optional(),
  outcome: outcomeSchema.optional(),
  requestId: text(128).optional().describe('context.requestId'),
  grantId: text(128).optional().describe('context.grantId'),
  reason: text(256).optional().describe('text the reason contains (case-insensitive)'),
  cursor: text(64).optional().describe('the "next" of the previous page'),
  limit: z.coerce.number().int().min(1).max(MAX_PAGE_EVENTS).default(DEFAULT_PAGE_EVENTS),
  order: z.enum(['desc', 'asc']).default('desc').describe('desc: newest first'),
});
export type ListQuery = z.infer<typeof listQuerySchema>;

export const listResponseSchema = z.strictObject({
  events: z.array(z.strictObject({ index: z.number().int().min(0), event: auditEventSchema })),
  next: z
    .string()
    .nullable()
    .describe('pass as "cursor" for the next page; a page may be short (a search stops after a few tens of milliseconds) while next is not null'),
});

export const eventParamsSchema = z.strictObject({ id: eventIdSchema });

export const eventResponseSchema = z.strictObject({
  index: z.number().int().min(0).nullable().describe('null while the event is pending (not yet sequenced)'),
  event: auditEventSchema,
  entry: base64.describe('the exact leaf bytes (RFC 8785 JSON); the leaf hash is SHA-256(0x00 || entry)'),
  inclusionProof: z
    .strictObject({ leafIndex: z.number().int().min(0), treeSize: z.number().int().min(1), hashes: z.array(base64) })
    .nullable()
    .describe('RFC 9162 inclusion proof against the checkpoint'),
  checkpoint: z.strictObject({ size: z.number().int().min(1), rootHash: base64, note: z.string() }).nullable().describe('the latest signed checkpoint (C2SP signed note)'),
  receipt: z.string().nullable().describe('the same proof as a c2sp.org/tlog-proof@v1 receipt'),
});

/** Documented error answers of every events route. */
export const problemResponses = {
  400: problemSchema,
  401: problemSchema,
  403: problemSchema,
  429: problemSchema,
} as const;
