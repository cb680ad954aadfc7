// The Kysely RetentionStore: windows from the time blocks, removal of entry content in audited batches, legal holds.
import type { Kysely } from 'kysely';
import type { HoldScope, LegalHold } from '../ledger/legal-holds.ts';
import type { RetentionCandidate } from '../ledger/retention-decision.ts';
import type { IndexWindow, RemovedEntryReader, RetentionStore } from '../ledger/retention-store.ts';
import type { AuditedTransactions } from './audited-transaction.ts';
import { searchRowsOf, TIME_BLOCK_ENTRIES } from './event-search-index.ts';
import type { Database } from './schema.ts';
import type { RetentionHoldsTable } from './schema-retention.ts';

const IN_LIST = 1000;

function chunk<T>(items: readonly T[], size: number): T[][] {
  const chunks: T[][] = [];
  for (let i = 0; i < items.length; i += size) chunks.push(items.slice(i, i + size));
  return chunks;
}

function scopeOf(row: RetentionHoldsTable): HoldScope {
  if (row.kind === 'subject') return { kind: 'subject', subjectId: row.subject_id ?? '' };
  if (row.kind === 'resource') return { kind: 'resource', resourceId: row.resource_id ?? '' };
  return { kind: 'time', from: row.from_time ?? '', to: row.to_time ?? '' };
}

function toHold(row: RetentionHoldsTable): LegalHold {
  const released = row.released_at_ms === null ? undefined : { by: row.released_by ?? '', atMs: row.released_at_ms, reason: row.release_reason ?? '' };
  return { id: row.id, scope: scopeOf(row), reason: row.reason, placedBy: row.placed_by, placedAtMs: row.placed_at_ms, released };
}

function toRow(hold: LegalHold): RetentionHoldsTable {
  const scope = hold.scope;
  return {
    id: hold.id,
    kind: scope.kind,
    subject_id: scope.kind === 'subject' ? scope.subjectId : null,
    resource_id: scope.kind === 'resource' ? scope.resourceId : null,
    from_time: scope.kind === 'time' ? scope.from : null,
    to_time: scope.kind === 'time' ? scope.to : null,
    reason: hold.reason,
    placed_by: hold.placedBy,
    placed_at_ms: hold.placedAtMs,
    released_by: null,
    released_at_ms: null,
    release_reason: null,
  };
}

/**
 * Serialises retention batches and hold changes across processes: each writes this one row first, so on PostgreSQL a
 * second one waits for the first to commit, then reads what it left (no entry removed twice, no hold missed).
 */
async function lockRetention(trx: Kysely<Database>, nowMs: number): Promise<void> {
  const value = String(nowMs);
  await trx.insertInto('writ_meta').values({ key: 'retention.lock', value }).onConflict((oc) => oc.column('key').doUpdateSet({ value })).execute();
}

async function activeHolds(db: Kysely<Database>): Promise<LegalHold[]> {
  return (await db.selectFrom('retention_holds').selectAll().where('released_at_ms', 'is', null).orderBy('placed_at_ms').execute()).map(toHold);
}

/** The window's entries older than `before`, with the targets their bytes name. */
async function readCandidates(db: Kysely<Database>, window: IndexWindow, before: string): Promise<RetentionCandidate[]> {
  const rows = await db
    .selectFrom('log_entries')
    .select(['idx', 'event_id', 'event_type', 'event_time', 'actor_id', 'entry'])
    .where('idx', '>=', window.from)
    .where('idx', '<', window.to)
    .where('event_time', '<', before)
    .orderBy('idx')
    .execute();
  return rows.map((row) => ({
    index: row.idx,
    eventId: row.event_id,
    type: row.event_type,
    time: row.event_time,
    actorId: row.actor_id,
    targets: searchRowsOf(row.idx, row.entry).targets.map((t) => ({ kind: t.target_kind, id: t.target_id })),
  }));
}

/** Removes the content of `entries` (bytes, personal part, search rows), keeping a stub of each. */
async function removeContent(trx: Kysely<Database>, entries: readonly RetentionCandidate[], nowMs: number): Promise<void> {
  for (const part of chunk(entries, IN_LIST)) {
    const indices = part.map((e) => e.index);
    await trx.insertInto('log_removed_entries').values(part.map((e) => ({ idx: e.index, event_id: e.eventId, removed_at_ms: nowMs }))).execute();
    await trx.deleteFrom('log_personal').where('event_id', 'in', part.map((e) => e.eventId)).execute();
    await trx.deleteFrom('log_event_search').where('idx', 'in', indices).execute();
    const byTarget = new Map<string, { kind: string; id: string; indices: number[] }>();
    for (const entry of part) {
      for (const target of entry.targets) {
        const key = JSON.stringify([target.kind, target.id]);
        const found = byTarget.get(key) ?? { kind: target.kind, id: target.id, indices: [] };
        found.indices.push(entry.index);
        byTarget.set(key, found);
      }
    }
    for (const target of byTarget.values()) {
      await trx.deleteFrom('log_event_targets').where('target_kind', '=', target.kind).where('target_id', '=', target.id).where('idx', 'in', target.indices).execute();
    }
    await trx.deleteFrom('log_entries').where('idx', 'in', indices).execute();
  }
}

/** @example createKyselyRetentionStore(db, transactions, clock.nowMs) */
export function createKyselyRetentionStore(db: Kysely<Database>, transactions: AuditedTransactions, nowMs: () => number): RetentionStore {
  return {
    async windowsBefore(before, size, fromIndex, limit) {
      const blocks = await db
        .selectFrom('log_time_blocks')
        .select('block_index')
        .where('min_time', '<', before)
        .where('block_index', '>=', Math.floor(fromIndex / TIME_BLOCK_ENTRIES))
        .orderBy('block_index')
        .limit(Math.ceil((limit * size) / TIME_BLOCK_ENTRIES) + 2)
        .execute();
      // Consecutive blocks make one span, cut into windows of `size`, so a window rarely ends short at a block's edge.
      const spans: { from: number; to: number }[] = [];
      for (const { block_index: block } of blocks) {
        const span = { from: Math.max(fromIndex, block * TIME_BLOCK_ENTRIES), to: (block + 1) * TIME_BLOCK_ENTRIES };
        const last = spans[spans.length - 1];
        if (last !== undefined && last.to === span.from) last.to = span.to;
        else spans.push(span);
      }
      const windows: IndexWindow[] = [];
      for (const span of spans) {
        for (let from = span.from; from < span.to && windows.length < limit; from += size) windows.push({ from, to: Math.min(from + size, span.to) });
      }
      return windows;
    },
    async removeInWindow(window, before, decide, record) {
      if (record === undefined) {
        const decision = decide(await readCandidates(db, window, before), await activeHolds(db));
        return { ...decision, window };
      }
      return transactions.run(async (trx, ledger) => {
        await lockRetention(trx, nowMs());
        const decision = decide(await readCandidates(trx, window, before), await activeHolds(trx));
        const result = { ...decision, window };
        if (decision.remove.length === 0) return result;
        await removeContent(trx, decision.remove, nowMs());
        await ledger.appendPending([record(result)]);
        return result;
      });
    },
    async record(entry) {
      await transactions.run((_trx, ledger) => ledger.appendPending([entry]));
    },
    async placeHold(hold, record) {
      await transactions.run(async (trx, ledger) => {
        await lockRetention(trx, nowMs());
        await trx.insertInto('retention_holds').values(toRow(hold)).execute();
        await ledger.appendPending([record]);
      });
    },
    async releaseHold(id, release, record) {
      return transactions.run(async (trx, ledger) => {
        await lockRetention(trx, nowMs());
        const row = await trx.selectFrom('retention_holds').selectAll().where('id', '=', id).executeTakeFirst();
        if (row === undefined) return undefined;
        const hold = toHold(row);
        if (hold.released !== undefined) return hold;
        const updated = await trx
          .updateTable('retention_holds')
          .set({ released_by: release.by, released_at_ms: release.atMs, release_reason: release.reason })
          .where('id', '=', id)
          .where('released_at_ms', 'is', null)
          .executeTakeFirst();
        if (Number(updated.numUpdatedRows) !== 1) return toHold((await trx.selectFrom('retention_holds').selectAll().where('id', '=', id).executeTakeFirstOrThrow()));
        const released = { ...hold, released: release };
        await ledger.appendPending([record(released)]);
        return released;
      });
    },
    async listHolds(includeReleased, limit) {
      let query = db.selectFrom('retention_holds').selectAll().orderBy('placed_at_ms', 'desc').orderBy('id').limit(limit);
      if (!includeReleased) query = query.where('released_at_ms', 'is', null);
      return (await query.execute()).map(toHold);
    },
    async removalSummary() {
      const row = await db
        .selectFrom('log_removed_entries')
        .select((eb) => [eb.fn.countAll<number | string>().as('n'), eb.fn.max<number | string | null>('idx').as('max_idx')])
        .executeTakeFirst();
      const max = row?.max_idx;
      return { removedCount: Number(row?.n ?? 0), floor: max === null || max === undefined ? 0 : Number(max) + 1 };
    },
  };
}

/** @example createKyselyRemovedEntryReader(db).floor() // 0 on a log retention never touched */
export function createKyselyRemovedEntryReader(db: Kysely<Database>): RemovedEntryReader {
  return {
    async readRemovedRanges(fromIndex, toIndex) {
      const rows = await db.selectFrom('log_removed_entries').select('idx').where('idx', '>=', fromIndex).where('idx', '<', toIndex).orderBy('idx').execute();
      const windows: { from: number; to: number }[] = [];
      for (const { idx } of rows) {
        const index = idx;
        const last = windows[windows.length - 1];
        if (last !== undefined && last.to === index) last.to = index + 1;
        else windows.push({ from: index, to: index + 1 });
      }
      return windows;
    },
    async findRemoved(eventId) {
      const row = await db.selectFrom('log_removed_entries').selectAll().where('event_id', '=', eventId).executeTakeFirst();
      return row === undefined ? undefined : { index: row.idx, eventId: row.event_id, removedAtMs: row.removed_at_ms };
    },
    async floor() {
      const row = await db.selectFrom('log_removed_entries').select((eb) => eb.fn.max<number | string | null>('idx').as('max_idx')).executeTakeFirst();
      const max = row?.max_idx;
      return max === null || max === undefined ? 0 : Number(max) + 1;
    },
  };
}
