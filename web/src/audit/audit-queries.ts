// Server state of the audit pages: the events search (cursor pages), one event with its proof, the log's keys and its tiles.
import { useInfiniteQuery, useQuery } from '@tanstack/react-query';
import { ApiError } from '../api/api-error.ts';
import { api, type ApiAnswer } from '../api/client.ts';
import { eventsQueryOf, type AuditFilters } from './audit-filters.ts';

export type EventsPage = ApiAnswer<'/api/v1/events', 'get'>;
export type LoggedEvent = EventsPage['events'][number];
export type AuditEvent = LoggedEvent['event'];
export type EventWithProof = ApiAnswer<'/api/v1/events/{id}', 'get'>;
export type LogKeys = ApiAnswer<'/api/v1/log/verifier-key', 'get'>;

export const EVENTS_PAGE_SIZE = 50;
/** Marks a live tail's query: the stream's "log" notices refetch it (use-live-updates.ts), no polling. */
export const LIVE_TAIL_META = { liveTail: true } as const;

/** Events matching the filters, newest first (or oldest first), a page at a time with the server's cursor. */
export function useEvents(filters: AuditFilters, options: { readonly live?: boolean; readonly order?: 'desc' | 'asc'; readonly limit?: number; readonly enabled?: boolean } = {}) {
  const limit = options.limit ?? EVENTS_PAGE_SIZE;
  const order = options.order ?? 'desc';
  return useInfiniteQuery({
    queryKey: ['events', filters, order, limit],
    queryFn: ({ pageParam, signal }) => api('get', '/api/v1/events', { query: eventsQueryOf(filters, pageParam, limit, order), signal }),
    initialPageParam: undefined as string | undefined,
    getNextPageParam: (last) => last.next ?? undefined,
    enabled: options.enabled ?? true,
    ...(options.live === true ? { meta: LIVE_TAIL_META } : {}),
  });
}

/** All events of the pages loaded so far. */
export function eventsOf(data: { pages: readonly EventsPage[] } | undefined): LoggedEvent[] {
  return data?.pages.flatMap((page) => page.events) ?? [];
}

export function useEventWithProof(id: string | undefined) {
  return useQuery({
    queryKey: ['event', id],
    queryFn: ({ signal }) => api('get', '/api/v1/events/{id}', { path: { id: id ?? '' }, signal }),
    enabled: id !== undefined,
  });
}

export function useLogKeys() {
  return useQuery({ queryKey: ['log-keys'], queryFn: ({ signal }) => api('get', '/api/v1/log/verifier-key', { signal }), staleTime: Infinity });
}

/** Public log paths (/log/…, /healthz) are outside the typed API: plain fetches with the same errors. */
export async function fetchPublic(path: string, signal: AbortSignal | undefined): Promise<Response> {
  const response = await fetch(path, { credentials: 'same-origin', ...(signal === undefined ? {} : { signal }) });
  if (!response.ok) throw new ApiError(response.status, 'error', `${path} answered ${response.status} ${response.statusText}`.trim());
  return response;
}
