// The LedgerStore port over Kysely: one implementation for SQLite and PostgreSQL.
import { sql, type Kysely } from 'kysely';
import { AppError } from '../shared/app-error.ts';
import type {
  LedgerStore,
  PendingEntry,
  SequencedEntry,
  SequencingTransaction,
  StoredCheckpoint,
} from '../ledger/ledger-store.ts';
import type { TileCoord, TileData } from '../ledger/tiles.ts';
import type { BackendCapabilities } from './dialects/capabilities.ts';
import { indexForSearch } from './event-search-index.ts';
import type { Database } from './schema.ts';

type Executor = Kysely<Database>;

const SEQS_PER_STATEMENT = 1000;

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
      for (const seqs of chunk(batch.seqs, SEQS_PER_STATEMENT)) {
        const moved = await trx
          .insertInto('log_entries')
          .columns(['idx', 'event_id', 'event_time', 'event_type', 'actor_id', 'outcome', 'entry'])
          .expression(
            trx
              .selectFrom('log_pending')
              .select([
                sql<number>`cast(${batch.firstIndex + offset} as bigint) - 1 + row_number() over (order by seq)`.as('idx'),
                'event_id',
                'event_time',
                'event_type',
                'actor_id',
                'outcome',
                'entry',
              ])
              .where('seq', 'in', seqs),
          )
          .executeTakeFirst();
        if (Number(moved.numInsertedOrUpdatedRows ?? -1) !== seqs.length) {
          throw new AppError('ledger_inconsistent', `sequencing moved ${String(moved.numInsertedOrUpdatedRows)} entries, expected ${seqs.length}`);
        }
        await trx.deleteFrom('log_pending').where('seq', 'in', seqs).execute();
        offset += seqs.length;
      }
      await indexForSearch(trx, batch.firstIndex, batch.seqs.length);
      for (const tile of batch.tiles) {
        const hashes = toBuffer(tile.hashes);
        await trx
          .insertInto('log_tiles')
          .values({ level: tile.level, tile_index: tile.index, hashes })
          .onConflict((oc) => oc.columns(['level', 'tile_index']).doUpdateSet({ hashes }))
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

/** Creates the LedgerStore over an opened database. */
export function createKyselyLedgerStore(db: Kysely<Database>, caps: BackendCapabilities): LedgerStore {
  return {
    async appendPending(entries) {
      if (entries.length === 0) return;
      await db.transaction().execute(async (trx) => {
        await insertPending(trx, entries, caps.maxParameters);
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
    async readEntries(fromIndex, toIndex) {
      const rows = await db
        .selectFrom('log_entries')
        .select(['idx', 'event_id', 'entry'])
        .where('idx', '>=', fromIndex)
        .where('idx', '<', toIndex)
        .orderBy('idx')
        .execute();
      return rows.map(toSequenced);
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
  };
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

/** Inserts entries as pending inside `trx`, refusing an event id that is already in the log. */
export async function insertPending(trx: Executor, entries: readonly PendingEntry[], maxParameters: number): Promise<void> {
  for (const part of chunk(entries, Math.floor(maxParameters / 8))) {
    await trx.insertInto('log_pending').values(part.map(pendingRow)).execute();
    // After the insert, so a concurrent sequencer that moved the same id has committed by now (PostgreSQL).
    const clash = await trx
      .selectFrom('log_entries')
      .select('event_id')
      .where('event_id', 'in', part.map((e) => e.eventId))
      .limit(1)
      .executeTakeFirst();
    if (clash !== undefined) {
      throw new AppError('conflict', `an event with id "${clash.event_id}" is already in the log: event ids must be unique`);
    }
  }
  const personal = entries.flatMap((e) => (e.personal === undefined ? [] : [{ event_id: e.eventId, salt: toBuffer(e.personal.salt), value: toBuffer(e.personal.value) }]));
  for (const part of chunk(personal, Math.floor(maxParameters / 3))) {
    await trx.insertInto('log_personal').values(part).execute();
  }
}
