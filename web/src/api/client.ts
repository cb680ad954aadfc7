// The typed HTTP client: paths, bodies and answers come from schema.d.ts (generated from the API's OpenAPI document).
import { ApiError } from './api-error.ts';
import type { paths } from './schema';

type Method = 'get' | 'post' | 'put' | 'patch' | 'delete';
type PathWith<M extends Method> = { [P in keyof paths]-?: paths[P][M] extends { responses: unknown } ? P : never }[keyof paths];
type Operation<P extends keyof paths, M extends Method> = NonNullable<paths[P][M]>;
/** Routes that declare no answer schema give `unknown`: the caller states what it expects. */
type JsonOf<R> = R extends { content: { 'application/json': infer T } } ? T : unknown;
type AnswerOf<O> = O extends { responses: infer R } ? (200 extends keyof R ? JsonOf<R[200]> : 201 extends keyof R ? JsonOf<R[201]> : undefined) : never;
type BodyOf<O> = O extends { requestBody: { content: { 'application/json': infer B } } } ? B : O extends { requestBody?: { content: { 'application/json': infer B } } } ? B | undefined : undefined;
type QueryOf<O> = O extends { parameters: { query?: infer Q } } ? Q : undefined;

export type ApiAnswer<P extends PathWith<M>, M extends Method> = AnswerOf<Operation<P, M>>;
export type ApiBody<P extends PathWith<M>, M extends Method> = BodyOf<Operation<P, M>>;

export interface CallOptions<P extends PathWith<M>, M extends Method> {
  readonly path?: Readonly<Record<string, string>>;
  readonly query?: QueryOf<Operation<P, M>>;
  readonly body?: BodyOf<Operation<P, M>>;
  readonly signal?: AbortSignal;
}

const CSRF_KEY = 'writ.csrf';
let unauthorizedListener: ((path: string) => void) | undefined;

/** The CSRF token given at sign-in; kept so unsafe calls from any tab of this browser carry it. It is never shown. */
export const csrfToken = {
  get: (): string | null => globalThis.localStorage.getItem(CSRF_KEY),
  set: (token: string): void => {
    globalThis.localStorage.setItem(CSRF_KEY, token);
  },
  clear: (): void => {
    globalThis.localStorage.removeItem(CSRF_KEY);
  },
};

/** Called on every 401 except a failed sign-in: the session ended (expired, signed out elsewhere, revoked). */
export function onUnauthorized(listener: ((path: string) => void) | undefined): void {
  unauthorizedListener = listener;
}

/** Builds `/api/v1/requests/{id}/approve` + `{ id }` + query into a URL. */
export function urlOf(template: string, path: Readonly<Record<string, string>> | undefined, query: object | undefined): string {
  const filled = template.replace(/\{(\w+)\}/g, (_match, name: string) => {
    const value = path?.[name];
    if (value === undefined) throw new Error(`missing path parameter "${name}" for ${template}`);
    return encodeURIComponent(value);
  });
  const search = new URLSearchParams();
  for (const [key, value] of Object.entries(query ?? {}) as [string, unknown][]) {
    if (value === undefined || value === null || value === '') continue;
    for (const item of Array.isArray(value) ? (value as unknown[]) : [value]) search.append(key, String(item));
  }
  const text = search.toString();
  return text === '' ? filled : `${filled}?${text}`;
}

async function failureOf(response: Response): Promise<ApiError> {
  const text = await response.text().catch(() => '');
  try {
    const problem = JSON.parse(text) as { title?: unknown; detail?: unknown };
    return new ApiError(response.status, typeof problem.title === 'string' ? problem.title : 'error', typeof problem.detail === 'string' ? problem.detail : response.statusText);
  } catch {
    return new ApiError(response.status, 'error', `the server answered ${response.status} ${response.statusText}`);
  }
}

/**
 * Calls the API with the session cookie (and the CSRF header on changes).
 * @example const page = await api('get', '/api/v1/grants', { query: { view: 'mine', limit: 20 } })
 */
export async function api<M extends Method, P extends PathWith<M>>(method: M, path: P, options: CallOptions<P, M> = {}): Promise<ApiAnswer<P, M>> {
  const headers: Record<string, string> = { accept: 'application/json' };
  const csrf = csrfToken.get();
  if (method !== 'get' && csrf !== null) headers['x-csrf-token'] = csrf;
  if (options.body !== undefined) headers['content-type'] = 'application/json';
  const response = await fetch(urlOf(path, options.path, options.query ?? undefined), {
    method: method.toUpperCase(),
    headers,
    credentials: 'same-origin',
    ...(options.body === undefined ? {} : { body: JSON.stringify(options.body) }),
    ...(options.signal === undefined ? {} : { signal: options.signal }),
  });
  if (!response.ok) {
    const failure = await failureOf(response);
    if (response.status === 401 && path !== '/api/v1/auth/login') unauthorizedListener?.(path);
    throw failure;
  }
  if (response.status === 204) return undefined as ApiAnswer<P, M>;
  return (await response.json()) as ApiAnswer<P, M>;
}
