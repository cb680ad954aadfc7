// The LedgerStore port over Kysely: one implementation for SQLite and PostgreSQL.
import { sql, type Expression, type ExpressionBuilder, type Kysely, type SqlBool } from 'kysely';
import { AppError } from '../shared/app-error.ts';
import type {
  LedgerStore,
  SequencedEntry,
  SequencingTransaction,
  StoredCheckpoint,
} from '../ledger/ledger-store.ts';
import type { TileCoord, TileData } from '../ledger/tiles.ts';
import { packEntryBlock } from '../ledger/entry-block.ts';
import type { BackendCapabilities, EntryBlockReader } from './dialects/capabilities.ts';
import { indexForSearch } from './event-search-index.ts';
import { createKyselyRemovedEntryReader } from './kysely-retention-store.ts';
import { insertPending } from './pending-insert.ts';
import type { Database } from './schema.ts';

type Executor = Kysely<Database>;

export { insertPending } from './pending-insert.ts';

const SEQS_PER_STATEMENT = 1000;
/** A batch whose seqs fall into more runs than this (many rolled-back appends) is moved by listing its seqs. */
const MAX_SEQ_RUNS = 16;

/** Pending rows to move in one statement: a run of consecutive seqs, or a list of them. */
type SeqPart = { kind: 'run'; first: number; last: number; count: number } | { kind: 'list'; seqs: readonly number[]; count: number };

/**
 * Splits ascending seqs into runs of consecutive values (usually one: seqs have gaps only where an append
 * rolled back). No other row can fall inside a run, since every seq in it is one of ours.
 */
function seqParts(seqs: readonly number[]): SeqPart[] {
  const runs: SeqPart[] = [];
  for (let at = 0; at < seqs.length; ) {
    let end = at;
    while (end + 1 < seqs.length && seqs[end + 1] === (seqs[end] ?? 0) + 1) end += 1;
    runs.push({ kind: 'run', first: seqs[at] ?? 0, last: seqs[end] ?? 0, count: end - at + 1 });
    at = end + 1;
  }
  if (runs.length <= MAX_SEQ_RUNS) return runs;
  return chunk(seqs, SEQS_PER_STATEMENT).map((part) => ({ kind: 'list', seqs: part, count: part.length }));
}

function seqsMatch(eb: ExpressionBuilder<Database, 'log_pending'>, part: SeqPart): Expression<SqlBool> {
  return part.kind === 'run' ? eb.between('seq', part.first, part.last) : eb('seq', 'in', part.seqs);
}

/** Copies the pending rows of `part` into log_entries at indices `firstIndex…`, in seq order; returns how many moved. */
async function movePending(trx: Executor, part: SeqPart, firstIndex: number): Promise<number> {
  const moved = await trx
    .insertInto('log_entries')
    .columns(['idx', 'event_id', 'event_time', 'event_type', 'actor_id', 'outcome', 'entry'])
    .expression(
      trx
        .selectFrom('log_pending')
        .select([
          sql<number>`cast(${firstIndex} as bigint) - 1 + row_number() over (order by seq)`.as('idx'),
          'event_id',
          'event_time',
          'event_type',
          'actor_id',
          'outcome',
          'entry',
        ])
        .where((eb) => seqsMatch(eb, part)),
    )
    .executeTakeFirst();
  return Number(moved.numInsertedOrUpdatedRows ?? -1);
}

function toBuffer(bytes: Uint8Array): Buffer {
  return Buffer.isBuffer(bytes) ? bytes : Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
}

function chunk<T>(items: readonly T[], size: number): T[][] {
  const chunks: T[][] = [];
  for (let i = 0; i < items.length; i += size) chunks.push(items.slice(i, i + size));
  return chunks;
}

function toCheckpoint(row: { size: number; root_hash: Buffer; note: string; created_at_ms: number }): StoredCheckpoint {
  return { size: row.size, rootHash: row.root_hash, note: row.note, createdAtMs: row.created_at_ms };
}

async function latestCheckpoint(db: Executor): Promise<StoredCheckpoint | undefined> {
  const row = await db.selectFrom('log_checkpoints').selectAll().orderBy('size', 'desc').limit(1).executeTakeFirst();
  return row === undefined ? undefined : toCheckpoint(row);
}

async function readTiles(db: Executor, coords: readonly TileCoord[]): Promise<TileData[]> {
  if (coords.length === 0) return [];
  const rows = await db
    .selectFrom('log_tiles')
    .select(['level', 'tile_index', 'hashes'])
    .where((eb) => eb.or(coords.map((c) => eb.and([eb('level', '=', c.level), eb('tile_index', '=', c.index)]))))
    .execute();
  return rows.map((r) => ({ level: r.level, index: r.tile_index, hashes: r.hashes }));
}

async function getMeta(db: Executor, key: string): Promise<string | undefined> {
  const row = await db.selectFrom('writ_meta').select('value').where('key', '=', key).executeTakeFirst();
  return row?.value;
}

function sequencingTransaction(trx: Executor): SequencingTransaction {
  return {
    latestCheckpoint: () => latestCheckpoint(trx),
    async readPendingLeaves(limit) {
      const rows = await trx.selectFrom('log_pending').select(['seq', 'leaf_hash']).orderBy('seq').limit(limit).execute();
      return rows.map((r) => ({ seq: r.seq, leafHash: r.leaf_hash }));
    },
    readTiles: (coords) => readTiles(trx, coords),
    getMeta: (key) => getMeta(trx, key),
    async setMeta(key, value) {
      await trx
        .insertInto('writ_meta')
        .values({ key, value })
        .onConflict((oc) => oc.column('key').doUpdateSet({ value }))
        .execute();
    },
    async integrate(batch) {
      let offset = 0;
      for (const part of seqParts(batch.seqs)) {
        const moved = await movePending(trx, part, batch.firstIndex + offset);
        if (moved !== part.count) {
          throw new AppError('ledger_inconsistent', `sequencing moved ${moved} entries, expected ${part.count}`);
        }
        await trx.deleteFrom('log_pending').where((eb) => seqsMatch(eb, part)).execute();
        offset += part.count;
      }
      await indexForSearch(trx, batch.firstIndex, batch.seqs.length);
      if (batch.tiles.length > 0) {
        // One statement for every changed tile (a round trip each cost PostgreSQL more than the rows).
        await trx
          .insertInto('log_tiles')
          .values(batch.tiles.map((tile) => ({ level: tile.level, tile_index: tile.index, hashes: toBuffer(tile.hashes) })))
          .onConflict((oc) => oc.columns(['level', 'tile_index']).doUpdateSet((eb) => ({ hashes: eb.ref('excluded.hashes') })))
          .execute();
      }
      const cp = batch.checkpoint;
      await trx
        .insertInto('log_checkpoints')
        .values({ size: cp.size, root_hash: toBuffer(cp.rootHash), note: cp.note, created_at_ms: cp.createdAtMs })
        .execute();
    },
  };
}

function toSequenced(row: { idx: number; event_id: string; entry: Buffer }): SequencedEntry {
  return { index: row.idx, eventId: row.event_id, entry: row.entry };
}

/** How checkpoints reach outsiders: as soon as they are signed, or once a witness quorum cosigned them (log_published). */
export type CheckpointPublication = 'signed' | 'witnessed';

async function latestPublished(db: Executor): Promise<StoredCheckpoint | undefined> {
  const row = await db.selectFrom('log_published').select(['size', 'root_hash', 'note', 'created_at_ms']).orderBy('size', 'desc').limit(1).executeTakeFirst();
  return row === undefined ? undefined : toCheckpoint(row);
}

async function publish(db: Executor, checkpoint: StoredCheckpoint, publishedAtMs: number): Promise<boolean> {
  return db.transaction().execute(async (trx) => {
    const newest = await latestPublished(trx);
    if (newest !== undefined && newest.size > checkpoint.size) return false;
    const row = { note: checkpoint.note, published_at_ms: publishedAtMs };
    await trx
      .insertInto('log_published')
      .values({ size: checkpoint.size, root_hash: toBuffer(checkpoint.rootHash), created_at_ms: checkpoint.createdAtMs, ...row })
      .onConflict((oc) => oc.column('size').doUpdateSet(row))
      .execute();
    return true;
  });
}

/**
 * Creates the LedgerStore over an opened database; `blockReader` (SQLite) reads whole-log blocks off the main thread.
 * `publication` says which checkpoint latestPublishedCheckpoint answers (default: the newest signed one).
 */
export function createKyselyLedgerStore(
  db: Kysely<Database>,
  caps: BackendCapabilities,
  blockReader?: EntryBlockReader,
  publication: CheckpointPublication = 'signed',
): LedgerStore {
  const readEntries = async (fromIndex: number, toIndex: number): Promise<SequencedEntry[]> => {
    const rows = await db
      .selectFrom('log_entries')
      .select(['idx', 'event_id', 'entry'])
      .where('idx', '>=', fromIndex)
      .where('idx', '<', toIndex)
      .orderBy('idx')
      .execute();
    return rows.map(toSequenced);
  };
  return {
    async appendPending(entries) {
      if (entries.length === 0) return;
      await db.transaction().execute(async (trx) => {
        await insertPending(trx, entries, caps);
      }).catch((error: unknown) => {
        if (caps.isUniqueViolation(error)) {
          throw new AppError('conflict', 'an event with this id is already in the log: event ids must be unique', { cause: error });
        }
        throw error;
      });
    },
    async sequence(work) {
      return db
        .transaction()
        .execute(async (trx) => ((await caps.tryLockSequencer(trx)) ? work(sequencingTransaction(trx)) : undefined));
    },
    latestCheckpoint: () => latestCheckpoint(db),
    latestPublishedCheckpoint: () => (publication === 'witnessed' ? latestPublished(db) : latestCheckpoint(db)),
    publishCheckpoint: (checkpoint, publishedAtMs) => publish(db, checkpoint, publishedAtMs),
    async readCheckpoints(fromSize, toSize, limit) {
      const rows = await db
        .selectFrom('log_checkpoints')
        .selectAll()
        .where('size', '>=', fromSize)
        .where('size', '<', toSize)
        .orderBy('size')
        .limit(limit)
        .execute();
      return rows.map(toCheckpoint);
    },
    readTiles: (coords) => readTiles(db, coords),
    async readTileRange(level, fromIndex, toIndex) {
      const rows = await db
        .selectFrom('log_tiles')
        .select(['level', 'tile_index', 'hashes'])
        .where('level', '=', level)
        .where('tile_index', '>=', fromIndex)
        .where('tile_index', '<', toIndex)
        .orderBy('tile_index')
        .execute();
      return rows.map((r) => ({ level: r.level, index: r.tile_index, hashes: r.hashes }));
    },
    readEntries,
    async readEntryBlock(fromIndex, toIndex, reuse) {
      if (blockReader !== undefined) return blockReader.read(fromIndex, toIndex, reuse);
      return packEntryBlock(await readEntries(fromIndex, toIndex), fromIndex, toIndex, reuse);
    },
    async readRecentEntries(beforeIndex, limit) {
      const rows = await db
        .selectFrom('log_entries')
        .select(['idx', 'event_id', 'entry'])
        .where('idx', '<', beforeIndex)
        .orderBy('idx', 'desc')
        .limit(limit)
        .execute();
      return rows.map(toSequenced);
    },
    async readPersonal(eventIds) {
      const found = new Map<string, { salt: Uint8Array; value: Uint8Array }>();
      for (const part of chunk(eventIds, 1000)) {
        if (part.length === 0) continue;
        const rows = await db.selectFrom('log_personal').selectAll().where('event_id', 'in', part).execute();
        for (const r of rows) found.set(r.event_id, { salt: r.salt, value: r.value });
      }
      return found;
    },
    async countPending() {
      const row = await db.selectFrom('log_pending').select((eb) => eb.fn.countAll<number | string>().as('n')).executeTakeFirst();
      return Number(row?.n ?? 0);
    },
    async entryStats() {
      const row = await db
        .selectFrom('log_entries')
        .select((eb) => [eb.fn.countAll<number | string>().as('n'), eb.fn.max<number | string | null>('idx').as('max_idx')])
        .executeTakeFirst();
      const maxIndex = row?.max_idx;
      return { count: Number(row?.n ?? 0), maxIndex: maxIndex === null || maxIndex === undefined ? undefined : Number(maxIndex) };
    },
    getMeta: (key) => getMeta(db, key),
    removed: createKyselyRemovedEntryReader(db),
  };
}
