import assert from 'node:assert/strict';
import { test } from 'node:test';
import { defaultSessionTimeouts, sessionState, type SessionId, type SessionRecord } from './session.ts';
import type { UserId } from './user.ts';

const T = 1_700_000_000_000;
const session: SessionRecord = {
  id: 's' as SessionId,
  userId: 'u' as UserId,
  tokenDigest: new Uint8Array(32),
  csrfDigest: new Uint8Array(32),
  createdAtMs: T,
  lastSeenAtMs: T,
  expiresAtMs: T + defaultSessionTimeouts.absoluteMs,
  ip: undefined,
  userAgent: undefined,
};

test('a fresh session is active and not touched again within the touch interval', () => {
  assert.deepEqual(sessionState(session, T + 1000, defaultSessionTimeouts), { kind: 'active', touch: false });
  assert.deepEqual(sessionState(session, T + 60_000, defaultSessionTimeouts), { kind: 'active', touch: true });
});

test('idle for the idle timeout: expired (idle)', () => {
  assert.deepEqual(sessionState(session, T + 30 * 60_000 - 1, defaultSessionTimeouts), { kind: 'active', touch: true });
  assert.deepEqual(sessionState(session, T + 30 * 60_000, defaultSessionTimeouts), { kind: 'expired', timeout: 'idle' });
});

test('busy but past the absolute end: expired (absolute)', () => {
  const busy = { ...session, lastSeenAtMs: T + 12 * 3_600_000 - 1 };
  assert.deepEqual(sessionState(busy, T + 12 * 3_600_000, defaultSessionTimeouts), { kind: 'expired', timeout: 'absolute' });
});
