// Failed gateway sign-ins, per claimed user name from one source and per source, throttled by the same rule as HTTP sign-ins.
import { decideLoginThrottle, throttleKey, type LoginThrottleSettings } from '../../identity/login-throttle.ts';
import type { Clock } from '../../shared/clock.ts';

export interface GatewayLoginThrottle {
  /** 0 when the attempt may go ahead; else how long (ms) the client must wait before trying again. */
  waitMs(claimedUser: string, source: string): number;
  failed(claimedUser: string, source: string): void;
  /** A successful sign-in clears the name's failures from that source (not the source's own: others may share it). */
  succeeded(claimedUser: string, source: string): void;
}

/*
 * Unlike HTTP sign-ins, a name's failures count per source, never across sources. Gateway passwords are 256 random bits
 * issued by Writ, so counting a name's failures from everywhere protects nothing against guessing, and it would let
 * anyone who knows a person's name keep that person out by failing under it from another address.
 */
function nameKey(claimedUser: string, source: string): string {
  return `user:${throttleKey(claimedUser)}@${source}`;
}

/** Failures kept per key; the rule never needs more (it doubles past 40 at most). */
const MAX_FAILURES_PER_KEY = 64;

/**
 * In memory, per process: gateway failures are not shared with HTTP sign-ins or other Writ processes.
 * The gateway refuses instead of delaying: a delayed attempt would hold a starting slot while it waits.
 * At most `maxKeys` names and sources are remembered; the oldest are forgotten first.
 * @example const throttle = createGatewayLoginThrottle(clock, defaultLoginThrottle, 10_000); if (throttle.waitMs('alice', '10.0.0.1') > 0) refuse();
 */
export function createGatewayLoginThrottle(clock: Clock, settings: LoginThrottleSettings, maxKeys: number): GatewayLoginThrottle {
  const failures = new Map<string, number[]>();
  const recent = (key: string, nowMs: number): number[] => {
    const kept = (failures.get(key) ?? []).filter((atMs) => atMs > nowMs - settings.windowMs);
    if (kept.length === 0) failures.delete(key);
    return kept;
  };
  const note = (key: string, nowMs: number): void => {
    const kept = recent(key, nowMs);
    kept.push(nowMs);
    failures.delete(key);
    failures.set(key, kept.slice(-MAX_FAILURES_PER_KEY));
    while (failures.size > maxKeys) {
      const oldest = failures.keys().next().value;
      if (oldest === undefined) break;
      failures.delete(oldest);
    }
  };
  return {
    waitMs(claimedUser, source) {
      const nowMs = clock.nowMs();
      const decision = decideLoginThrottle({ accountMs: recent(nameKey(claimedUser, source), nowMs), ipMs: recent(`source:${source}`, nowMs) }, nowMs, settings);
      if (decision.kind === 'allow') return 0;
      return decision.kind === 'delay' ? decision.delayMs : decision.retryAfterMs;
    },
    failed(claimedUser, source) {
      const nowMs = clock.nowMs();
      note(nameKey(claimedUser, source), nowMs);
      note(`source:${source}`, nowMs);
    },
    succeeded(claimedUser, source) {
      failures.delete(nameKey(claimedUser, source));
    },
  };
}
