// Component tests' stand-in for the HTTP API: answers by method and path (with query), records what was asked.
import { QueryClient } from '@tanstack/react-query';
import { vi } from 'vitest';

export type FakeAnswer = { readonly status: number; readonly body?: unknown } | ((request: { url: URL; body: unknown }) => { status: number; body?: unknown });

export interface FakeApi {
  /** "GET /api/v1/auth/me" or "GET /api/v1/grants?view=mine&state=open&limit=20" (exact query), matched in that order. */
  on(route: string, answer: FakeAnswer): FakeApi;
  readonly calls: string[];
}

/** Replaces fetch for one test (restore with vi.unstubAllGlobals()). */
export function installFakeApi(): FakeApi {
  const routes = new Map<string, FakeAnswer>();
  const calls: string[] = [];
  const fake: FakeApi = {
    on(route, answer) {
      routes.set(route, answer);
      return fake;
    },
    calls,
  };
  vi.stubGlobal('fetch', (input: string, init?: RequestInit) => {
    const url = new URL(input, 'http://localhost');
    const method = (init?.method ?? 'GET').toUpperCase();
    const withQuery = `${method} ${url.pathname}${url.search}`;
    calls.push(withQuery);
    const answer = routes.get(withQuery) ?? routes.get(`${method} ${url.pathname}`);
    const body: unknown = typeof init?.body === 'string' ? JSON.parse(init.body) : undefined;
    const { status, body: payload } = answer === undefined ? { status: 404, body: { title: 'not_found', detail: `no fake for ${withQuery}` } } : typeof answer === 'function' ? answer({ url, body }) : answer;
    const type = status >= 400 ? 'application/problem+json' : 'application/json';
    return Promise.resolve(new Response(status === 204 ? null : JSON.stringify(payload ?? {}), { status, headers: { 'content-type': type } }));
  });
  return fake;
}

export const fakeUser = (username: string, roles: string[] = ['user']) => ({
  id: `id-${username}`,
  username,
  displayName: username,
  email: null,
  kind: 'person',
  roles,
  disabled: false,
  mustChangePassword: false,
  createdAt: '2026-11-01T00:00:00.000Z',
  updatedAt: '2026-11-01T00:00:00.000Z',
});

export const fakeMe = (username: string, roles: string[] = ['user']) => ({ user: fakeUser(username, roles), groups: [], via: 'session', scopes: [] });

export const unauthorized = { status: 401, body: { title: 'unauthorized', detail: 'this needs credentials' } } as const;

/** Failures show at once in tests (the dashboard retries twice in a browser). */
export function testQueryClient(): QueryClient {
  return new QueryClient({ defaultOptions: { queries: { retry: false } } });
}
