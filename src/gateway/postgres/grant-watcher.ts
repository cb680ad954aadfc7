// Cuts gateway sessions whose grant has ended: by its stored end time, and by revocation read from the store.
import type { Grant } from '../../access/access-types.ts';
import type { Clock } from '../../shared/clock.ts';
import type { LiveSession, SessionRegistry } from './session-registry.ts';

export interface GrantWatcherDeps {
  readonly registry: SessionRegistry;
  readonly clock: Clock;
  readonly getGrant: (grantId: string) => Promise<Grant | undefined>;
  readonly onError: (error: unknown) => void;
}

export interface GrantWatcherOptions {
  /** How often the end times of live sessions are compared with the clock. */
  readonly tickMs: number;
  /** How often the grants of live sessions are read again (revocation, extension, another process). */
  readonly refreshMs: number;
}

export interface GrantWatcher {
  /** One pass: cut what has ended; with `refresh`, read every live grant from the store first. */
  check(refresh: boolean): Promise<void>;
  stop(): void;
}

function endMessage(grant: Pick<Grant, 'resourceId' | 'endReason' | 'endsAtMs'>, revoked: boolean): string {
  if (revoked) return `Writ closed this session: your grant for ${grant.resourceId} was revoked; run writ request ${grant.resourceId} to ask again`;
  return `Writ closed this session: your grant for ${grant.resourceId} ended at ${new Date(grant.endsAtMs).toISOString()}; run writ request ${grant.resourceId} to ask again`;
}

function cutAll(sessions: Iterable<LiveSession>, revoked: boolean, grant: Pick<Grant, 'resourceId' | 'endReason' | 'endsAtMs'>): void {
  for (const session of [...sessions]) session.cut(revoked ? 'grant_revoked' : 'grant_ended', endMessage(grant, revoked));
}

/**
 * Starts watching. Sessions are cut within `tickMs` of their grant's end time and within `refreshMs` of a
 * revocation stored by any process; an extension read from the store moves the end time.
 * @example const watcher = startGrantWatcher(deps, { tickMs: 200, refreshMs: 500 }); watcher.stop();
 */
export function startGrantWatcher(deps: GrantWatcherDeps, options: GrantWatcherOptions): GrantWatcher {
  let running = false;
  let lastRefreshMs = 0;
  const refreshGrant = async (grantId: string, sessions: ReadonlySet<LiveSession>): Promise<void> => {
    const grant = await deps.getGrant(grantId);
    if (grant === undefined) return;
    if (grant.endedAtMs !== undefined) {
      cutAll(sessions, grant.endReason === 'revoked', grant);
      return;
    }
    for (const session of sessions) session.endsAtMs = grant.endsAtMs;
  };
  const check = async (refresh: boolean): Promise<void> => {
    if (refresh) {
      await Promise.all([...deps.registry.byGrant()].map(([grantId, sessions]) => refreshGrant(grantId, sessions)));
    }
    const nowMs = deps.clock.nowMs();
    for (const session of deps.registry.all()) {
      if (nowMs >= session.endsAtMs) cutAll([session], false, { resourceId: session.resourceId, endReason: 'expired', endsAtMs: session.endsAtMs });
    }
  };
  const timer = setInterval(() => {
    if (running || deps.registry.size === 0) return;
    running = true;
    const now = Date.now();
    const refresh = now - lastRefreshMs >= options.refreshMs;
    if (refresh) lastRefreshMs = now;
    check(refresh)
      .catch(deps.onError)
      .finally(() => {
        running = false;
      });
  }, options.tickMs);
  timer.unref();
  return {
    check,
    stop: () => {
      clearInterval(timer);
    },
  };
}
