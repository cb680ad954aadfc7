// Turns an untrusted event into a ledger entry (canonical bytes, personal data split off) and an entry back into the event readers see.
import type { z } from 'zod';
import { AppError, isAppError } from '../shared/app-error.ts';
import type { Clock } from '../shared/clock.ts';
import type { IdGenerator } from '../shared/ids.ts';
import { isPlainObject, type JsonObject } from './bounded-json.ts';
import { canonicalBytes } from './canonical-json.ts';
import { findEventDefinition } from './catalogue/index.ts';
import { parseEventPart } from './event-issues.ts';
import {
  APP_TYPE_PREFIX,
  appDataSchema,
  eventInputSchema,
  MAX_ENTRY_BYTES,
  MAX_PERSONAL_BYTES,
  personalPartSchema,
  storedEntrySchema,
  type AuditEvent,
  type EventInput,
  type PersonalPart,
  type StoredEntry,
} from './event-schema.ts';
import { formatEventTime } from './event-time.ts';
import { createPooledRandomBytes, isPersonalCommitment, personalCommitment, SALT_BYTES } from './personal-commitment.ts';

export type { AuditEvent } from './event-schema.ts';

export interface PreparedEvent {
  /** UUIDv7 (or the UUID the sender chose). */
  id: string;
  /** True when Writ made the id: a fresh UUIDv7 cannot already be in the log, so appends need not look. */
  idAssigned: boolean;
  /** RFC 3339, UTC, milliseconds. */
  time: string;
  type: string;
  /** RFC 8785 canonical JSON of the stored event, personal fields replaced by the commitment; at most MAX_ENTRY_BYTES. */
  entry: Uint8Array;
  /** `value` is the canonical JSON of `{ actor?: { name?, ip?, userAgent? }, personal? }`; undefined when the event has none. */
  personal: { salt: Uint8Array; value: Uint8Array } | undefined;
  /** Cheap columns for listing. */
  summary: { actorId: string; outcome: string };
}

export interface PrepareEventDeps {
  clock: Clock;
  ids: IdGenerator;
  /** CSPRNG for the per-event salt; defaults to node:crypto, drawn in batches. */
  randomBytes?: (n: number) => Uint8Array;
}

interface DataRule {
  readonly version: number;
  readonly data: z.ZodType;
}

const appRule: DataRule = { version: 1, data: appDataSchema };
const defaultRandomBytes = createPooledRandomBytes();
const decoder = new TextDecoder('utf-8', { fatal: true });

/**
 * Validates an untrusted event and builds its ledger entry: id and time assigned when absent, data
 * checked against the catalogue (or the `app.*` bounds), personal fields replaced by a salted commitment.
 * Throws AppError('invalid_event') naming each bad field, AppError('event_too_large') over MAX_ENTRY_BYTES.
 * @example prepareEvent({ type: 'app.document.viewed', actor: { kind: 'user', id: 'alice' }, targets: [], outcome: 'success', data: {} }, { clock, ids }).entry
 */
export function prepareEvent(input: unknown, deps: PrepareEventDeps): PreparedEvent {
  const event = parseEventPart(eventInputSchema, input);
  const rule = dataRuleOf(event);
  const data = parseEventPart(rule.data, event.data ?? {}, ['data']);
  const id = event.id ?? deps.ids.next();
  const time = event.time ?? formatEventTime(deps.clock.nowMs());
  const personal = splitPersonal(event, deps.randomBytes ?? defaultRandomBytes);
  const stored: StoredEntry = {
    v: rule.version,
    id,
    time,
    type: event.type,
    actor: { kind: event.actor.kind, id: event.actor.id },
    targets: event.targets ?? [],
    outcome: event.outcome,
    data: data as JsonObject,
  };
  if (event.actor.authMethod !== undefined) stored.actor.authMethod = event.actor.authMethod;
  if (event.reason !== undefined) stored.reason = event.reason;
  if (event.context !== undefined) stored.context = event.context;
  if (personal !== undefined) stored.personalCommitment = personalCommitment(personal.salt, personal.value);
  const entry = encode(stored);
  if (entry.byteLength > MAX_ENTRY_BYTES) {
    throw new AppError(
      'event_too_large',
      `the stored event is ${entry.byteLength} bytes of canonical JSON, over the ${MAX_ENTRY_BYTES}-byte limit: make data, reason or targets smaller`,
      { details: { byteCount: entry.byteLength, maxBytes: MAX_ENTRY_BYTES } },
    );
  }
  return { id, idAssigned: event.id === undefined, time, type: event.type, entry, personal, summary: { actorId: event.actor.id, outcome: event.outcome } };
}

/**
 * The event as readers see it: the entry with its personal part joined back; `personalErased: true`
 * when the entry commits to personal data that has been erased.
 * @example readEntry(prepared.entry, prepared.personal?.value).actor.name // 'Alice'
 */
export function readEntry(entry: Uint8Array, personal: Uint8Array | undefined): AuditEvent {
  const stored = decodeStored(entry, storedEntrySchema, 'ledger entry');
  const { personalCommitment: commitment, actor, ...rest } = stored;
  const event: AuditEvent = { ...rest, actor: { ...actor } };
  if (commitment === undefined) {
    if (personal === undefined) return event;
    throw new AppError('ledger_inconsistent', `event ${stored.id} has a personal part but its entry holds no commitment to one`);
  }
  if (personal === undefined) return { ...event, personalErased: true };
  const part = decodeStored(personal, personalPartSchema, `personal part of event ${stored.id}`);
  const joined: AuditEvent = { ...event, actor: { ...event.actor, ...part.actor } };
  if (part.personal !== undefined) joined.personal = part.personal;
  return joined;
}

/**
 * True when `entry` commits to this salt and personal value (base64(SHA-256(salt ‖ value)) equals its
 * `personalCommitment`); false for an entry without one or that is not JSON.
 * @example verifyPersonalCommitment(prepared.entry, prepared.personal.salt, prepared.personal.value) // true
 */
export function verifyPersonalCommitment(entry: Uint8Array, salt: Uint8Array, value: Uint8Array): boolean {
  let parsed: unknown;
  try {
    parsed = JSON.parse(decoder.decode(entry));
  } catch {
    return false;
  }
  if (!isPlainObject(parsed) || salt.byteLength !== SALT_BYTES) return false;
  const commitment = parsed.personalCommitment;
  return typeof commitment === 'string' && isPersonalCommitment(commitment, salt, value);
}

function dataRuleOf(event: EventInput): DataRule {
  const rule = event.type.startsWith(APP_TYPE_PREFIX) ? appRule : findEventDefinition(event.type);
  if (rule === undefined) {
    const message = `unknown event type "${event.type}": Writ types must be in the catalogue; events from other applications use the "app." prefix`;
    throw new AppError('invalid_event', message, { details: { issues: [{ path: 'type', message }] } });
  }
  if (event.v !== undefined && event.v !== rule.version) {
    const message = `"${event.type}" has data schema version ${rule.version}, not ${event.v}: send v ${rule.version} or leave it out`;
    throw new AppError('invalid_event', `invalid event: v: ${message}`, { details: { issues: [{ path: 'v', message }] } });
  }
  return rule;
}

/** The personal part and its fresh salt, or undefined when the event carries no personal data. */
function splitPersonal(event: EventInput, randomBytes: (n: number) => Uint8Array): { salt: Uint8Array; value: Uint8Array } | undefined {
  const { name, ip, userAgent } = event.actor;
  const part: PersonalPart = {};
  if (name !== undefined || ip !== undefined || userAgent !== undefined) {
    part.actor = {};
    if (name !== undefined) part.actor.name = name;
    if (ip !== undefined) part.actor.ip = ip;
    if (userAgent !== undefined) part.actor.userAgent = userAgent;
  }
  if (event.personal !== undefined && Object.keys(event.personal).length > 0) part.personal = event.personal;
  if (part.actor === undefined && part.personal === undefined) return undefined;
  const value = encode(part);
  if (value.byteLength > MAX_PERSONAL_BYTES) {
    throw new AppError(
      'event_too_large',
      `the personal part (actor name, ip, userAgent and personal) is ${value.byteLength} bytes of canonical JSON, over the ${MAX_PERSONAL_BYTES}-byte limit`,
      { details: { byteCount: value.byteLength, maxBytes: MAX_PERSONAL_BYTES } },
    );
  }
  const salt = randomBytes(SALT_BYTES);
  if (salt.byteLength !== SALT_BYTES) throw new AppError('internal', `the random source gave ${salt.byteLength} bytes, not ${SALT_BYTES}`);
  return { salt, value };
}

/** Canonical bytes; text JSON cannot carry (a lone surrogate) is the sender's error. */
function encode(value: unknown): Uint8Array {
  try {
    return canonicalBytes(value);
  } catch (error) {
    if (isAppError(error, 'invalid_input')) throw new AppError('invalid_event', `invalid event: ${error.message}`, { details: error.details ?? {} });
    throw error;
  }
}

function decodeStored<T>(bytes: Uint8Array, schema: z.ZodType<T>, what: string): T {
  let parsed: unknown;
  try {
    parsed = JSON.parse(decoder.decode(bytes));
  } catch (error) {
    throw new AppError('ledger_inconsistent', `the ${what} is not UTF-8 JSON`, { cause: error });
  }
  const result = schema.safeParse(parsed);
  if (result.success) return result.data;
  const first = result.error.issues[0];
  throw new AppError('ledger_inconsistent', `the ${what} is not a Writ event: ${first === undefined ? '' : `${first.path.join('.')}: ${first.message}`}`);
}
