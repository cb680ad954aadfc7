// How one event search runs in SQL: the index that drives it in log order, the checks on each candidate, the query for one index range.
import { sql, type Kysely, type RawBuilder } from 'kysely';
import type { EventFilter, EventOrder } from '../events/event-search.ts';
import type { Database } from './schema.ts';

type Table = 'log_entries' | 'log_event_targets' | 'log_event_search';
type Condition = RawBuilder<unknown>;

/** Most types one prefix may drive a search by (one index walk each); beyond, the prefix is checked per candidate. */
export const MAX_DRIVING_TYPES = 32;

/**
 * The tables a search reads, aliased `d` (the driving table, walked in index order through `keys`), `e` (log_entries)
 * and `s` (log_event_search). Several key lists (one per type of a prefix) are walked separately and merged.
 */
export interface SearchPlan {
  readonly driving: Table;
  readonly keys: readonly (readonly Condition[])[];
  readonly residual: readonly Condition[];
  readonly joinEntries: boolean;
  readonly joinSearch: boolean;
}

/** An inclusive range of log indices. */
export interface IndexRange {
  readonly lo: number;
  readonly hi: number;
}

/** `%`, `_` and the escape character itself, escaped for `like … escape '\'`. */
export function escapeLike(text: string): string {
  return text.replace(/[\\%_]/g, (c) => `\\${c}`);
}

function drivingOf(filter: EventFilter, prefixTypes: readonly string[] | undefined): { table: Table; keys: (keyof EventFilter)[] } {
  if (filter.target !== undefined) return { table: 'log_event_targets', keys: ['target'] };
  if (filter.requestId !== undefined) return { table: 'log_event_search', keys: ['requestId'] };
  if (filter.grantId !== undefined) return { table: 'log_event_search', keys: ['grantId'] };
  if (filter.actorId !== undefined) return { table: 'log_entries', keys: ['actorId'] };
  if (filter.type?.kind === 'exact') return { table: 'log_entries', keys: ['type'] };
  if (filter.type?.kind === 'prefix' && prefixTypes !== undefined && prefixTypes.length <= MAX_DRIVING_TYPES) return { table: 'log_entries', keys: ['type'] };
  if (filter.outcome !== undefined) return { table: 'log_entries', keys: ['outcome'] };
  if (filter.reasonContains !== undefined) return { table: 'log_event_search', keys: [] };
  return { table: 'log_entries', keys: [] };
}

/** A column of `table` as the query names it; on the driving table a checked column is wrapped so no other index drives. */
function column(plan: { driving: Table }, table: Table, name: string, checked: boolean): RawBuilder<unknown> {
  const alias = table === plan.driving ? 'd' : table === 'log_entries' ? 'e' : 's';
  const ref = sql.ref(`${alias}.${name}`);
  return checked && table === plan.driving ? sql`(${ref} || '')` : ref;
}

function typeChecks(plan: { driving: Table }, filter: EventFilter, prefixTypes: readonly string[] | undefined): Condition[] {
  const type = filter.type;
  if (type === undefined) return [];
  const ref = column(plan, 'log_entries', 'event_type', true);
  if (type.kind === 'exact') return [sql`${ref} = ${type.type}`];
  if (prefixTypes !== undefined) return [sql`${ref} in (${sql.join(prefixTypes)})`];
  return [sql`${ref} like ${`${escapeLike(type.prefix)}%`} escape '\\'`];
}

/** The checks of every filter the driving index does not answer. */
function residualOf(plan: { driving: Table }, filter: EventFilter, driven: ReadonlySet<keyof EventFilter>, prefixTypes: readonly string[] | undefined): Condition[] {
  const checks: Condition[] = [];
  const entries = (name: string): RawBuilder<unknown> => column(plan, 'log_entries', name, true);
  const search = (name: string): RawBuilder<unknown> => column(plan, 'log_event_search', name, true);
  if (filter.fromTime !== undefined) checks.push(sql`${entries('event_time')} >= ${filter.fromTime}`);
  if (filter.toTime !== undefined) checks.push(sql`${entries('event_time')} < ${filter.toTime}`);
  if (filter.actorId !== undefined && !driven.has('actorId')) checks.push(sql`${entries('actor_id')} = ${filter.actorId}`);
  if (!driven.has('type')) checks.push(...typeChecks(plan, filter, prefixTypes));
  if (filter.outcome !== undefined && !driven.has('outcome')) checks.push(sql`${entries('outcome')} = ${filter.outcome}`);
  if (filter.requestId !== undefined && !driven.has('requestId')) checks.push(sql`${search('request_id')} = ${filter.requestId}`);
  if (filter.grantId !== undefined && !driven.has('grantId')) checks.push(sql`${search('grant_id')} = ${filter.grantId}`);
  if (filter.reasonContains !== undefined) {
    checks.push(sql`${search('reason_folded')} like ${`%${escapeLike(filter.reasonContains.toLowerCase())}%`} escape '\\'`);
  }
  return checks;
}

function keysOf(filter: EventFilter, driven: keyof EventFilter | undefined, prefixTypes: readonly string[] | undefined): Condition[][] {
  const d = (name: string): RawBuilder<unknown> => sql.ref(`d.${name}`);
  switch (driven) {
    case 'target':
      return filter.target === undefined ? [[]] : [[sql`${d('target_kind')} = ${filter.target.kind}`, sql`${d('target_id')} = ${filter.target.id}`]];
    case 'requestId':
      return [[sql`${d('request_id')} = ${filter.requestId}`]];
    case 'grantId':
      return [[sql`${d('grant_id')} = ${filter.grantId}`]];
    case 'actorId':
      return [[sql`${d('actor_id')} = ${filter.actorId}`]];
    case 'outcome':
      return [[sql`${d('outcome')} = ${filter.outcome}`]];
    case 'type':
      if (filter.type?.kind === 'exact') return [[sql`${d('event_type')} = ${filter.type.type}`]];
      return (prefixTypes ?? []).map((type) => [sql`${d('event_type')} = ${type}`]);
    default:
      return [[]];
  }
}

/**
 * Plans a search. `prefixTypes` are the stored types a prefix filter matches, or undefined when there are too many to list.
 * @example planSearch({ actorId: 'alice', outcome: 'denied' }, undefined) // driven by (actor_id, idx), outcome checked per row
 */
export function planSearch(filter: EventFilter, prefixTypes: readonly string[] | undefined): SearchPlan {
  const choice = drivingOf(filter, prefixTypes);
  const plan = { driving: choice.table };
  const driven = new Set(choice.keys);
  const residual = residualOf(plan, filter, driven, prefixTypes);
  const usesEntries = filter.fromTime !== undefined || filter.toTime !== undefined || filter.actorId !== undefined || filter.type !== undefined || filter.outcome !== undefined;
  const usesSearch = filter.requestId !== undefined || filter.grantId !== undefined || filter.reasonContains !== undefined;
  return {
    driving: choice.table,
    keys: keysOf(filter, choice.keys[0], prefixTypes),
    residual,
    joinEntries: choice.table !== 'log_entries' && usesEntries,
    joinSearch: choice.table !== 'log_event_search' && usesSearch,
  };
}

function rangeQuery(plan: SearchPlan, keys: readonly Condition[], range: IndexRange, order: EventOrder, limit: number): RawBuilder<unknown> {
  const joins: Condition[] = [];
  const conditions: Condition[] = [...keys, sql`d.idx >= ${range.lo}`, sql`d.idx <= ${range.hi}`];
  if (plan.joinEntries) {
    joins.push(sql` cross join log_entries as e`);
    conditions.push(sql`e.idx = d.idx`);
  }
  if (plan.joinSearch) {
    joins.push(sql` cross join log_event_search as s`);
    conditions.push(sql`s.idx = d.idx`);
  }
  conditions.push(...plan.residual);
  // CROSS JOIN keeps the driving table outermost on SQLite; PostgreSQL plans it as an inner join.
  return sql`select d.idx as idx from ${sql.table(plan.driving)} as d${sql.join(joins, sql``)} where ${sql.join(conditions, sql` and `)} order by d.idx ${sql.raw(order)} limit ${limit}`;
}

/**
 * The indices in `range` that match, in `order`, at most `limit` of them.
 * @example await matchingIndices(db, plan, { lo: 0, hi: 65_535 }, 'desc', 100) // [65_530, 65_101, ...]
 */
export async function matchingIndices(db: Kysely<Database>, plan: SearchPlan, range: IndexRange, order: EventOrder, limit: number): Promise<number[]> {
  if (plan.keys.length === 0 || limit <= 0) return [];
  const parts = plan.keys.map((keys) => rangeQuery(plan, keys, range, order, limit));
  const query =
    parts.length === 1
      ? (parts[0] as RawBuilder<unknown>)
      : sql`select idx from (${sql.join(parts.map((part, i) => sql`select idx from (${part}) as ${sql.raw(`p${i}`)}`), sql` union all `)}) as u order by idx ${sql.raw(order)} limit ${limit}`;
  const result = await (query as RawBuilder<{ idx: number | string }>).execute(db);
  return result.rows.map((row) => Number(row.idx));
}
