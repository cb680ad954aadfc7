// Writes appended entries to log_pending (and their personal data to log_personal) with few statements, refusing an event id already in the log.
import { CompiledQuery, type Compilable, type Kysely } from 'kysely';
import type { PendingEntry } from '../ledger/ledger-store.ts';
import { AppError } from '../shared/app-error.ts';
import type { BackendCapabilities } from './dialects/capabilities.ts';
import type { Database } from './schema.ts';

type Executor = Kysely<Database>;

/** Most rows one statement carries (the backend's parameter limit may lower it). */
const MAX_ROWS = 4096;
/**
 * Row counts are split into a multiple of this and a remainder below it, so a few statement texts serve
 * every batch size: compiled once here, and prepared once by SQLite.
 */
const ROW_STEP = 64;

const PENDING_COLUMNS = 7;
const PERSONAL_COLUMNS = 3;

function toBuffer(bytes: Uint8Array): Buffer {
  return Buffer.isBuffer(bytes) ? bytes : Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
}

function pendingRow(e: PendingEntry): Omit<Database['log_pending'], 'seq'> {
  return {
    event_id: e.eventId,
    event_time: e.time,
    event_type: e.type,
    actor_id: e.actorId,
    outcome: e.outcome,
    entry: toBuffer(e.entry),
    leaf_hash: toBuffer(e.leafHash),
  };
}

type PersonalRow = Database['log_personal'];

function personalRows(entries: readonly PendingEntry[]): PersonalRow[] {
  const rows: PersonalRow[] = [];
  for (const e of entries) {
    if (e.personal !== undefined) rows.push({ event_id: e.eventId, salt: toBuffer(e.personal.salt), value: toBuffer(e.personal.value) });
  }
  return rows;
}

/** Splits `items` into statements of at most `maxRows`, each a multiple of ROW_STEP or a remainder below it. */
function statementParts<T>(items: readonly T[], maxRows: number): T[][] {
  const parts: T[][] = [];
  for (let at = 0; at < items.length; ) {
    const left = items.length - at;
    const size = left >= maxRows ? maxRows : left >= ROW_STEP ? left - (left % ROW_STEP) : left;
    parts.push(items.slice(at, at + size));
    at += size;
  }
  return parts;
}

function maxRowsFor(caps: BackendCapabilities, columns: number): number {
  const byParameters = Math.floor(caps.maxParameters / columns);
  return Math.min(MAX_ROWS, byParameters >= ROW_STEP ? byParameters - (byParameters % ROW_STEP) : byParameters);
}

/** Statement texts per backend and shape. Kysely builds every call's query tree anew: about 1.5 µs a row for these inserts. */
const texts = new WeakMap<BackendCapabilities, Map<string, string>>();

/**
 * Runs the statement `build()` would compile, reusing the text compiled for the same backend and `shape`;
 * `parameters` must list exactly what Kysely would bind (checked when a shape is first compiled).
 */
async function execute<R>(trx: Executor, caps: BackendCapabilities, shape: string, build: () => Compilable<R>, parameters: readonly unknown[]): Promise<R[]> {
  let known = texts.get(caps);
  if (known === undefined) texts.set(caps, (known = new Map<string, string>()));
  let text = known.get(shape);
  if (text === undefined) {
    const compiled = build().compile();
    const same = compiled.parameters.length === parameters.length && compiled.parameters.every((p, i) => p === parameters[i]);
    if (!same) throw new AppError('internal', `the parameters of "${shape}" do not follow the compiled statement`);
    text = compiled.sql;
    known.set(shape, text);
  }
  return (await trx.executeQuery<R>(CompiledQuery.raw(text, [...parameters]))).rows;
}

async function insertPendingRows(trx: Executor, caps: BackendCapabilities, part: readonly PendingEntry[]): Promise<void> {
  const rows = part.map(pendingRow);
  const parameters = rows.flatMap((r) => [r.event_id, r.event_time, r.event_type, r.actor_id, r.outcome, r.entry, r.leaf_hash]);
  await execute(trx, caps, `pending:${rows.length}`, () => trx.insertInto('log_pending').values(rows), parameters);
}

/** The first of `eventIds` already sequenced into log_entries, if any. */
async function sequencedId(trx: Executor, caps: BackendCapabilities, eventIds: readonly string[]): Promise<string | undefined> {
  const build = () => trx.selectFrom('log_entries').select('event_id').where('event_id', 'in', eventIds).limit(1);
  const [row] = await execute(trx, caps, `clash:${eventIds.length}`, build, [...eventIds, 1]);
  return row?.event_id;
}

async function insertPersonalRows(trx: Executor, caps: BackendCapabilities, rows: readonly PersonalRow[]): Promise<void> {
  const parameters = rows.flatMap((r) => [r.event_id, r.salt, r.value]);
  await execute(trx, caps, `personal:${rows.length}`, () => trx.insertInto('log_personal').values(rows), parameters);
}

/**
 * Inserts entries as pending inside `trx`, refusing (AppError 'conflict') an event id a sender chose that is
 * already in the log; an id twice among the pending rows fails the insert with the backend's unique violation.
 * @example await insertPending(trx, [entry], caps)
 */
export async function insertPending(trx: Executor, entries: readonly PendingEntry[], caps: BackendCapabilities): Promise<void> {
  for (const part of statementParts(entries, maxRowsFor(caps, PENDING_COLUMNS))) {
    await insertPendingRows(trx, caps, part);
    // After the insert, so a concurrent sequencer that moved the same id has committed by now (PostgreSQL).
    // Ids Writ made itself are fresh UUIDv7s: only ids a sender chose can already be in the log.
    const chosen = part.filter((e) => e.idAssigned !== true).map((e) => e.eventId);
    const clash = chosen.length === 0 ? undefined : await sequencedId(trx, caps, chosen);
    if (clash !== undefined) {
      throw new AppError('conflict', `an event with id "${clash}" is already in the log: event ids must be unique`);
    }
  }
  for (const part of statementParts(personalRows(entries), maxRowsFor(caps, PERSONAL_COLUMNS))) {
    await insertPersonalRows(trx, caps, part);
  }
}
