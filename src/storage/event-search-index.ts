// Writes the search rows of newly sequenced entries (targets, request and grant ids, reason, time blocks) in the sequencing transaction.
import type { Kysely } from 'kysely';
import { isPlainObject } from '../events/bounded-json.ts';
import type { Database } from './schema.ts';
import type { LogEventSearchTable, LogEventTargetsTable, LogTimeBlocksTable } from './schema-event-search.ts';

/** Indices per time block: a time filter skips a block whose earliest and latest times miss the range. */
export const TIME_BLOCK_ENTRIES = 1024;
const ROWS_PER_INSERT = 1000;
const BACKFILL_CHUNK = 4096;
/** Column bounds; an entry over them (not one prepareEvent makes) is left out of that column's search rather than failing sequencing. */
const MAX_KIND = 64;
const MAX_ID = 256;
const MAX_CONTEXT_ID = 128;

export interface SearchRows {
  readonly search: LogEventSearchTable[];
  readonly targets: LogEventTargetsTable[];
}

function boundedText(value: unknown, maxLength: number): string | null {
  return typeof value === 'string' && value.length > 0 && value.length <= maxLength ? value : null;
}

function parseEntry(entry: Uint8Array): Record<string, unknown> | undefined {
  try {
    const parsed: unknown = JSON.parse(Buffer.from(entry.buffer, entry.byteOffset, entry.byteLength).toString('utf8'));
    return isPlainObject(parsed) ? parsed : undefined;
  } catch {
    return undefined;
  }
}

function targetRows(idx: number, targets: unknown): LogEventTargetsTable[] {
  if (!Array.isArray(targets)) return [];
  const seen = new Set<string>();
  const rows: LogEventTargetsTable[] = [];
  for (const target of targets as unknown[]) {
    if (!isPlainObject(target)) continue;
    const kind = boundedText(target.kind, MAX_KIND);
    const id = boundedText(target.id, MAX_ID);
    const key = JSON.stringify([kind, id]);
    if (kind === null || id === null || seen.has(key)) continue;
    seen.add(key);
    rows.push({ target_kind: kind, target_id: id, idx });
  }
  return rows;
}

/**
 * The search rows of one entry; an entry that is not a JSON object (or has nothing to search) gives none.
 * @example searchRowsOf(7, bytes) // { search: [{ idx: 7, request_id: 'req-1', grant_id: null, reason_folded: 'ticket ops-1' }], targets: [...] }
 */
export function searchRowsOf(idx: number, entry: Uint8Array): SearchRows {
  const event = parseEntry(entry);
  if (event === undefined) return { search: [], targets: [] };
  const context = isPlainObject(event.context) ? event.context : {};
  const requestId = boundedText(context.requestId, MAX_CONTEXT_ID);
  const grantId = boundedText(context.grantId, MAX_CONTEXT_ID);
  const reason = typeof event.reason === 'string' && event.reason !== '' ? event.reason.toLowerCase() : null;
  const search = requestId === null && grantId === null && reason === null ? [] : [{ idx, request_id: requestId, grant_id: grantId, reason_folded: reason }];
  return { search, targets: targetRows(idx, event.targets) };
}

async function insertRows<T extends 'log_event_search' | 'log_event_targets'>(db: Kysely<Database>, table: T, rows: readonly Database[T][]): Promise<void> {
  for (let at = 0; at < rows.length; at += ROWS_PER_INSERT) {
    await db.insertInto(table).values(rows.slice(at, at + ROWS_PER_INSERT) as never).execute();
  }
}

/** Widens each touched block's time span by the new entries (merging with what the block already holds). */
async function updateTimeBlocks(db: Kysely<Database>, entries: readonly { idx: number; event_time: string }[]): Promise<void> {
  const blocks = new Map<number, LogTimeBlocksTable>();
  for (const { idx, event_time: time } of entries) {
    const blockIndex = Math.floor(idx / TIME_BLOCK_ENTRIES);
    const block = blocks.get(blockIndex);
    if (block === undefined) blocks.set(blockIndex, { block_index: blockIndex, min_time: time, max_time: time });
    else {
      if (time < block.min_time) block.min_time = time;
      if (time > block.max_time) block.max_time = time;
    }
  }
  if (blocks.size === 0) return;
  const stored = await db.selectFrom('log_time_blocks').selectAll().where('block_index', 'in', [...blocks.keys()]).execute();
  for (const old of stored) {
    const block = blocks.get(old.block_index);
    if (block === undefined) continue;
    if (old.min_time < block.min_time) block.min_time = old.min_time;
    if (old.max_time > block.max_time) block.max_time = old.max_time;
  }
  for (const block of blocks.values()) {
    await db
      .insertInto('log_time_blocks')
      .values(block)
      .onConflict((oc) => oc.column('block_index').doUpdateSet({ min_time: block.min_time, max_time: block.max_time }))
      .execute();
  }
}

/**
 * Indexes the entries with index in [firstIndex, firstIndex + count) for search; call it in the transaction that
 * sequenced them, so the log and its search rows commit (or roll back) together.
 * @example await indexForSearch(trx, batch.firstIndex, batch.seqs.length)
 */
export async function indexForSearch(db: Kysely<Database>, firstIndex: number, count: number): Promise<void> {
  if (count === 0) return;
  const entries = await db
    .selectFrom('log_entries')
    .select(['idx', 'event_time', 'entry'])
    .where('idx', '>=', firstIndex)
    .where('idx', '<', firstIndex + count)
    .execute();
  const search: LogEventSearchTable[] = [];
  const targets: LogEventTargetsTable[] = [];
  for (const row of entries) {
    const rows = searchRowsOf(row.idx, row.entry);
    search.push(...rows.search);
    targets.push(...rows.targets);
  }
  await insertRows(db, 'log_event_search', search);
  await insertRows(db, 'log_event_targets', targets);
  await updateTimeBlocks(db, entries);
}

/** Indexes every entry already in the log (the migration that adds search runs it once). */
export async function backfillSearch(db: Kysely<Database>): Promise<void> {
  const row = await db.selectFrom('log_entries').select((eb) => eb.fn.max<number | string | null>('idx').as('max_idx')).executeTakeFirst();
  const end = row?.max_idx === null || row?.max_idx === undefined ? 0 : Number(row.max_idx) + 1;
  for (let first = 0; first < end; first += BACKFILL_CHUNK) await indexForSearch(db, first, Math.min(BACKFILL_CHUNK, end - first));
}
