// The audit event envelope as zod schemas: what callers send, what the ledger stores, what readers see.
import { isIP } from 'node:net';
import { z } from 'zod';
import { isUuid } from '../shared/ids.ts';
import { boundedJsonObject, isPlainObject, type JsonBounds, type JsonObject } from './bounded-json.ts';
import { normaliseEventTime } from './event-time.ts';

/**
 * Versioning: every catalogue entry declares the version of its `data` schema, and the stored entry
 * carries it as `v` (`app.*` events are always `v: 1`). A sender may state `v`; it must then be the
 * version the catalogue has. A reader interprets `data` by (`type`, `v`). Changing a data schema in an
 * incompatible way means a new version (or a new type); entries already in the ledger never change.
 */
export const MAX_ENTRY_BYTES = 65_535;
export const MAX_TARGETS = 32;
/** Canonical JSON bytes of the personal part (kept outside the ledger entry). */
export const MAX_PERSONAL_BYTES = 16_384;
export const MAX_EVENT_TYPE_LENGTH = 128;
export const EVENT_TYPE_PATTERN = /^[a-z][a-z0-9_]*(\.[a-z][a-z0-9_]*){1,4}$/;
/** Types with this prefix are sent by other applications; their `data` is free-form but bounded. */
export const APP_TYPE_PREFIX = 'app.';

/** Bounds of the free-form `data` of `app.*` events. */
export const appDataBounds: JsonBounds = { maxDepth: 8, maxKeysPerObject: 256, maxItemsPerArray: 4096, maxStringBytes: 8192, maxKeyLength: 256 };
/** Bounds of the free-form `personal` object. */
export const personalBounds: JsonBounds = { maxDepth: 4, maxKeysPerObject: 64, maxItemsPerArray: 256, maxStringBytes: 4096, maxKeyLength: 128 };

/**
 * A strict object whose unknown-key message lists the allowed keys, so the sender knows what to fix.
 * @example strictShape({ id: z.string() }).parse({ di: 'x' }) // throws: unknown field "di" (allowed: id)
 */
export function strictShape<Shape extends z.ZodRawShape>(shape: Shape): z.ZodObject<Shape, z.core.$strict> {
  const allowed = Object.keys(shape).join(', ');
  return z.strictObject(shape, {
    error: (issue) =>
      issue.code === 'unrecognized_keys'
        ? `unknown field${issue.keys.length > 1 ? 's' : ''} ${issue.keys.map((key) => JSON.stringify(key)).join(', ')} (allowed: ${allowed})`
        : undefined,
  });
}

const text = (maxLength: number) => z.string().min(1).max(maxLength);

export const eventTypeSchema = z
  .string()
  .max(MAX_EVENT_TYPE_LENGTH)
  .regex(EVENT_TYPE_PATTERN, 'expected a dotted, lower-case, past-tense name of 2 to 5 parts such as "access.request.created"');

/** A UUID of any version, any case; stored in lower case. */
export const eventIdSchema = z
  .string()
  .max(36)
  .toLowerCase()
  .refine(isUuid, 'expected a UUID such as "0193f1e2-7c1a-7b3e-9f00-1c2d3e4f5a6b"');

/** RFC 3339, normalised to UTC with milliseconds. */
export const eventTimeSchema = z
  .string()
  .max(64)
  .transform((value, context) => {
    const result = normaliseEventTime(value);
    if (result.ok) return result.time;
    context.issues.push({ code: 'custom', message: result.reason, input: value });
    return z.NEVER;
  });

/** Times as stored: already canonical. */
const storedTimeSchema = z.string().regex(/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z$/);

export const actorKindSchema = z.enum(['user', 'service', 'system']);
export const outcomeSchema = z.enum(['success', 'failure', 'denied']);

const ipSchema = z
  .string()
  .max(64)
  .refine((value) => isIP(value) !== 0, 'expected an IPv4 or IPv6 address');

/** Who acted. `name`, `ip` and `userAgent` are personal data: kept out of the ledger entry. */
export const actorSchema = strictShape({
  kind: actorKindSchema,
  id: text(256),
  name: text(256).optional(),
  ip: ipSchema.optional(),
  userAgent: text(1024).optional(),
  authMethod: text(64).optional(),
});

/** The actor as the ledger entry holds it. */
export const storedActorSchema = strictShape({ kind: actorKindSchema, id: text(256), authMethod: text(64).optional() });

export const targetSchema = strictShape({ kind: text(64), id: text(256), name: text(256).optional() });
export const targetsSchema = z.array(targetSchema).max(MAX_TARGETS);

export const contextSchema = strictShape({
  requestId: text(128).optional(),
  grantId: text(128).optional(),
  sessionId: text(128).optional(),
  correlationId: text(128).optional(),
  node: text(128).optional(),
});

export const appDataSchema = boundedJsonObject(appDataBounds);
export const personalSchema = boundedJsonObject(personalBounds);

/** What a sender may send. `data` is checked afterwards against the schema of `type`. */
export const eventInputSchema = strictShape({
  v: z.number().int().min(1).max(1000).optional(),
  id: eventIdSchema.optional(),
  time: eventTimeSchema.optional(),
  type: eventTypeSchema,
  actor: actorSchema,
  targets: targetsSchema.optional(),
  outcome: outcomeSchema,
  reason: text(1024).optional(),
  context: contextSchema.optional(),
  data: z.unknown().optional(),
  personal: personalSchema.optional(),
});
export type EventInput = z.infer<typeof eventInputSchema>;

/** JSON objects already checked on the way in; on the way out only their kind is checked. */
const storedJsonObject = z.custom<JsonObject>(isPlainObject, 'expected a JSON object');

/** The ledger entry: personal fields replaced by `personalCommitment`, base64(SHA-256(salt ‖ personal part)). */
export const storedEntrySchema = strictShape({
  v: z.number().int().min(1),
  id: eventIdSchema,
  time: storedTimeSchema,
  type: eventTypeSchema,
  actor: storedActorSchema,
  targets: targetsSchema,
  outcome: outcomeSchema,
  reason: text(1024).optional(),
  context: contextSchema.optional(),
  data: storedJsonObject,
  personalCommitment: z.string().regex(/^[A-Za-z0-9+/]{43}=$/).optional(),
});
export type StoredEntry = z.infer<typeof storedEntrySchema>;

/** The personal part, stored beside the entry: `{ actor?: { name?, ip?, userAgent? }, personal? }`. */
export const personalPartSchema = strictShape({
  actor: strictShape({ name: text(256).optional(), ip: ipSchema.optional(), userAgent: text(1024).optional() }).optional(),
  personal: storedJsonObject.optional(),
});
export type PersonalPart = z.infer<typeof personalPartSchema>;

/** An event as readers see it: the entry with its personal part joined back, or marked erased. */
export const auditEventSchema = strictShape({
  v: z.number().int().min(1),
  id: eventIdSchema,
  time: storedTimeSchema,
  type: eventTypeSchema,
  actor: actorSchema,
  targets: targetsSchema,
  outcome: outcomeSchema,
  reason: text(1024).optional(),
  context: contextSchema.optional(),
  data: storedJsonObject,
  personal: storedJsonObject.optional(),
  /** The entry had personal data whose plaintext has since been erased. */
  personalErased: z.literal(true).optional(),
});
export type AuditEvent = z.infer<typeof auditEventSchema>;
