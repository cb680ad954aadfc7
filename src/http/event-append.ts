// POST /api/v1/events: checks a batch of app.* events (naming each bad one by position), appends it all or nothing, waits for receipts.
import { isPlainObject } from '../events/bounded-json.ts';
import type { FieldIssue } from '../events/event-issues.ts';
import { prepareEvent, type PrepareEventDeps, type PreparedEvent } from '../events/event-preparation.ts';
import { toPendingEntry } from '../events/event-recorder.ts';
import { APP_TYPE_PREFIX } from '../events/event-schema.ts';
import type { EventSearch } from '../events/event-search.ts';
import type { CheckpointWatch } from '../ledger/checkpoint-watch.ts';
import type { GroupCommitAppender } from '../ledger/group-commit.ts';
import type { LedgerStore } from '../ledger/ledger-store.ts';
import { checkpointCovering, inclusionProof } from '../ledger/log-reader.ts';
import { formatReceipt } from '../ledger/receipt.ts';
import type { TileCache } from '../ledger/tiles.ts';
import { AppError, isAppError } from '../shared/app-error.ts';
import { MAX_BATCH_EVENTS } from './event-schemas.ts';

/** One event of a batch that cannot be written, by its 0-based position in the batch. */
export interface BadEvent {
  readonly position: number;
  readonly code: 'invalid_event' | 'event_too_large';
  readonly message: string;
  readonly issues: readonly FieldIssue[];
}

export interface AppendedEvent {
  readonly id: string;
  readonly index: number | null;
  readonly receipt?: string;
}

const SHOWN_BAD_EVENTS = 3;

/** The events of a body: `{ events: [...] }` (1 to MAX_BATCH_EVENTS) or one event. */
export function eventsOfBody(body: unknown): unknown[] {
  if (!isPlainObject(body)) throw new AppError('invalid_input', 'the body must be a JSON object: one event, or { "events": [...] }');
  if (!Object.hasOwn(body, 'events')) return [body];
  const events = body.events;
  if (!Array.isArray(events)) throw new AppError('invalid_input', '"events" must be an array of events', { details: { issues: [{ path: 'body.events', message: 'expected an array' }] } });
  if (events.length === 0 || events.length > MAX_BATCH_EVENTS) {
    const message = `a batch holds 1 to ${MAX_BATCH_EVENTS.toLocaleString('en-US')} events, this one has ${events.length.toLocaleString('en-US')}: split it`;
    throw new AppError('invalid_input', message, { details: { issues: [{ path: 'body.events', message }] } });
  }
  return events as unknown[];
}

function badEvent(position: number, error: AppError): BadEvent {
  const issues = Array.isArray(error.details?.issues) ? (error.details.issues as FieldIssue[]) : [];
  const code = error.code === 'event_too_large' ? 'event_too_large' : 'invalid_event';
  return { position, code, message: error.message, issues };
}

function prepareOne(input: unknown, position: number, deps: PrepareEventDeps): PreparedEvent | BadEvent {
  if (isPlainObject(input) && typeof input.type === 'string' && !input.type.startsWith(APP_TYPE_PREFIX)) {
    const message = `"${input.type.slice(0, 128)}" is not an "app." type: Writ records its own events itself; other systems send "app.*" types`;
    return { position, code: 'invalid_event', message, issues: [{ path: 'type', message }] };
  }
  try {
    return prepareEvent(input, deps);
  } catch (error) {
    if (isAppError(error, 'invalid_event') || isAppError(error, 'event_too_large')) return badEvent(position, error);
    throw error;
  }
}

function batchError(bad: readonly BadEvent[], total: number): AppError {
  const code = bad.every((b) => b.code === 'event_too_large') ? 'event_too_large' : 'invalid_event';
  const shown = bad.slice(0, SHOWN_BAD_EVENTS).map((b) => `event ${b.position}: ${b.message}`);
  const more = bad.length > SHOWN_BAD_EVENTS ? ` (and ${bad.length - SHOWN_BAD_EVENTS} more)` : '';
  const counted = total === 1 ? 'the event is invalid' : `${bad.length} of ${total} events are invalid`;
  return new AppError(code, `${counted}; nothing was written: ${shown.join('; ')}${more}`, { details: { events: bad } });
}

/**
 * Prepares every event of a batch; throws one AppError listing each bad event (with its position) when any is bad.
 * @example prepareBatch([{ type: 'auth.login.succeeded', ... }], deps) // throws: event 0: "auth.login.succeeded" is not an "app." type ...
 */
export function prepareBatch(inputs: readonly unknown[], deps: PrepareEventDeps): PreparedEvent[] {
  const prepared: PreparedEvent[] = [];
  const bad: BadEvent[] = [];
  const positionOfId = new Map<string, number>();
  inputs.forEach((input, position) => {
    const result = prepareOne(input, position, deps);
    if ('position' in result) {
      bad.push(result);
      return;
    }
    const earlier = positionOfId.get(result.id);
    if (earlier === undefined) {
      positionOfId.set(result.id, position);
      prepared.push(result);
      return;
    }
    const message = `the same id as event ${earlier}: event ids must be unique`;
    bad.push({ position, code: 'invalid_event', message, issues: [{ path: 'id', message }] });
  });
  if (bad.length > 0) throw batchError(bad, inputs.length);
  return prepared;
}

export interface AppendDeps {
  readonly store: LedgerStore;
  readonly search: EventSearch;
  readonly appender: GroupCommitAppender;
  readonly watch: CheckpointWatch;
  readonly tiles: TileCache;
  readonly nowMs: () => number;
  readonly waitMs: number;
}

/** Waits until every id is sequenced (and so in a signed checkpoint); throws AppError('unavailable') after `waitMs`. */
async function waitForIndices(deps: AppendDeps, ids: readonly string[]): Promise<Map<string, number>> {
  const deadline = deps.nowMs() + deps.waitMs;
  let seenSize = (await deps.store.latestCheckpoint())?.size ?? 0;
  for (;;) {
    const indices = await deps.search.indicesOf(ids);
    if (indices.size === ids.length) return indices;
    const remaining = deadline - deps.nowMs();
    if (remaining <= 0) {
      const message =
        `the ${ids.length === 1 ? 'event was' : `${ids.length} events were`} written but ${ids.length === 1 ? 'is' : 'are'} not yet in a signed ` +
        `checkpoint after ${Math.round(deps.waitMs / 1000)} s (is the sequencer running?); get the receipts later with GET /api/v1/events/{id}`;
      throw new AppError('unavailable', message, { details: { ids } });
    }
    seenSize = (await deps.watch.nextAfter(seenSize, remaining))?.size ?? seenSize;
  }
}

async function withReceipts(deps: AppendDeps, ids: readonly string[]): Promise<AppendedEvent[]> {
  const indices = await waitForIndices(deps, ids);
  const checkpoint = await checkpointCovering(deps.store, Math.max(...indices.values()));
  const appended: AppendedEvent[] = [];
  for (const id of ids) {
    const index = indices.get(id) ?? -1;
    const proof = await inclusionProof(deps.store, index, checkpoint.size, deps.tiles);
    appended.push({ id, index, receipt: formatReceipt({ index, proof, checkpointNote: checkpoint.note }) });
  }
  return appended;
}

/**
 * Appends a prepared batch in one transaction (all or nothing) and answers its ids; with `waitForCheckpoint`,
 * also each event's index and receipt once a signed checkpoint includes them.
 */
export async function appendBatch(deps: AppendDeps, events: readonly PreparedEvent[], waitForCheckpoint: boolean): Promise<AppendedEvent[]> {
  await deps.appender.append(events.map(toPendingEntry));
  const ids = events.map((event) => event.id);
  return waitForCheckpoint ? withReceipts(deps, ids) : ids.map((id) => ({ id, index: null }));
}
