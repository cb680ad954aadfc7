// A whole Writ (store, identity, access, HTTP API) on a test database, with the example policy and a cast of users.
import { readFileSync } from 'node:fs';
import type { FastifyInstance } from 'fastify';
import { openApp, type WritApp } from '../../app.ts';
import { loadConfig } from '../../config/load-config.ts';
import { createManualClock } from '../../shared/clock.ts';
import { createTestDatabase } from '../../storage/testing/test-databases.ts';
import { buildServer } from '../server.ts';
import { writApiOptions } from '../writ-api.ts';
import pino from 'pino';

export const ADMIN_PASSWORD = 'harness-root-secret-1';
/** Mondays at 07:00 UTC: outside the example's working hours, so nothing is auto-approved by time. */
export const HARNESS_START_MS = Date.UTC(2026, 10, 23, 6, 0, 0);

export interface InjectResult {
  readonly status: number;
  readonly body: Record<string, unknown>;
  readonly headers: Record<string, unknown>;
}

export interface ApiHarness {
  readonly app: WritApp;
  readonly server: FastifyInstance;
  readonly clock: ReturnType<typeof createManualClock>;
  /** CLI tokens of the cast: admin, alice (engineers), bob (db-leads), sam (security), carol (auditor), dave (no group). */
  readonly tokens: Readonly<Record<'admin' | 'alice' | 'bob' | 'sam' | 'carol' | 'dave', string>>;
  call(method: 'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE', url: string, options?: { token?: string | undefined; body?: unknown; headers?: Record<string, string> }): Promise<InjectResult>;
  close(): Promise<void>;
}

async function inject(server: FastifyInstance, method: 'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE', url: string, options: { token?: string | undefined; body?: unknown; headers?: Record<string, string> } = {}): Promise<InjectResult> {
  const headers: Record<string, string> = { ...options.headers };
  if (options.token !== undefined) headers.authorization = `Bearer ${options.token}`;
  const response = await server.inject({ method, url, headers, ...(options.body === undefined ? {} : { payload: options.body as object }) });
  const text = response.body;
  const body = text === '' ? {} : (JSON.parse(text) as Record<string, unknown>);
  return { status: response.statusCode, body, headers: response.headers };
}

async function tokenFor(server: FastifyInstance, username: string, password: string): Promise<string> {
  const answer = await inject(server, 'POST', '/api/v1/auth/cli-token', { body: { username, password, newPassword: `${password}-changed` } });
  if (answer.status !== 200) {
    const direct = await inject(server, 'POST', '/api/v1/auth/cli-token', { body: { username, password } });
    if (direct.status !== 200) throw new Error(`cannot sign in ${username}: ${JSON.stringify(direct.body)}`);
    return String(direct.body.token);
  }
  return String(answer.body.token);
}

/** @example const h = await createApiHarness('sqlite'); await h.call('GET', '/api/v1/auth/me', { token: h.tokens.alice }) */
export async function createApiHarness(backend: 'sqlite' | 'postgres', options: { env?: NodeJS.ProcessEnv; readToken?: string } = {}): Promise<ApiHarness> {
  const db = await createTestDatabase(backend);
  const clock = createManualClock(HARNESS_START_MS);
  const config = loadConfig({ dataDir: db.dataDir, pgUrl: db.pgUrl, adminPassword: ADMIN_PASSWORD, logLevel: 'silent', logOrigin: 'test.writ/log' }, options.env ?? {}, undefined);
  const logger = pino({ level: 'silent' });
  // Sign-in delays pass on the manual clock, so throttling is tested without waiting.
  const sleep = (ms: number): Promise<void> => {
    clock.advanceMs(ms);
    return Promise.resolve();
  };
  const app = await openApp(config, { clock, logger, sleep });
  await app.identity.bootstrapAdmin({ password: ADMIN_PASSWORD });
  const server = buildServer({ store: app.store, logger, readToken: options.readToken, api: writApiOptions({ ...app, onAccessChanged: () => undefined }) });
  await server.ready();
  const admin = await tokenFor(server, 'admin', ADMIN_PASSWORD);
  const cast = [
    ['alice', 'engineers', []],
    ['bob', 'db-leads', []],
    ['sam', 'security', []],
    ['carol', undefined, ['auditor']],
    ['dave', undefined, []],
  ] as const;
  for (const group of ['engineers', 'db-leads', 'security', 'oncall']) await inject(server, 'POST', '/api/v1/groups', { token: admin, body: { name: group } });
  const tokens: Record<string, string> = { admin };
  for (const [name, group, roles] of cast) {
    const password = `harness-secret-9-${group ?? 'none'}-${roles.length}`;
    const created = await inject(server, 'POST', '/api/v1/users', { token: admin, body: { username: name, password, roles: [...roles] } });
    if (created.status !== 201) throw new Error(`cannot create ${name}: ${JSON.stringify(created.body)}`);
    if (group !== undefined) await inject(server, 'PUT', `/api/v1/groups/${group}/members/${name}`, { token: admin });
    tokens[name] = await tokenFor(server, name, password);
  }
  const policy = readFileSync(new URL('../../../examples/writ.policy.yaml', import.meta.url), 'utf8');
  const applied = await inject(server, 'PUT', '/api/v1/policy', { token: admin, body: { text: policy } });
  if (applied.status !== 200) throw new Error(`cannot apply the example policy: ${JSON.stringify(applied.body)}`);
  return {
    app,
    server,
    clock,
    tokens: tokens as ApiHarness['tokens'],
    call: (method, url, options) => inject(server, method, url, options),
    async close() {
      await server.close();
      await app.close();
      await db.dispose();
    },
  };
}
