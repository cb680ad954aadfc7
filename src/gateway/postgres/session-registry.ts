// The gateway's live sessions: found by grant (to cut them when it ends) and by cancel key (to relay Ctrl-C).
import { randomBytes, timingSafeEqual } from 'node:crypto';

/** Why Writ itself ends a session; each has a FATAL message for the client and an audit reason. */
export type SessionCutReason = 'grant_ended' | 'grant_revoked' | 'shutdown';

export interface LiveSession {
  readonly sessionId: string;
  readonly grantId: string;
  readonly resourceId: string;
  /** When the grant ends, as last read from the store (an extension moves it). */
  endsAtMs: number;
  /** The key Writ gave the client in BackendKeyData. */
  readonly processId: number;
  readonly secretKey: Buffer;
  /** Asks the upstream server to cancel the running query. */
  cancel(): Promise<void>;
  /** Sends the client a FATAL error saying why, closes both sides, records the end. */
  cut(reason: SessionCutReason, message: string): void;
}

export interface SessionRegistry {
  /** A fresh, unused process id and secret key for BackendKeyData. */
  newCancelKey(): { processId: number; secretKey: Buffer };
  add(session: LiveSession): void;
  remove(session: LiveSession): void;
  /** The session a CancelRequest names, when its secret key matches (compared in constant time). */
  findForCancel(processId: number, secretKey: Buffer): LiveSession | undefined;
  byGrant(): ReadonlyMap<string, ReadonlySet<LiveSession>>;
  all(): readonly LiveSession[];
  readonly size: number;
}

/** @example const registry = createSessionRegistry(); registry.add(session); registry.byGrant().get(grantId) */
export function createSessionRegistry(): SessionRegistry {
  const byProcessId = new Map<number, LiveSession>();
  const byGrant = new Map<string, Set<LiveSession>>();
  return {
    newCancelKey() {
      for (;;) {
        const processId = randomBytes(4).readUInt32BE(0) & 0x7fffffff;
        if (processId !== 0 && !byProcessId.has(processId)) return { processId, secretKey: randomBytes(4) };
      }
    },
    add(session) {
      byProcessId.set(session.processId, session);
      const sessions = byGrant.get(session.grantId) ?? new Set<LiveSession>();
      sessions.add(session);
      byGrant.set(session.grantId, sessions);
    },
    remove(session) {
      if (byProcessId.get(session.processId) === session) byProcessId.delete(session.processId);
      const sessions = byGrant.get(session.grantId);
      sessions?.delete(session);
      if (sessions?.size === 0) byGrant.delete(session.grantId);
    },
    findForCancel(processId, secretKey) {
      const session = byProcessId.get(processId);
      if (session === undefined || session.secretKey.length !== secretKey.length) return undefined;
      return timingSafeEqual(session.secretKey, secretKey) ? session : undefined;
    },
    byGrant: () => byGrant,
    all: () => [...byProcessId.values()],
    get size() {
      return byProcessId.size;
    },
  };
}
