// The EventSearch port over Kysely: walks the log in growing index ranges, skips time blocks, stops at a time budget.
import { performance } from 'node:perf_hooks';
import { sql, type Kysely } from 'kysely';
import type { EventFilter, EventSearch, EventSearchPage, EventSearchRequest, FoundEvent } from '../events/event-search.ts';
import type { SequencedEntry } from '../ledger/ledger-store.ts';
import { TIME_BLOCK_ENTRIES } from './event-search-index.ts';
import { matchingIndices, planSearch, type IndexRange, type SearchPlan } from './event-search-sql.ts';
import type { Database } from './schema.ts';

export interface EventSearchOptions {
  /** A page stops growing its scan after this long and says where to continue (default 25 ms). */
  readonly budgetMs?: number;
  /** Indices the first range of a page covers; later ranges grow while they are fast (default 16,384). */
  readonly initialSpan?: number;
  readonly nowMs?: () => number;
}

/** Distinct stored types listed for a prefix filter; with more, the prefix is matched with LIKE. */
const MAX_LISTED_TYPES = 1000;
const IDS_PER_STATEMENT = 1000;

interface ScanState {
  readonly plan: SearchPlan;
  readonly request: EventSearchRequest;
  readonly first: number;
  readonly last: number;
}

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

/** The parts of `range` whose time blocks may hold events in the filter's time range, in scan order. */
async function timeRuns(db: Kysely<Database>, filter: EventFilter, range: IndexRange, order: 'asc' | 'desc'): Promise<IndexRange[]> {
  if (filter.fromTime === undefined && filter.toTime === undefined) return [range];
  let query = db
    .selectFrom('log_time_blocks')
    .select('block_index')
    .where('block_index', '>=', Math.floor(range.lo / TIME_BLOCK_ENTRIES))
    .where('block_index', '<=', Math.floor(range.hi / TIME_BLOCK_ENTRIES));
  if (filter.fromTime !== undefined) query = query.where('max_time', '>=', filter.fromTime);
  if (filter.toTime !== undefined) query = query.where('min_time', '<', filter.toTime);
  const blocks = await query.orderBy('block_index').execute();
  const runs: { lo: number; hi: number }[] = [];
  for (const { block_index: block } of blocks) {
    const lo = Math.max(range.lo, block * TIME_BLOCK_ENTRIES);
    const hi = Math.min(range.hi, (block + 1) * TIME_BLOCK_ENTRIES - 1);
    const previous = runs[runs.length - 1];
    if (previous !== undefined && previous.hi + 1 === lo) previous.hi = hi;
    else runs.push({ lo, hi });
  }
  return order === 'asc' ? runs : runs.reverse();
}

function chunkAt(state: ScanState, position: number, span: number): IndexRange {
  return state.request.order === 'desc'
    ? { lo: Math.max(state.last, position - span + 1), hi: position }
    : { lo: position, hi: Math.min(state.last, position + span - 1) };
}

async function readByIndex(db: Kysely<Database>, indices: readonly number[]): Promise<SequencedEntry[]> {
  if (indices.length === 0) return [];
  const rows = await db.selectFrom('log_entries').select(['idx', 'event_id', 'entry']).where('idx', 'in', indices).execute();
  const byIndex = new Map(rows.map((row) => [row.idx, row]));
  return indices.flatMap((index) => {
    const row = byIndex.get(index);
    return row === undefined ? [] : [{ index, eventId: row.event_id, entry: row.entry }];
  });
}

async function findSequenced(db: Kysely<Database>, eventId: string): Promise<FoundEvent | undefined> {
  const row = await db.selectFrom('log_entries').select(['idx', 'entry']).where('event_id', '=', eventId).executeTakeFirst();
  return row === undefined ? undefined : { eventId, index: row.idx, entry: row.entry };
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
   * Scans chunk after chunk from `first` toward `last` until the page is full or the log ends; stops early when
   * the next chunk (as long as the last one took) would overrun the budget.
   */
  async function scan(state: ScanState, startedMs: number): Promise<{ found: number[]; resumeAfter: number | undefined }> {
    const { order, limit } = state.request;
    const found: number[] = [];
    let span = initialSpan;
    for (let position = state.first; ; ) {
      const chunk = chunkAt(state, position, span);
      const chunkStartedMs = nowMs();
      for (const run of await timeRuns(db, state.request.filter, chunk, order)) {
        found.push(...(await matchingIndices(db, state.plan, run, order, limit - found.length)));
        if (found.length >= limit) return { found, resumeAfter: found[found.length - 1] };
      }
      const atEnd = order === 'desc' ? chunk.lo <= state.last : chunk.hi >= state.last;
      if (atEnd) return { found, resumeAfter: undefined };
      const chunkMs = nowMs() - chunkStartedMs;
      if (nowMs() - startedMs + chunkMs >= budgetMs) return { found, resumeAfter: order === 'desc' ? chunk.lo : chunk.hi };
      if (chunkMs < budgetMs / 8) span *= 4;
      position = order === 'desc' ? chunk.lo - 1 : chunk.hi + 1;
    }
  }

  async function bounds(request: EventSearchRequest): Promise<{ first: number; last: number } | undefined> {
    const top = await maxIndex(db);
    if (top === undefined) return undefined;
    if (request.order === 'desc') {
      const first = Math.min(top, request.after === undefined ? top : request.after - 1);
      return first < 0 ? undefined : { first, last: 0 };
    }
    const first = request.after === undefined ? 0 : request.after + 1;
    return first > top ? undefined : { first, last: top };
  }

  return {
    async search(request): Promise<EventSearchPage> {
      const startedMs = nowMs();
      const prefixTypes = await prefixTypesOf(db, request.filter);
      const range = await bounds(request);
      if (range === undefined || prefixTypes?.length === 0 || request.limit <= 0) return { entries: [], resumeAfter: undefined };
      const plan = planSearch(request.filter, prefixTypes);
      const { found, resumeAfter } = await scan({ plan, request, ...range }, startedMs);
      return { entries: await readByIndex(db, found), resumeAfter };
    },
    async findEvent(eventId): Promise<FoundEvent | undefined> {
      const sequenced = await findSequenced(db, eventId);
      if (sequenced !== undefined) return sequenced;
      const pending = await db.selectFrom('log_pending').select('entry').where('event_id', '=', eventId).executeTakeFirst();
      // Not pending either: it may have been sequenced between the two reads.
      return pending === undefined ? findSequenced(db, eventId) : { eventId, index: undefined, entry: pending.entry };
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
