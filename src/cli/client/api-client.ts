// A small HTTP client for the CLI: JSON in and out, the stored token as bearer, problem+json answers as AppErrors.
import type { z } from 'zod';
import { AppError, appErrorCodes, type AppErrorCode } from '../../shared/app-error.ts';

type HttpMethod = 'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE';
type QueryValue = string | number | readonly string[] | undefined;
interface CallOptions {
  readonly body?: unknown;
  /** Query parameters; an array repeats the parameter once per value. */
  readonly query?: Readonly<Record<string, QueryValue>>;
}

/** The checked answer and the JSON exactly as the server sent it (for `--json`, which must not lose fields). */
export interface Exchange<T> {
  readonly answer: T;
  readonly json: unknown;
}

export interface ApiClient {
  readonly server: string;
  /** Sends the request and checks the answer against `answer` (undefined for 204 answers). */
  call<S extends z.ZodType>(method: HttpMethod, path: string, answer: S, options?: CallOptions): Promise<z.infer<S>>;
  /** As `call`, also returning the JSON as sent. */
  exchange<S extends z.ZodType>(method: HttpMethod, path: string, answer: S, options?: CallOptions): Promise<Exchange<z.infer<S>>>;
}

export interface ApiClientOptions {
  readonly fetch?: typeof fetch;
  /** How long to wait for an answer before giving up (default 30 s). */
  readonly timeoutMs?: number;
}

const DEFAULT_TIMEOUT_MS = 30_000;

function codeOf(title: unknown, status: number): AppErrorCode {
  if (typeof title === 'string' && title in appErrorCodes) return title as AppErrorCode;
  if (status === 401) return 'unauthorized';
  if (status === 403) return 'forbidden';
  if (status === 404) return 'not_found';
  if (status === 409) return 'conflict';
  if (status >= 400 && status < 500) return 'invalid_input';
  return status === 503 ? 'unavailable' : 'internal';
}

async function errorOf(response: Response): Promise<AppError> {
  let body: unknown;
  try {
    body = await response.json();
  } catch {
    body = undefined;
  }
  const problem = typeof body === 'object' && body !== null ? (body as Record<string, unknown>) : {};
  const detail = typeof problem.detail === 'string' ? problem.detail : `the server answered ${response.status} ${response.statusText}`;
  const hint = response.status === 401 ? ' (run writ login)' : '';
  return new AppError(codeOf(problem.title, response.status), `${detail}${hint}`, { details: problem });
}

/** Why fetch failed, in words: node's fetch hides the socket error in `cause`. */
function networkReason(error: unknown, timeoutMs: number): string {
  if (error instanceof Error && error.name === 'TimeoutError') return `no answer within ${Math.round(timeoutMs / 1000)} s`;
  const cause = error instanceof Error ? (error.cause as { code?: unknown; message?: unknown } | undefined) : undefined;
  const code = typeof cause?.code === 'string' ? cause.code : undefined;
  if (code === 'ECONNREFUSED') return 'connection refused';
  if (code === 'ENOTFOUND' || code === 'EAI_AGAIN') return 'unknown host';
  if (code === 'ECONNRESET') return 'the connection was reset';
  if (typeof cause?.message === 'string') return cause.message;
  return error instanceof Error ? error.message : String(error);
}

function urlOf(base: string, path: string, query: Readonly<Record<string, QueryValue>>): URL {
  const url = new URL(base + path);
  for (const [key, value] of Object.entries(query)) {
    if (value === undefined) continue;
    if (typeof value === 'string' || typeof value === 'number') url.searchParams.set(key, String(value));
    else for (const item of value) url.searchParams.append(key, item);
  }
  return url;
}

/**
 * Creates a client for `server`; `token` (when given) is sent as a bearer token.
 * @example await createApiClient('http://127.0.0.1:7070', token).call('GET', '/api/v1/auth/me', meAnswer)
 */
export function createApiClient(server: string, token: string | undefined, options: ApiClientOptions = {}): ApiClient {
  const base = server.replace(/\/+$/, '');
  const fetchImpl = options.fetch ?? fetch;
  const timeoutMs = options.timeoutMs ?? DEFAULT_TIMEOUT_MS;
  async function exchange<S extends z.ZodType>(method: HttpMethod, path: string, answer: S, call: CallOptions = {}): Promise<Exchange<z.infer<S>>> {
    const headers: Record<string, string> = { accept: 'application/json' };
    if (token !== undefined) headers.authorization = `Bearer ${token}`;
    if (call.body !== undefined) headers['content-type'] = 'application/json';
    let response: Response;
    try {
      const body = call.body === undefined ? {} : { body: JSON.stringify(call.body) };
      response = await fetchImpl(urlOf(base, path, call.query ?? {}), { method, headers, signal: AbortSignal.timeout(timeoutMs), ...body });
    } catch (error) {
      throw new AppError('unavailable', `cannot reach the Writ server at ${base}: ${networkReason(error, timeoutMs)}; is writ serve running there? (--server URL or WRIT_SERVER)`, { cause: error });
    }
    if (!response.ok) throw await errorOf(response);
    const json: unknown = response.status === 204 ? undefined : await response.json().catch(() => {
      throw new AppError('unavailable', `the server at ${base} answered ${method} ${path} with something that is not JSON; is it a Writ server?`);
    });
    const parsed = answer.safeParse(json);
    if (!parsed.success) throw new AppError('internal', `the server's answer to ${method} ${path} is not what this CLI expects (a version mismatch?)`);
    return { answer: parsed.data, json };
  }
  return {
    server: base,
    exchange,
    async call(method, path, answer, call) {
      return (await exchange(method, path, answer, call)).answer;
    },
  };
}
