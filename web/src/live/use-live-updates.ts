// Live updates: the API's server-sent events stream says when requests or grants changed, or the log grew; the lists refetch.
import { useQueryClient } from '@tanstack/react-query';
import { useEffect, useState } from 'react';
import { ME_KEY } from '../auth/session-context.tsx';

export const STREAM_URL = '/api/v1/stream';
/** Query keys whose data follows requests and grants. */
export const ACCESS_QUERY_KEYS = [['requests'], ['grants']] as const;

export type LiveState = 'connecting' | 'open' | 'off';

/** Keeps one EventSource open while mounted; refetches access data on every change and after each reconnect. */
export function useLiveUpdates(): LiveState {
  const queryClient = useQueryClient();
  const [state, setState] = useState<LiveState>(typeof EventSource === 'undefined' ? 'off' : 'connecting');
  useEffect(() => {
    if (typeof EventSource === 'undefined') return undefined;
    const refetch = (): void => {
      for (const queryKey of ACCESS_QUERY_KEYS) void queryClient.invalidateQueries({ queryKey });
    };
    // Only a live tail follows the log: other event lists stay as read, so paging through them is not disturbed.
    const refetchLiveTail = (): void => {
      void queryClient.invalidateQueries({ predicate: (query) => query.meta?.liveTail === true });
    };
    const source = new EventSource(STREAM_URL);
    let opened = false;
    source.addEventListener('open', () => {
      // Changes made while disconnected were not announced: catch up once per (re)connection.
      if (opened) {
        refetch();
        refetchLiveTail();
      }
      opened = true;
      setState('open');
    });
    source.addEventListener('access', refetch);
    source.addEventListener('log', refetchLiveTail);
    source.addEventListener('error', () => {
      setState('connecting');
      // A closed stream (not a retry) usually means the session ended: asking who we are lets the 401 take us to sign-in.
      if (source.readyState === EventSource.CLOSED) void queryClient.invalidateQueries({ queryKey: ME_KEY });
    });
    return () => {
      source.close();
    };
  }, [queryClient]);
  return state;
}
