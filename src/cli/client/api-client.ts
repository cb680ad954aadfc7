// A small HTTP client for the CLI: JSON in and out, the stored token as bearer, problem+json answers as AppErrors.
import type { z } from 'zod';
import { AppError, appErrorCodes, type AppErrorCode } from '../../shared/app-error.ts';

type HttpMethod = 'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE';
interface CallOptions {
  readonly body?: unknown;
  readonly query?: Readonly<Record<string, string | number | undefined>>;
}

export interface ApiClient {
  readonly server: string;
  /** Sends the request and checks the answer against `answer` (undefined for 204 answers). */
  call<S extends z.ZodType>(method: HttpMethod, path: string, answer: S, options?: CallOptions): Promise<z.infer<S>>;
}

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

/**
 * Creates a client for `server`; `token` (when given) is sent as a bearer token.
 * @example await createApiClient('http://127.0.0.1:7070', token).call('GET', '/api/v1/auth/me')
 */
export function createApiClient(server: string, token: string | undefined, fetchImpl: typeof fetch = fetch): ApiClient {
  const base = server.replace(/\/+$/, '');
  return {
    server: base,
    async call<S extends z.ZodType>(method: HttpMethod, path: string, answer: S, options: CallOptions = {}): Promise<z.infer<S>> {
      const url = new URL(base + path);
      for (const [key, value] of Object.entries(options.query ?? {})) if (value !== undefined) url.searchParams.set(key, String(value));
      const headers: Record<string, string> = { accept: 'application/json' };
      if (token !== undefined) headers.authorization = `Bearer ${token}`;
      if (options.body !== undefined) headers['content-type'] = 'application/json';
      let response: Response;
      try {
        response = await fetchImpl(url, { method, headers, ...(options.body === undefined ? {} : { body: JSON.stringify(options.body) }) });
      } catch (error) {
        throw new AppError('unavailable', `cannot reach the Writ server at ${base}: ${(error as Error).message}; is writ serve running? (--server URL)`, { cause: error });
      }
      if (!response.ok) throw await errorOf(response);
      const body: unknown = response.status === 204 ? undefined : await response.json().catch(() => {
        throw new AppError('unavailable', `the server at ${base} answered ${method} ${path} with something that is not JSON; is it a Writ server?`);
      });
      const parsed = answer.safeParse(body);
      if (!parsed.success) throw new AppError('internal', `the server's answer to ${method} ${path} is not what this CLI expects (a version mismatch?)`);
      return parsed.data;
    },
  };
}
