// The monitor's LogFetcher over HTTP: a log's checkpoint, tiles and entry bundles, with timeouts, size limits and no redirect to another host.
import type { LogFetcher } from '../../../ledger/log-monitor.ts';
import { entriesPath, tilePath } from '../../../ledger/tiles.ts';
import { AppError, isAppError } from '../../../shared/app-error.ts';
import { readLimitedBody } from '../../../shared/read-limited-body.ts';

/** A checkpoint with its signature and cosignature lines fits easily; anything larger is refused unread. */
export const MAX_CHECKPOINT_BYTES = 64 * 1024;
const HASH_BYTES = 32;
const MAX_ENTRY_BYTES = 0xffff;
const MAX_REDIRECTS = 3;
const REDIRECTS = new Set([301, 302, 303, 307, 308]);

export interface MonitorFetcherOptions {
  /** The log's prefix (from logPrefix): tiles are at `<prefix>tile/...`. */
  readonly prefix: URL;
  /** Sent as a bearer token with entry bundle requests only. */
  readonly readToken: string | undefined;
  readonly timeoutMs: number;
  /** Aborts every request still running (the end of a check). */
  readonly signal?: AbortSignal;
  readonly fetch?: typeof fetch;
}

/**
 * The tlog-tiles prefix of the log at `url`: a Writ server's URL gets `/log/` appended, a URL ending in `/log` is
 * taken as is. Refuses other schemes, credentials in the URL, queries and fragments.
 * @example logPrefix('https://writ.example.com').href // 'https://writ.example.com/log/'
 */
export function logPrefix(url: string): URL {
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    throw new AppError('invalid_input', `--url "${url.slice(0, 200)}" is not a URL (e.g. https://writ.example.com)`);
  }
  if (parsed.protocol !== 'http:' && parsed.protocol !== 'https:') throw new AppError('invalid_input', `--url must be http or https, not ${parsed.protocol}`);
  if (parsed.username !== '' || parsed.password !== '') throw new AppError('invalid_input', '--url must not carry credentials (give the read token with --read-token)');
  if (parsed.search !== '' || parsed.hash !== '') throw new AppError('invalid_input', '--url must have no query or fragment');
  const path = parsed.pathname.replace(/\/+$/, '');
  parsed.pathname = path.endsWith('/log') ? `${path}/` : `${path}/log/`;
  return parsed;
}

function unavailable(message: string, cause?: unknown): AppError {
  return new AppError('unavailable', message, cause === undefined ? undefined : { cause });
}

function describeFailure(error: unknown, url: URL, timeoutMs: number): AppError {
  if (error instanceof AppError) return error;
  const name = error instanceof Error ? error.name : '';
  if (name === 'TimeoutError') return unavailable(`GET ${url.href} took longer than ${timeoutMs / 1000} s`, error);
  if (name === 'AbortError') return unavailable(`GET ${url.href} was cancelled`, error);
  const cause = error instanceof Error && error.cause instanceof Error ? error.cause : undefined;
  const code = (cause as NodeJS.ErrnoException | undefined)?.code;
  return unavailable(`cannot reach ${url.origin} (GET ${url.pathname}): ${code ?? cause?.message ?? (error instanceof Error ? error.message : String(error))}`, error);
}

function resolveLocation(location: string, base: URL): URL | undefined {
  try {
    return new URL(location, base);
  } catch {
    return undefined;
  }
}

function statusError(status: number, url: URL, entries: boolean): AppError {
  if (entries && (status === 401 || status === 403)) {
    return new AppError('unauthorized', `the server refused entry bundle ${url.pathname} (HTTP ${status}): give the log read token with --read-token or WRIT_LOG_READ_TOKEN`);
  }
  return new AppError('unavailable', `GET ${url.href} answered HTTP ${status}`, { details: { status } });
}

/**
 * Creates a fetcher of the log at `prefix`. Every answer is checked for its status and size (a tile must be exactly
 * width·32 bytes, a bundle at most width·65,537); redirects are followed only within the same origin.
 * @example const fetcher = createMonitorFetcher({ prefix: logPrefix(url), readToken, timeoutMs: 30_000 })
 */
export function createMonitorFetcher(options: MonitorFetcherOptions): LogFetcher {
  const fetchImpl = options.fetch ?? globalThis.fetch;
  const get = async (path: string, limit: number, entries: boolean): Promise<Uint8Array> => {
    let url = new URL(path, options.prefix);
    for (let hop = 0; ; hop++) {
      const signals = [AbortSignal.timeout(options.timeoutMs), ...(options.signal === undefined ? [] : [options.signal])];
      const headers: Record<string, string> = entries && options.readToken !== undefined ? { authorization: `Bearer ${options.readToken}` } : {};
      let response: Response;
      try {
        response = await fetchImpl(url, { redirect: 'manual', headers, signal: AbortSignal.any(signals) });
        if (!REDIRECTS.has(response.status)) {
          if (response.status !== 200) {
            await response.body?.cancel();
            throw statusError(response.status, url, entries);
          }
          const body = await readLimitedBody(response, limit);
          if (body === undefined) throw unavailable(`the server's answer to GET ${url.href} is larger than ${limit} bytes: refused`);
          return body;
        }
      } catch (error) {
        throw describeFailure(error, url, options.timeoutMs);
      }
      await response.body?.cancel();
      const location = response.headers.get('location');
      const next = location === null ? undefined : resolveLocation(location, url);
      if (next?.origin !== options.prefix.origin) {
        throw unavailable(`GET ${url.href} redirects to ${next?.origin ?? 'nowhere'}, another host: not followed`);
      }
      if (hop >= MAX_REDIRECTS) throw unavailable(`GET ${options.prefix.href}${path} redirects more than ${MAX_REDIRECTS} times`);
      url = next;
    }
  };
  return {
    async checkpoint() {
      const bytes = await get('checkpoint', MAX_CHECKPOINT_BYTES, false);
      try {
        return new TextDecoder('utf-8', { fatal: true }).decode(bytes);
      } catch (cause) {
        throw new AppError('ledger_inconsistent', 'the checkpoint served does not verify: it is not UTF-8 text', { cause });
      }
    },
    async tile(coord) {
      const path = tilePath(coord);
      const bytes = await get(path, coord.width * HASH_BYTES, false);
      if (bytes.length !== coord.width * HASH_BYTES) throw unavailable(`the server sent ${bytes.length} bytes for ${path}, not ${coord.width * HASH_BYTES}`);
      return bytes;
    },
    async entryBundle(index, width) {
      try {
        return await get(entriesPath(index, width), width * (2 + MAX_ENTRY_BYTES), true);
      } catch (error) {
        // 410: the log's retention removed entries of this bundle; their leaf hashes stay in the tiles.
        if (isAppError(error) && error.details?.status === 410) return 'removed';
        throw error;
      }
    },
  };
}
