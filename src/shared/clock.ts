// Time, injected so expiry, ordering and timestamps are testable.

export interface Clock {
  /** Milliseconds since the Unix epoch. */
  nowMs(): number;
}

export const systemClock: Clock = { nowMs: () => Date.now() };

/** A clock that only moves when told to, for tests. */
export function createManualClock(startMs: number): Clock & { advanceMs(deltaMs: number): void } {
  let current = startMs;
  return {
    nowMs: () => current,
    advanceMs: (deltaMs: number) => {
      current += deltaMs;
    },
  };
}
