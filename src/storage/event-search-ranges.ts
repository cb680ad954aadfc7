// The index ranges a search walks, in scan order: fixed spans of the log, or, with a time filter, only the time blocks that may
// match, marking the blocks wholly inside the time range so their rows need no time check.
import type { Kysely } from 'kysely';
import type { EventFilter, EventOrder } from '../events/event-search.ts';
import { TIME_BLOCK_ENTRIES } from './event-search-index.ts';
import type { IndexRange } from './event-search-sql.ts';
import type { Database } from './schema.ts';

/** Time blocks read per query by default; more are read when the walk passes them. */
export const BLOCKS_PER_READ = 1024;

/** A range to search; `inTime` when every event in it is inside the filter's time range, so no row needs a time check. */
export interface SearchRange extends IndexRange {
  readonly inTime: boolean;
}

export interface RangeSource {
  /** The next range to search at or beyond `position` (in scan order), at most `span` long; undefined at the end. */
  next(position: number, span: number): Promise<SearchRange | undefined>;
}

/** Where a walk goes: from `first` toward `last` (inclusive), downward when `order` is desc. */
export interface Walk {
  readonly order: EventOrder;
  readonly first: number;
  readonly last: number;
}

function spanSource(walk: Walk): RangeSource {
  return {
    next(position, span) {
      if (walk.order === 'desc') return Promise.resolve(position < walk.last ? undefined : { lo: Math.max(walk.last, position - span + 1), hi: position, inTime: true });
      return Promise.resolve(position > walk.last ? undefined : { lo: position, hi: Math.min(walk.last, position + span - 1), inTime: true });
    },
  };
}

interface CandidateBlock {
  readonly block: number;
  readonly inTime: boolean;
}

/** Runs of consecutive candidate blocks (alike in `inTime`) as index ranges, in scan order. */
function runsOf(blocks: readonly CandidateBlock[], walk: Walk): SearchRange[] {
  const runs: { lo: number; hi: number; inTime: boolean }[] = [];
  for (const { block, inTime } of [...blocks].sort((a, b) => a.block - b.block)) {
    const lo = Math.max(Math.min(walk.first, walk.last), block * TIME_BLOCK_ENTRIES);
    const hi = Math.min(Math.max(walk.first, walk.last), (block + 1) * TIME_BLOCK_ENTRIES - 1);
    const previous = runs[runs.length - 1];
    if (previous?.hi === lo - 1 && previous.inTime === inTime) previous.hi = hi;
    else runs.push({ lo, hi, inTime });
  }
  return walk.order === 'asc' ? runs : runs.reverse();
}

/** Reads the blocks whose time span meets the filter's, from `position` on in scan order. */
async function candidateBlocks(db: Kysely<Database>, filter: EventFilter, walk: Walk, position: number, limit: number): Promise<CandidateBlock[]> {
  const [from, to] = walk.order === 'desc' ? [walk.last, position] : [position, walk.last];
  let query = db
    .selectFrom('log_time_blocks')
    .select(['block_index', 'min_time', 'max_time'])
    .where('block_index', '>=', Math.floor(from / TIME_BLOCK_ENTRIES))
    .where('block_index', '<=', Math.floor(to / TIME_BLOCK_ENTRIES));
  if (filter.fromTime !== undefined) query = query.where('max_time', '>=', filter.fromTime);
  if (filter.toTime !== undefined) query = query.where('min_time', '<', filter.toTime);
  const rows = await query.orderBy('block_index', walk.order).limit(limit).execute();
  const { fromTime, toTime } = filter;
  return rows.map((row) => ({
    block: row.block_index,
    inTime: (fromTime === undefined || row.min_time >= fromTime) && (toTime === undefined || row.max_time < toTime),
  }));
}

function blockSource(db: Kysely<Database>, filter: EventFilter, walk: Walk, blocksPerRead: number): RangeSource {
  let runs: SearchRange[] = [];
  let more = true;
  const beyond = (position: number, run: SearchRange): boolean => (walk.order === 'desc' ? run.lo > position : run.hi < position);
  return {
    async next(position, span) {
      for (;;) {
        while (runs[0] !== undefined && beyond(position, runs[0])) runs.shift();
        const run = runs[0];
        if (run !== undefined) {
          if (walk.order === 'desc') {
            const hi = Math.min(run.hi, position);
            return { lo: Math.max(run.lo, hi - span + 1), hi, inTime: run.inTime };
          }
          const lo = Math.max(run.lo, position);
          return { lo, hi: Math.min(run.hi, lo + span - 1), inTime: run.inTime };
        }
        if (!more) return undefined;
        const blocks = await candidateBlocks(db, filter, walk, position, blocksPerRead);
        more = blocks.length === blocksPerRead;
        runs = runsOf(blocks, walk);
        if (runs.length === 0) return undefined;
      }
    },
  };
}

/**
 * The ranges to walk: the whole log in spans, or with a time filter only the blocks that may hold a match.
 * @example await rangeSource(db, { fromTime }, { order: 'desc', first: 999_999, last: 0 }).next(999_999, 16_384)
 */
export function rangeSource(db: Kysely<Database>, filter: EventFilter, walk: Walk, blocksPerRead = BLOCKS_PER_READ): RangeSource {
  return filter.fromTime === undefined && filter.toTime === undefined ? spanSource(walk) : blockSource(db, filter, walk, blocksPerRead);
}
