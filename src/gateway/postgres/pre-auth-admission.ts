// Who may start connecting, and how refusals before authentication are recorded: the gateway's flood guard.
import type { Socket } from 'node:net';
import { errorResponse } from './backend-messages.ts';
import { clientSource, type ClientSource } from './client-source.ts';
import { connectionRefusedEvent, type Refusal, type RefusalReason } from './gateway-audit.ts';
import type { GatewayDeps, GatewaySettings } from './gateway-deps.ts';
import { createGatewayLoginThrottle } from './gateway-login-throttle.ts';
import { createRefusalSummaries } from './refusal-summaries.ts';

/** What one connection's session asks of the guard while it starts. */
export interface ConnectionGuard {
  readonly source: ClientSource | undefined;
  /** The connection left startup (a session, a refusal, a cancel request): its starting slot is free again. */
  startupDone(): void;
  /** 0 when a sign-in as `claimedUser` may be tried now; else the ms to wait before trying again. */
  loginWaitMs(claimedUser: string): number;
  loginFailed(claimedUser: string): void;
  loginSucceeded(claimedUser: string): void;
  /** Records a refusal: anonymous ones go into the source's summary, identified ones get an entry each. */
  refused(refusal: Refusal, authenticated: boolean): Promise<void>;
}

export type Admission = { readonly kind: 'admitted'; readonly guard: ConnectionGuard } | { readonly kind: 'refused' };

export interface PreAuthAdmission {
  /** Takes a starting slot for a new socket, or answers it with FATAL 53300 and counts the refusal. */
  admit(socket: Socket, overall: { tooMany: boolean }): Admission;
  /** Connections in startup now (all sources). */
  starting(): number;
  /** Writes the refusal summaries counted so far now (the interval timer does this on its own). */
  summarize(): Promise<void>;
  /** Writes the pending refusal summaries and stops the timer. */
  close(): Promise<void>;
}

/** Refusals that follow an authentication or name a real attempt at one: each is its own entry. */
const IDENTIFIED_REASONS: ReadonlySet<RefusalReason> = new Set(['authentication_failed', 'no_active_grant', 'upstream_unavailable', 'upstream_rejected']);

/**
 * Anonymous refusals (nobody authenticated, nothing but a socket) are what a flood produces; they are
 * summarised per source. A failed sign-in is kept as its own entry (the throttle bounds how many a source gets).
 * @example isAnonymousRefusal('startup_timeout', false) // true
 */
export function isAnonymousRefusal(reason: RefusalReason, authenticated: boolean): boolean {
  return !authenticated && !IDENTIFIED_REASONS.has(reason);
}

function answerFatal(socket: Socket, message: string): void {
  socket.on('error', () => undefined);
  socket.end(errorResponse({ severity: 'FATAL', code: '53300', message }));
  socket.destroySoon();
}

/** @example const admission = createPreAuthAdmission(deps, settings); const admitted = admission.admit(socket, { tooMany: false }); */
export function createPreAuthAdmission(deps: GatewayDeps, settings: GatewaySettings): PreAuthAdmission {
  const onError = (error: unknown): void => {
    deps.log.error({ err: error }, 'could not record refused gateway connections');
  };
  const summaries = createRefusalSummaries(
    { clock: deps.clock, onError, write: (events) => deps.appender.append(events.map((event) => deps.auditEntry(event))) },
    { intervalMs: settings.refusalSummaryIntervalMs, maxSources: settings.refusalSummaryMaxSources },
  );
  const throttle = createGatewayLoginThrottle(deps.clock, settings.loginThrottle, settings.loginThrottleMaxKeys);
  /** Starting sockets by source, oldest first (a Set keeps insertion order). */
  const bySource = new Map<string, Set<Socket>>();
  /** Sockets displaced to make room: already counted, so their session's own refusal is not. */
  const displaced = new WeakSet<Socket>();
  let starting = 0;

  /**
   * When every starting slot is taken, a newcomer from a source holding fewer of them than the heaviest
   * source displaces that source's oldest starting connection: a flood from a few sources cannot lock others out.
   */
  const displaceFor = (fromSource: number): boolean => {
    let heaviest: Set<Socket> | undefined;
    for (const sockets of bySource.values()) if (heaviest === undefined || sockets.size > heaviest.size) heaviest = sockets;
    const victim = heaviest?.values().next().value;
    if (heaviest === undefined || victim === undefined || heaviest.size <= fromSource + 1) return false;
    displaced.add(victim);
    heaviest.delete(victim);
    answerFatal(victim, 'Writ has too many connections signing in from your address; try again shortly');
    summaries.count(clientSource(victim.remoteAddress), 'too_many_connections');
    return true;
  };

  const record = async (refusal: Refusal, source: ClientSource | undefined, authenticated: boolean): Promise<void> => {
    if (isAnonymousRefusal(refusal.reason, authenticated)) {
      summaries.count(source, refusal.reason);
      return;
    }
    // Built inside the promise: a throw while building must not escape into a socket callback.
    await Promise.resolve().then(() => deps.appender.append([deps.auditEntry(connectionRefusedEvent(refusal))])).catch((error: unknown) => {
      deps.log.error({ err: error }, 'could not record a refused gateway connection');
    });
  };

  const guardFor = (source: ClientSource | undefined, socket: Socket): ConnectionGuard => {
    const sourceKey = source?.address ?? 'unknown';
    let done = false;
    return {
      source,
      startupDone() {
        if (done) return;
        done = true;
        starting -= 1;
        const sockets = bySource.get(sourceKey);
        sockets?.delete(socket);
        if (sockets?.size === 0) bySource.delete(sourceKey);
      },
      loginWaitMs: (claimedUser) => throttle.waitMs(claimedUser, sourceKey),
      loginFailed: (claimedUser) => { throttle.failed(claimedUser, sourceKey); },
      loginSucceeded: (claimedUser) => { throttle.succeeded(claimedUser, sourceKey); },
      refused: (refusal, authenticated) => (displaced.has(socket) ? Promise.resolve() : record(refusal, source, authenticated)),
    };
  };

  return {
    admit(socket, overall) {
      const source = clientSource(socket.remoteAddress);
      const sourceKey = source?.address ?? 'unknown';
      const fromSource = bySource.get(sourceKey)?.size ?? 0;
      if (fromSource >= settings.maxStartingPerSource) {
        const where = source?.kind === 'ipv6_prefix' ? `the network ${source.address}/64` : sourceKey;
        answerFatal(socket, `too many connections from ${where} are still signing in (the limit is ${settings.maxStartingPerSource}); finish or close those, then try again`);
        summaries.count(source, 'too_many_from_source');
        return { kind: 'refused' };
      }
      if (overall.tooMany || (starting >= settings.maxStartingConnections && !displaceFor(fromSource))) {
        answerFatal(socket, 'Writ has too many connections open; try again shortly');
        summaries.count(source, 'too_many_connections');
        return { kind: 'refused' };
      }
      starting += 1;
      const sockets = bySource.get(sourceKey) ?? new Set<Socket>();
      sockets.add(socket);
      bySource.set(sourceKey, sockets);
      return { kind: 'admitted', guard: guardFor(source, socket) };
    },
    starting: () => starting,
    summarize: () => summaries.flush(),
    close: () => summaries.close(),
  };
}
