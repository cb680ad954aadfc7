// Server state of requests and grants: cursor-paginated lists (the server's limit and cursor) under keys the live stream refreshes.
import { useInfiniteQuery } from '@tanstack/react-query';
import { api, type ApiAnswer } from '../api/client.ts';

export type RequestView = ApiAnswer<'/api/v1/requests', 'get'>['items'][number];
export type GrantView = ApiAnswer<'/api/v1/grants', 'get'>['items'][number];
export type RequestStatus = 'pending' | 'approved' | 'denied' | 'cancelled' | 'expired';

export const PAGE_SIZE = 20;

/** Requests: mine, or those waiting for my review. */
export function useRequests(view: 'mine' | 'to-review', status?: RequestStatus, limit = PAGE_SIZE) {
  return useInfiniteQuery({
    queryKey: ['requests', view, status ?? 'any', limit],
    queryFn: ({ pageParam, signal }) => api('get', '/api/v1/requests', { query: { view, limit, ...(status === undefined ? {} : { status }), ...(pageParam === undefined ? {} : { cursor: pageParam }) }, signal }),
    initialPageParam: undefined as string | undefined,
    getNextPageParam: (last) => last.nextCursor ?? undefined,
  });
}

/** My grants, open (scheduled or active) or ended. */
export function useMyGrants(state: 'open' | 'ended', limit = PAGE_SIZE) {
  return useInfiniteQuery({
    queryKey: ['grants', 'mine', state, limit],
    queryFn: ({ pageParam, signal }) => api('get', '/api/v1/grants', { query: { view: 'mine', state, limit, ...(pageParam === undefined ? {} : { cursor: pageParam }) }, signal }),
    initialPageParam: undefined as string | undefined,
    getNextPageParam: (last) => last.nextCursor ?? undefined,
  });
}

/** All items of the pages loaded so far. */
export function itemsOf<T>(data: { pages: readonly { items: readonly T[] }[] } | undefined): T[] {
  return data?.pages.flatMap((page) => page.items) ?? [];
}
