// Browser sessions: the stored record and the pure rules for idle and absolute expiry.
import type { UserId } from './user.ts';

export type SessionId = string & { readonly __brand: 'SessionId' };

/** A session as stored: digests of its token and CSRF token, never the tokens. */
export interface SessionRecord {
  readonly id: SessionId;
  readonly userId: UserId;
  readonly tokenDigest: Uint8Array;
  readonly csrfDigest: Uint8Array;
  readonly createdAtMs: number;
  readonly lastSeenAtMs: number;
  /** The absolute end, fixed at sign-in. */
  readonly expiresAtMs: number;
  readonly ip: string | undefined;
  readonly userAgent: string | undefined;
}

export interface SessionTimeouts {
  /** A session unused this long ends. */
  readonly idleMs: number;
  /** A session ends this long after sign-in, however busy. */
  readonly absoluteMs: number;
  /** `lastSeenAtMs` is written at most this often, so busy sessions do not write on every request. */
  readonly touchIntervalMs: number;
}

export const defaultSessionTimeouts: SessionTimeouts = {
  idleMs: 30 * 60_000,
  absoluteMs: 12 * 3_600_000,
  touchIntervalMs: 60_000,
};

export type SessionState =
  | { readonly kind: 'active'; readonly touch: boolean }
  | { readonly kind: 'expired'; readonly timeout: 'idle' | 'absolute' };

/**
 * Whether a session is still usable at `nowMs`, and whether to record that it was seen (sliding idle timeout).
 * @example sessionState(session, session.lastSeenAtMs + 31 * 60_000, defaultSessionTimeouts) // { kind: 'expired', timeout: 'idle' }
 */
export function sessionState(session: SessionRecord, nowMs: number, timeouts: SessionTimeouts): SessionState {
  if (nowMs >= session.expiresAtMs) return { kind: 'expired', timeout: 'absolute' };
  if (nowMs - session.lastSeenAtMs >= timeouts.idleMs) return { kind: 'expired', timeout: 'idle' };
  return { kind: 'active', touch: nowMs - session.lastSeenAtMs >= timeouts.touchIntervalMs };
}
