// Login throttling as a pure decision over recent failures, per account and per source IP, with delays that double.

export interface LoginThrottleSettings {
  /** Failures older than this are forgotten. */
  readonly windowMs: number;
  /** Failures per account name (known or not) before attempts are slowed. */
  readonly accountFreeFailures: number;
  /** Failures per source IP before attempts are slowed (higher: many people may share one address). */
  readonly ipFreeFailures: number;
  /** The first delay; each further failure doubles it. */
  readonly baseDelayMs: number;
  /** Delays up to this are waited out before the password is checked; longer ones are refused with a retry-after. */
  readonly maxDelayMs: number;
}

/** After 5 failures within 15 minutes: 1 s, 2 s, 4 s, 8 s, then refusal until the doubled delay has passed. */
export const defaultLoginThrottle: LoginThrottleSettings = {
  windowMs: 15 * 60_000,
  accountFreeFailures: 5,
  ipFreeFailures: 20,
  baseDelayMs: 1000,
  maxDelayMs: 8000,
};

export type ThrottleDecision =
  | { readonly kind: 'allow' }
  | { readonly kind: 'delay'; readonly delayMs: number }
  | { readonly kind: 'refuse'; readonly retryAfterMs: number };

/** Times (ms) of recent failed sign-ins under one account name and from one source IP. */
export interface RecentFailures {
  readonly accountMs: readonly number[];
  readonly ipMs: readonly number[];
}

const MAX_DOUBLINGS = 40;

function decideOne(failuresMs: readonly number[], freeFailures: number, nowMs: number, settings: LoginThrottleSettings): ThrottleDecision {
  const recent = failuresMs.filter((at) => at > nowMs - settings.windowMs && at <= nowMs);
  if (recent.length < freeFailures) return { kind: 'allow' };
  const requiredMs = settings.baseDelayMs * 2 ** Math.min(recent.length - freeFailures, MAX_DOUBLINGS);
  const waitMs = Math.max(...recent) + requiredMs - nowMs;
  if (waitMs <= 0) return { kind: 'allow' };
  return requiredMs <= settings.maxDelayMs ? { kind: 'delay', delayMs: waitMs } : { kind: 'refuse', retryAfterMs: waitMs };
}

function stricter(a: ThrottleDecision, b: ThrottleDecision): ThrottleDecision {
  if (a.kind === 'refuse' || b.kind === 'refuse') {
    const after = Math.max(a.kind === 'refuse' ? a.retryAfterMs : 0, b.kind === 'refuse' ? b.retryAfterMs : 0);
    return { kind: 'refuse', retryAfterMs: after };
  }
  if (a.kind === 'delay' || b.kind === 'delay') {
    return { kind: 'delay', delayMs: Math.max(a.kind === 'delay' ? a.delayMs : 0, b.kind === 'delay' ? b.delayMs : 0) };
  }
  return { kind: 'allow' };
}

/**
 * Decides whether a sign-in attempt may go ahead now, after a wait, or not at all. The account is keyed by
 * the name typed, whether or not such a user exists, so throttling never tells whether a user exists.
 * @example decideLoginThrottle({ accountMs: [0, 1, 2, 3, 4], ipMs: [] }, 5, defaultLoginThrottle) // { kind: 'delay', delayMs: 999 }
 */
export function decideLoginThrottle(failures: RecentFailures, nowMs: number, settings: LoginThrottleSettings = defaultLoginThrottle): ThrottleDecision {
  return stricter(
    decideOne(failures.accountMs, settings.accountFreeFailures, nowMs, settings),
    decideOne(failures.ipMs, settings.ipFreeFailures, nowMs, settings),
  );
}

/**
 * The account key a sign-in attempt is throttled under: the typed name, folded and bounded.
 * @example throttleKey(' Alice ') // 'alice'
 */
export function throttleKey(typedUsername: string): string {
  return typedUsername.trim().toLowerCase().slice(0, 128);
}
