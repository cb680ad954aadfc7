// Says "log" on a change feed when the log grew, reading its size only while someone listens for it.
import type { ChangeFeed } from './stream-routes.ts';

export interface LogGrowthWatch {
  /** A listener arrives; the returned function says it left. The first one starts the reads, the last one to leave stops them. */
  join(): () => void;
  /** Stops the reads whoever listens (the server is closing). */
  stop(): void;
}

/**
 * One watch per process: `size` (the latest checkpoint's) is read every `pollMs`, one read at a time, so it sees entries that any
 * process integrated; the first read only sets the baseline.
 * @example const watch = createLogGrowthWatch({ feed, size: readSize, pollMs: 2000, onError: log }); const leave = watch.join(); leave();
 */
export function createLogGrowthWatch(deps: { readonly feed: ChangeFeed; readonly size: () => Promise<number>; readonly pollMs: number; readonly onError: (error: unknown) => void }): LogGrowthWatch {
  let listeners = 0;
  let timer: NodeJS.Timeout | undefined;
  let lastSize: number | undefined;
  let reading = false;
  const read = async (): Promise<void> => {
    timer = undefined;
    reading = true;
    try {
      const size = await deps.size();
      if (lastSize !== undefined && size > lastSize) deps.feed.publish('log');
      lastSize = size;
    } catch (error) {
      deps.onError(error);
    }
    reading = false;
    if (listeners > 0) timer = setTimeout(() => void read(), deps.pollMs);
  };
  const stop = (): void => {
    if (timer !== undefined) clearTimeout(timer);
    timer = undefined;
    lastSize = undefined;
  };
  return {
    join() {
      listeners += 1;
      // A read still under way carries on and schedules the next.
      if (listeners === 1 && !reading) void read();
      let left = false;
      return () => {
        if (left) return;
        left = true;
        listeners -= 1;
        if (listeners === 0) stop();
      };
    },
    stop() {
      listeners = 0;
      stop();
    },
  };
}
