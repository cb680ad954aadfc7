// The AccessStore port over Kysely: one implementation for SQLite and PostgreSQL.
import type { Kysely } from 'kysely';
import { AppError } from '../shared/app-error.ts';
import type { AccessStore, AccessTransaction, GrantQuery, Page, RequestQuery } from '../access/access-store.ts';
import type { AccessRequest, Grant } from '../access/access-types.ts';
import { currentStage } from '../access/request-workflow.ts';
import type { AuditedTransactions } from './audited-transaction.ts';
import { decisionRow, decodeCursor, encodeCursor, grantRow, requestRow, toGrant, toPolicyVersion, toRequest } from './access-rows.ts';
import type { Database } from './schema.ts';

type Executor = Kysely<Database>;

async function loadRequests(db: Executor, ids: readonly string[]): Promise<AccessRequest[]> {
  if (ids.length === 0) return [];
  const rows = await db.selectFrom('access_requests').selectAll().where('id', 'in', ids).execute();
  const decisions = await db.selectFrom('access_decisions').selectAll().where('request_id', 'in', ids).execute();
  const byId = new Map(rows.map((r) => [r.id, toRequest(r, decisions.filter((d) => d.request_id === r.id))]));
  return ids.flatMap((id) => byId.get(id) ?? []);
}

function page<T>(items: readonly T[], limit: number, keyOf: (item: T) => string): Page<T> {
  const shown = items.slice(0, limit);
  const last = shown[shown.length - 1];
  return { items: shown, nextCursor: items.length > limit && last !== undefined ? encodeCursor(keyOf(last)) : undefined };
}

function stageOf(request: AccessRequest): number | null {
  return request.status === 'pending' ? (currentStage(request) ?? null) : null;
}

async function insertRequest(trx: Executor, request: AccessRequest): Promise<void> {
  await trx.insertInto('access_requests').values({ ...requestRow(request), current_stage: stageOf(request) }).execute();
  const reviewers = request.workflow.stages.flatMap((stage, index) => [
    ...new Set(stage.groups.map((g) => `group\u0000${g}`).concat(stage.users.map((u) => `user\u0000${u}`))),
  ].map((key) => {
    const [kind = '', principal = ''] = key.split('\u0000');
    return { request_id: request.id, stage: index, principal_kind: kind, principal };
  }));
  if (reviewers.length > 0) await trx.insertInto('access_request_reviewers').values(reviewers).execute();
  if (request.decisions.length > 0) await trx.insertInto('access_decisions').values(request.decisions.map((d) => decisionRow(request.id, d))).execute();
}

async function updateRequest(trx: Executor, request: AccessRequest): Promise<void> {
  const { id, version, ...row } = { ...requestRow(request), current_stage: stageOf(request) };
  const result = await trx.updateTable('access_requests').set({ ...row, version }).where('id', '=', id).where('version', '=', version - 1).executeTakeFirst();
  if (Number(result.numUpdatedRows) !== 1) throw new AppError('conflict', `request ${id} was changed by someone else meanwhile; read it again and retry`);
  const known = await trx.selectFrom('access_decisions').select('reviewer_id').where('request_id', '=', id).execute();
  const fresh = request.decisions.filter((d) => !known.some((k) => k.reviewer_id === d.reviewerId));
  if (fresh.length > 0) await trx.insertInto('access_decisions').values(fresh.map((d) => decisionRow(id, d))).execute();
}

async function updateGrant(trx: Executor, grant: Grant): Promise<void> {
  const { id, version, ...row } = grantRow(grant);
  const result = await trx.updateTable('access_grants').set({ ...row, version }).where('id', '=', id).where('version', '=', version - 1).executeTakeFirst();
  if (Number(result.numUpdatedRows) !== 1) throw new AppError('conflict', `grant ${id} was changed by someone else meanwhile; read it again and retry`);
}

function transactionOver(trx: Executor, ledger: AccessTransaction['ledger']): AccessTransaction {
  return {
    ledger,
    getRequest: async (id) => (await loadRequests(trx, [id]))[0],
    insertRequest: (request) => insertRequest(trx, request),
    updateRequest: (request) => updateRequest(trx, request),
    async getGrant(id) {
      const row = await trx.selectFrom('access_grants').selectAll().where('id', '=', id).executeTakeFirst();
      return row === undefined ? undefined : toGrant(row);
    },
    async insertGrant(grant) {
      await trx.insertInto('access_grants').values({ ...grantRow(grant), expiry_notice_at_ms: null }).execute();
    },
    updateGrant: (grant) => updateGrant(trx, grant),
    async markExpiryNoticeSent(id, nowMs) {
      await trx.updateTable('access_grants').set({ expiry_notice_at_ms: nowMs }).where('id', '=', id).execute();
    },
    due: (nowMs, expiringWithinMs, limit) => due(trx, nowMs, expiringWithinMs, limit),
    latestPolicy: () => latestPolicy(trx),
    async insertPolicy(v) {
      await trx.insertInto('policy_versions').values({ version: v.version, digest: v.digest, source: v.source, text: v.text, applied_by: v.appliedBy, applied_at_ms: v.appliedAtMs }).execute();
    },
    async enqueue(notification, nowMs) {
      await trx
        .insertInto('outbox')
        .values({
          topic: notification.topic,
          recipients: JSON.stringify(notification.recipients),
          payload: JSON.stringify(notification.payload),
          created_at_ms: nowMs,
          attempts: 0,
          next_attempt_at_ms: nowMs,
          delivered_at_ms: null,
        })
        .execute();
    },
  };
}

async function due(db: Executor, nowMs: number, expiringWithinMs: number, limit: number): Promise<Awaited<ReturnType<AccessTransaction['due']>>> {
  const expired = await db.selectFrom('access_requests').select('id').where('status', '=', 'pending').where('expires_at_ms', '<=', nowMs).orderBy('expires_at_ms').limit(limit).execute();
  const open = db.selectFrom('access_grants').selectAll().where('ended_at_ms', 'is', null);
  const ended = await open.where('ends_at_ms', '<=', nowMs).orderBy('ends_at_ms').limit(limit).execute();
  const started = await open.where('started_at_ms', 'is', null).where('starts_at_ms', '<=', nowMs).where('ends_at_ms', '>', nowMs).orderBy('starts_at_ms').limit(limit).execute();
  const expiring = await open
    .where('expiry_notice_at_ms', 'is', null)
    .where('ends_at_ms', '>', nowMs)
    .where('ends_at_ms', '<=', nowMs + expiringWithinMs)
    .orderBy('ends_at_ms')
    .limit(limit)
    .execute();
  return {
    expiredRequests: await loadRequests(db, expired.map((r) => r.id)),
    endedGrants: ended.map(toGrant),
    startedGrants: started.map(toGrant),
    expiringGrants: expiring.map(toGrant),
  };
}

async function latestPolicy(db: Executor): ReturnType<AccessStore['latestPolicy']> {
  const row = await db.selectFrom('policy_versions').selectAll().orderBy('version', 'desc').limit(1).executeTakeFirst();
  return row === undefined ? undefined : toPolicyVersion(row);
}

async function listRequests(db: Executor, query: RequestQuery): Promise<Page<AccessRequest>> {
  let select = db.selectFrom('access_requests').select('access_requests.id');
  if (query.requesterId !== undefined) select = select.where('requester_id', '=', query.requesterId);
  if (query.status !== undefined) select = select.where('status', '=', query.status);
  const reviewer = query.reviewableBy;
  if (reviewer !== undefined) {
    select = select.where('status', '=', 'pending').where((eb) =>
      eb.exists(
        eb
          .selectFrom('access_request_reviewers as r')
          .select('r.request_id')
          .whereRef('r.request_id', '=', 'access_requests.id')
          .whereRef('r.stage', '=', 'access_requests.current_stage')
          .where((inner) =>
            inner.or([
              inner.and([inner('r.principal_kind', '=', 'user'), inner('r.principal', '=', reviewer.username)]),
              ...(reviewer.groups.length === 0 ? [] : [inner.and([inner('r.principal_kind', '=', 'group'), inner('r.principal', 'in', reviewer.groups)])]),
            ]),
          ),
      ),
    );
  }
  const after = decodeCursor(query.cursor);
  if (after !== undefined) select = select.where('access_requests.id', '<', after);
  const ids = await select.orderBy('access_requests.id', 'desc').limit(query.limit + 1).execute();
  return page(await loadRequests(db, ids.map((r) => r.id)), query.limit, (r) => r.id);
}

async function listGrants(db: Executor, query: GrantQuery): Promise<Page<Grant>> {
  let select = db.selectFrom('access_grants').selectAll();
  if (query.userId !== undefined) select = select.where('user_id', '=', query.userId);
  if (query.resourceId !== undefined) select = select.where('resource_id', '=', query.resourceId);
  if (query.state === 'open') select = select.where('ended_at_ms', 'is', null).where('ends_at_ms', '>', query.nowMs);
  if (query.state === 'ended') select = select.where((eb) => eb.or([eb('ended_at_ms', 'is not', null), eb('ends_at_ms', '<=', query.nowMs)]));
  const after = decodeCursor(query.cursor);
  if (after !== undefined) select = select.where('id', '<', after);
  const rows = await select.orderBy('id', 'desc').limit(query.limit + 1).execute();
  return page(rows.map(toGrant), query.limit, (g) => g.id);
}

/** Creates the AccessStore; its transactions append ledger entries through `transactions`. */
export function createKyselyAccessStore(db: Executor, transactions: AuditedTransactions): AccessStore {
  return {
    transact: (work) => transactions.run((trx, ledger) => work(transactionOver(trx, ledger))),
    getRequest: async (id) => (await loadRequests(db, [id]))[0],
    listRequests: (query) => listRequests(db, query),
    async getGrant(id) {
      const row = await db.selectFrom('access_grants').selectAll().where('id', '=', id).executeTakeFirst();
      return row === undefined ? undefined : toGrant(row);
    },
    listGrants: (query) => listGrants(db, query),
    async nextDueMs(expiringWithinMs) {
      const request = await db.selectFrom('access_requests').select((eb) => eb.fn.min<number | null>('expires_at_ms').as('at')).where('status', '=', 'pending').executeTakeFirst();
      const open = db.selectFrom('access_grants').where('ended_at_ms', 'is', null);
      const ends = await open.select((eb) => eb.fn.min<number | null>('ends_at_ms').as('at')).executeTakeFirst();
      const starts = await open.select((eb) => eb.fn.min<number | null>('starts_at_ms').as('at')).where('started_at_ms', 'is', null).executeTakeFirst();
      const notices = await open.select((eb) => eb.fn.min<number | null>('ends_at_ms').as('at')).where('expiry_notice_at_ms', 'is', null).executeTakeFirst();
      const noticeAt = notices?.at;
      const times = [request?.at, ends?.at, starts?.at, noticeAt === null || noticeAt === undefined ? null : noticeAt - expiringWithinMs]
        .filter((t): t is number => t !== null && t !== undefined);
      return times.length === 0 ? undefined : Math.min(...times);
    },
    latestPolicy: () => latestPolicy(db),
    async listPolicies(cursor, limit) {
      const after = decodeCursor(cursor);
      let select = db.selectFrom('policy_versions').selectAll();
      if (after !== undefined) select = select.where('version', '<', Number(after));
      const rows = await select.orderBy('version', 'desc').limit(limit + 1).execute();
      return page(rows.map(toPolicyVersion), limit, (v) => String(v.version));
    },
    async getPolicy(version) {
      const row = await db.selectFrom('policy_versions').selectAll().where('version', '=', version).executeTakeFirst();
      return row === undefined ? undefined : toPolicyVersion(row);
    },
  };
}
