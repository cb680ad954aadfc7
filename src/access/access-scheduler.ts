// Time-driven transitions from stored times: pending requests expire, scheduled grants start, grants end; restarts lose nothing.
import { isAppError } from '../shared/app-error.ts';
import { accessEvent, grantEndedEvent, isoTime } from './access-audit.ts';
import { recordEvents, type AccessDeps } from './access-deps.ts';
import type { AccessRequest, Grant } from './access-types.ts';
import { expireRequest } from './request-workflow.ts';

/** A grant's holder is told this long before it ends. */
export const EXPIRY_NOTICE_MS = 10 * 60 * 1000;
const BATCH = 100;

export interface DueRun {
  readonly expiredRequests: number;
  readonly startedGrants: number;
  readonly endedGrants: number;
  readonly expiryNotices: number;
}

/** Runs one item in its own transaction; an item another process handled first (conflict) is skipped. */
async function each<T>(items: readonly T[], work: (item: T) => Promise<void>): Promise<number> {
  let done = 0;
  for (const item of items) {
    try {
      await work(item);
      done += 1;
    } catch (error) {
      if (!isAppError(error, 'conflict')) throw error;
    }
  }
  return done;
}

async function expire(deps: AccessDeps, request: AccessRequest, nowMs: number): Promise<void> {
  const expired = expireRequest(request, nowMs);
  if (expired === undefined) return;
  await deps.store.transact(async (tx) => {
    await tx.updateRequest(expired);
    await recordEvents(deps, tx, [accessEvent({ type: 'access.request.expired', actor: 'system', request, data: { requestId: request.id, expiredAt: isoTime(request.expiresAtMs) } })]);
    await tx.enqueue({ topic: 'request.expired', recipients: [request.requesterId], payload: { requestId: request.id } }, nowMs);
  });
}

async function start(deps: AccessDeps, grant: Grant, nowMs: number): Promise<void> {
  await deps.store.transact(async (tx) => {
    await tx.updateGrant({ ...grant, startedAtMs: grant.startsAtMs, version: grant.version + 1 });
    await recordEvents(deps, tx, [accessEvent({ type: 'access.grant.started', actor: 'system', grant, data: { grantId: grant.id, startedAt: isoTime(grant.startsAtMs) } })]);
    await tx.enqueue({ topic: 'request.decided', recipients: [grant.userId], payload: { grantId: grant.id, status: 'started' } }, nowMs);
  });
}

async function end(deps: AccessDeps, grant: Grant, nowMs: number): Promise<void> {
  const ended: Grant = { ...grant, endedAtMs: grant.endsAtMs, endReason: 'expired', endedBy: undefined, version: grant.version + 1 };
  await deps.store.transact(async (tx) => {
    await tx.updateGrant(ended);
    await recordEvents(deps, tx, [grantEndedEvent('system', ended, undefined)]);
    await tx.enqueue({ topic: 'grant.ended', recipients: [grant.userId], payload: { grantId: grant.id, endReason: 'expired' } }, nowMs);
  });
}

async function notice(deps: AccessDeps, grant: Grant, nowMs: number): Promise<void> {
  await deps.store.transact(async (tx) => {
    await tx.markExpiryNoticeSent(grant.id, nowMs);
    await tx.enqueue({ topic: 'grant.expiring', recipients: [grant.userId], payload: { grantId: grant.id, endsAt: isoTime(grant.endsAtMs) } }, nowMs);
  });
}

/**
 * Does everything due at the clock's now, oldest first, until nothing is left.
 * @example await runDueWork(deps) // { expiredRequests: 1, startedGrants: 0, endedGrants: 2, expiryNotices: 0 }
 */
export async function runDueWork(deps: AccessDeps): Promise<DueRun> {
  const totals = { expiredRequests: 0, startedGrants: 0, endedGrants: 0, expiryNotices: 0 };
  for (;;) {
    const nowMs = deps.clock.nowMs();
    const work = await deps.store.transact((tx) => tx.due(nowMs, EXPIRY_NOTICE_MS, BATCH));
    totals.expiredRequests += await each(work.expiredRequests, (r) => expire(deps, r, nowMs));
    totals.startedGrants += await each(work.startedGrants, (g) => start(deps, g, nowMs));
    totals.endedGrants += await each(work.endedGrants, (g) => end(deps, g, nowMs));
    totals.expiryNotices += await each(work.expiringGrants, (g) => notice(deps, g, nowMs));
    const full = [work.expiredRequests, work.startedGrants, work.endedGrants, work.expiringGrants].some((list) => list.length === BATCH);
    if (!full) return totals;
  }
}

export interface AccessScheduler {
  /** Re-reads the next due time (after a command changed stored times). */
  poke(): void;
  stop(): Promise<void>;
}

/**
 * Runs due work now, then sleeps until the next stored due time (at most `maxSleepMs`, so another process's
 * changes are seen too). Errors go to `onError` and are retried on the next wake-up.
 * @example const scheduler = startAccessScheduler(deps, { maxSleepMs: 5000, onError: log }); ...; await scheduler.stop()
 */
export function startAccessScheduler(
  deps: AccessDeps,
  options: { maxSleepMs: number; onError: (error: unknown) => void; beforeRun?: () => Promise<void> },
): AccessScheduler {
  let stopped = false;
  let timer: NodeJS.Timeout | undefined;
  let running: Promise<void> = Promise.resolve();
  const tick = async (): Promise<void> => {
    timer = undefined;
    try {
      await options.beforeRun?.();
      await runDueWork(deps);
      const next = await deps.store.nextDueMs(EXPIRY_NOTICE_MS);
      schedule(next === undefined ? options.maxSleepMs : Math.max(0, next - deps.clock.nowMs()));
    } catch (error) {
      options.onError(error);
      schedule(options.maxSleepMs);
    }
  };
  const schedule = (delayMs: number): void => {
    if (stopped) return;
    if (timer !== undefined) clearTimeout(timer);
    timer = setTimeout(() => {
      running = tick();
    }, Math.min(delayMs, options.maxSleepMs));
  };
  schedule(0);
  return {
    poke: () => {
      schedule(0);
    },
    async stop() {
      stopped = true;
      if (timer !== undefined) clearTimeout(timer);
      await running;
    },
  };
}
