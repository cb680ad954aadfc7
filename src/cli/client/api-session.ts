// Which server a command talks to and with which token: --server, WRIT_SERVER, the stored login, the default; WRIT_TOKEN over the stored token.
import type { Command } from 'commander';
import { AppError, isAppError } from '../../shared/app-error.ts';
import type { CliIo } from '../cli-io.ts';
import { createApiClient, type ApiClient } from './api-client.ts';
import { credentialsPath, readCredentials, type StoredCredentials } from './credentials.ts';

export const DEFAULT_SERVER = 'http://127.0.0.1:7070';

export interface ApiSession {
  readonly client: ApiClient;
  readonly server: string;
  readonly credentialsFile: string;
  /** The stored login, whichever server it is for. */
  readonly stored: StoredCredentials | undefined;
  /** Where the bearer token comes from: WRIT_TOKEN, the stored login, or nowhere. */
  readonly tokenSource: 'env' | 'stored' | 'none';
}

/**
 * A server URL in one form (no trailing slash), or an error naming where it came from.
 * @example normaliseServer('http://127.0.0.1:7070/', '--server') // 'http://127.0.0.1:7070'
 */
export function normaliseServer(text: string, source: string): string {
  let url: URL;
  try {
    url = new URL(text);
  } catch {
    throw new AppError('invalid_input', `${source} "${text.slice(0, 200)}" is not a URL: give one such as ${DEFAULT_SERVER}`);
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') throw new AppError('invalid_input', `${source} "${text.slice(0, 200)}" must be an http:// or https:// URL`);
  if (url.username !== '' || url.password !== '') throw new AppError('invalid_input', `${source} must not carry a user name or password: use writ login`);
  return url.href.replace(/\/+$/, '');
}

/** --server, else WRIT_SERVER, else the stored login's server, else the default. */
export function resolveServer(flag: string | undefined, env: CliIo['env'], stored: StoredCredentials | undefined): string {
  if (flag !== undefined) return normaliseServer(flag, '--server');
  const fromEnv = env.WRIT_SERVER;
  if (fromEnv !== undefined && fromEnv !== '') return normaliseServer(fromEnv, 'WRIT_SERVER');
  return stored === undefined ? DEFAULT_SERVER : normaliseServer(stored.server, 'the stored login');
}

/** The stored login, or undefined when there is none or it cannot be read (a command that needs it says so). */
export function storedLogin(file: string): StoredCredentials | undefined {
  try {
    return readCredentials(file);
  } catch (error) {
    if (isAppError(error, 'config_invalid')) return undefined;
    throw error;
  }
}

function storedTokenFor(server: string, stored: StoredCredentials | undefined, nowMs: number): string | undefined {
  if (stored === undefined) return undefined;
  // The stored token belongs to the server it came from: never send it anywhere else.
  if (normaliseServer(stored.server, 'the stored login') !== server) return undefined;
  if (stored.expiresAt !== null && Date.parse(stored.expiresAt) <= nowMs) {
    throw new AppError('unauthorized', `your login to ${server} expired at ${stored.expiresAt}: run writ login`);
  }
  return stored.token;
}

function notLoggedIn(server: string, stored: StoredCredentials | undefined): AppError {
  const elsewhere = stored === undefined ? '' : ` (you are logged in to ${stored.server})`;
  return new AppError('unauthorized', `not logged in to ${server}${elsewhere}: run writ login${stored === undefined ? '' : ` --server ${server}`}, or set WRIT_TOKEN`);
}

/**
 * The API client for a command. `anonymous` commands (writ login) send no token.
 * @example const { client } = openApiSession(command, io); await client.call('GET', '/api/v1/auth/me', meAnswer)
 */
export function openApiSession(command: Command, io: CliIo, options: { anonymous?: boolean } = {}): ApiSession {
  const file = credentialsPath(io.env);
  const stored = storedLogin(file);
  const server = resolveServer(command.optsWithGlobals<{ server?: string }>().server, io.env, stored);
  const envToken = io.env.WRIT_TOKEN !== undefined && io.env.WRIT_TOKEN !== '' ? io.env.WRIT_TOKEN : undefined;
  let token: string | undefined;
  let tokenSource: ApiSession['tokenSource'] = 'none';
  if (options.anonymous !== true) {
    token = envToken ?? storedTokenFor(server, stored, io.nowMs());
    if (token === undefined) throw notLoggedIn(server, stored);
    tokenSource = envToken === undefined ? 'stored' : 'env';
  }
  return { client: createApiClient(server, token, { fetch: io.fetch }), server, credentialsFile: file, stored, tokenSource };
}
