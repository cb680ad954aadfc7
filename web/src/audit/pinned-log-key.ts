// A verifier key the auditor obtained independently, pinned in this browser: checks use it instead of the server's.
import { useCallback, useState } from 'react';

const PINNED_KEY = 'writ.pinnedLogKey';

export const pinnedLogKey = {
  get: (): string | null => globalThis.localStorage.getItem(PINNED_KEY),
  set: (key: string): void => {
    globalThis.localStorage.setItem(PINNED_KEY, key.trim());
  },
  clear: (): void => {
    globalThis.localStorage.removeItem(PINNED_KEY);
  },
};

export interface KeyChoice {
  /** The key checks use, and where it came from. */
  readonly text: string | undefined;
  readonly source: 'pinned' | 'server';
  readonly pinned: string | null;
  pin(key: string): void;
  unpin(): void;
}

/** The pinned key when there is one, else the one the server serves. */
export function useKeyChoice(served: string | undefined): KeyChoice {
  const [pinned, setPinned] = useState(() => pinnedLogKey.get());
  const pin = useCallback((key: string) => {
    pinnedLogKey.set(key);
    setPinned(pinnedLogKey.get());
  }, []);
  const unpin = useCallback(() => {
    pinnedLogKey.clear();
    setPinned(null);
  }, []);
  return { text: pinned ?? served, source: pinned === null ? 'server' : 'pinned', pinned, pin, unpin };
}
