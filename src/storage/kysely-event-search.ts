// The EventSearch port over Kysely: walks the log in growing index ranges (only matching time blocks), stops at a time budget.
import { performance } from 'node:perf_hooks';
import { sql, type Kysely } from 'kysely';
import type { EventFilter, EventSearch, EventSearchPage, EventSearchRequest, FoundEvent, SearchedEntry } from '../events/event-search.ts';
import { rangeSource, type Walk } from './event-search-ranges.ts';
import { matchingIndices, planSearch, type SearchPlan } from './event-search-sql.ts';
import type { Database } from './schema.ts';

export interface EventSearchOptions {
  /** A page stops growing its scan after this long and says where to continue (default 25 ms). */
  readonly budgetMs?: number;
  /** Indices the first range of a page covers; later ranges grow while they are fast (default 16,384). */
  readonly initialSpan?: number;
  readonly nowMs?: () => number;
  /** Time blocks read per query (default 1,024). */
  readonly timeBlocksPerRead?: number;
}

/** The plan for ranges whose rows need a time check, and the one for ranges wholly inside the time range. */
interface Plans {
  readonly checked: SearchPlan;
  readonly inTime: SearchPlan;
}

/** Distinct stored types listed for a prefix filter; with more, the prefix is matched with LIKE. */
const MAX_LISTED_TYPES = 1000;
const IDS_PER_STATEMENT = 1000;

/** Every distinct stored event type, by a skip scan of (event_type, idx); undefined when there are more than `max`. */
async function distinctTypes(db: Kysely<Database>, max: number): Promise<string[] | undefined> {
  const result = await sql<{ t: string }>`with recursive types(t) as (
      select min(event_type) from log_entries
      union all
      select (select min(l.event_type) from log_entries as l where l.event_type > types.t) from types where types.t is not null
    ) select t from types where t is not null limit ${max + 1}`.execute(db);
  return result.rows.length > max ? undefined : result.rows.map((row) => row.t);
}

async function prefixTypesOf(db: Kysely<Database>, filter: EventFilter): Promise<string[] | undefined> {
  if (filter.type?.kind !== 'prefix') return undefined;
  const prefix = filter.type.prefix;
  return (await distinctTypes(db, MAX_LISTED_TYPES))?.filter((type) => type.startsWith(prefix));
}

async function maxIndex(db: Kysely<Database>): Promise<number | undefined> {
  const row = await db.selectFrom('log_entries').select((eb) => eb.fn.max<number | string | null>('idx').as('m')).executeTakeFirst();
  return row?.m === null || row?.m === undefined ? undefined : Number(row.m);
}

/** The entries at `indices` with their personal parts, in the order given. */
async function readByIndex(db: Kysely<Database>, indices: readonly number[]): Promise<SearchedEntry[]> {
  if (indices.length === 0) return [];
  const rows = await db
    .selectFrom('log_entries as e')
    .leftJoin('log_personal as p', 'p.event_id', 'e.event_id')
    .select(['e.idx', 'e.event_id', 'e.entry', 'p.value'])
    .where('e.idx', 'in', indices)
    .execute();
  const byIndex = new Map(rows.map((row) => [row.idx, row]));
  return indices.flatMap((index) => {
    const row = byIndex.get(index);
    return row === undefined ? [] : [{ index, eventId: row.event_id, entry: row.entry, personal: row.value ?? undefined }];
  });
}

async function findSequenced(db: Kysely<Database>, eventId: string): Promise<FoundEvent | undefined> {
  const row = await db
    .selectFrom('log_entries as e')
    .leftJoin('log_personal as p', 'p.event_id', 'e.event_id')
    .select(['e.idx', 'e.entry', 'p.value'])
    .where('e.event_id', '=', eventId)
    .executeTakeFirst();
  return row === undefined ? undefined : { eventId, index: row.idx, entry: row.entry, personal: row.value ?? undefined };
}

async function findPending(db: Kysely<Database>, eventId: string): Promise<FoundEvent | undefined> {
  const row = await db
    .selectFrom('log_pending as e')
    .leftJoin('log_personal as p', 'p.event_id', 'e.event_id')
    .select(['e.entry', 'p.value'])
    .where('e.event_id', '=', eventId)
    .executeTakeFirst();
  return row === undefined ? undefined : { eventId, index: undefined, entry: row.entry, personal: row.value ?? undefined };
}

/**
 * Creates the search over an opened database.
 * @example await createKyselyEventSearch(db).search({ filter: { actorId: 'alice' }, order: 'desc', limit: 100 })
 */
export function createKyselyEventSearch(db: Kysely<Database>, options: EventSearchOptions = {}): EventSearch {
  const budgetMs = options.budgetMs ?? 25;
  const initialSpan = options.initialSpan ?? 16_384;
  const nowMs = options.nowMs ?? (() => performance.now());

  /**
   * Walks the ranges from `first` toward `last` until the page is full or the log ends; stops early when the
   * next range (as long as the last one took) would overrun the budget.
   */
  async function scan(plans: Plans, request: EventSearchRequest, walk: Walk, startedMs: number): Promise<{ found: number[]; resumeAfter: number | undefined }> {
    const { order, limit } = request;
    const ranges = rangeSource(db, request.filter, walk, options.timeBlocksPerRead);
    const found: number[] = [];
    let span = initialSpan;
    for (let position = walk.first; ; ) {
      const rangeStartedMs = nowMs();
      const range = await ranges.next(position, span);
      if (range === undefined) return { found, resumeAfter: undefined };
      found.push(...(await matchingIndices(db, range.inTime ? plans.inTime : plans.checked, range, order, limit - found.length)));
      if (found.length >= limit) return { found, resumeAfter: found[found.length - 1] };
      const boundary = order === 'desc' ? range.lo : range.hi;
      if (boundary === walk.last) return { found, resumeAfter: undefined };
      const rangeMs = nowMs() - rangeStartedMs;
      const leftMs = budgetMs - (nowMs() - startedMs);
      if (rangeMs >= leftMs) return { found, resumeAfter: boundary };
      // Grow while a range four times as long would still fit in half of what is left.
      if (rangeMs * 4 <= leftMs / 2) span *= 4;
      position = order === 'desc' ? boundary - 1 : boundary + 1;
    }
  }

  async function walkOf(request: EventSearchRequest): Promise<Walk | undefined> {
    const top = await maxIndex(db);
    if (top === undefined) return undefined;
    const { order, after } = request;
    if (order === 'desc') {
      const first = Math.min(top, after === undefined ? top : after - 1);
      return first < 0 ? undefined : { order, first, last: 0 };
    }
    const first = after === undefined ? 0 : after + 1;
    return first > top ? undefined : { order, first, last: top };
  }

  return {
    async search(request): Promise<EventSearchPage> {
      const startedMs = nowMs();
      const prefixTypes = await prefixTypesOf(db, request.filter);
      const walk = await walkOf(request);
      if (walk === undefined || prefixTypes?.length === 0 || request.limit <= 0) return { entries: [], resumeAfter: undefined };
      const untimed = { ...request.filter, fromTime: undefined, toTime: undefined };
      const plans = { checked: planSearch(request.filter, prefixTypes), inTime: planSearch(untimed, prefixTypes) };
      const { found, resumeAfter } = await scan(plans, request, walk, startedMs);
      return { entries: await readByIndex(db, found), resumeAfter };
    },
    async findEvent(eventId): Promise<FoundEvent | undefined> {
      const sequenced = await findSequenced(db, eventId);
      if (sequenced !== undefined) return sequenced;
      // Not pending either: it may have been sequenced between the two reads.
      return (await findPending(db, eventId)) ?? findSequenced(db, eventId);
    },
    async indicesOf(eventIds) {
      const found = new Map<string, number>();
      for (let at = 0; at < eventIds.length; at += IDS_PER_STATEMENT) {
        const part = eventIds.slice(at, at + IDS_PER_STATEMENT);
        const rows = await db.selectFrom('log_entries').select(['event_id', 'idx']).where('event_id', 'in', part).execute();
        for (const row of rows) found.set(row.event_id, row.idx);
      }
      return found;
    },
  };
}
