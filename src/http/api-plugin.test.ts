// The /api foundation: deny by default, 401 versus 403, problem+json for every error, request ids, rate limits, OpenAPI.
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import pino from 'pino';
import type { FastifyInstance, LightMyRequestResponse } from 'fastify';
import { z } from 'zod';
import type { LedgerStore } from '../ledger/ledger-store.ts';
import { AppError } from '../shared/app-error.ts';
import { ADMINS, requireAccess, type ApiPrincipal, type Authenticator } from './api-auth.ts';
import type { ApiRoutes } from './api-plugin.ts';
import { buildServer } from './server.ts';

const principals: Record<string, ApiPrincipal> = {
  'Bearer auditor-token': { userId: 'u1', username: 'ada', roles: ['auditor'], scopes: ['log:read', 'requests:read'], via: 'session' },
  'Bearer writer-token': { userId: 'u2', username: 'svc', roles: ['admin'], scopes: ['events:write'], via: 'token' },
  'Bearer narrow-token': { userId: 'u1', username: 'ada', roles: ['auditor'], scopes: ['requests:read'], via: 'token' },
  'Bearer admin-token': { userId: 'u3', username: 'root', roles: ['admin'], scopes: ['admin'], via: 'token' },
};
const authenticator: Authenticator = { authenticate: (request) => Promise.resolve(principals[request.authorization ?? '']) };

const testRoutes: ApiRoutes = (api) => {
  api.get('/v1/open', { auth: 'public' }, (request) => ({ who: request.principal?.username ?? null }));
  api.get('/v1/anyone', { auth: { scopes: 'any' } }, (request) => ({ who: request.principal?.username }));
  api.get('/v1/audit', { auth: { roles: ['auditor', 'admin'], scopes: ['log:read'] } }, () => ({ ok: true }));
  api.get('/v1/admin-inside', { auth: { scopes: 'any' } }, async (request) => {
    await requireAccess(request, ADMINS);
    return { ok: true };
  });
  api.get('/v1/numbers', { auth: { scopes: 'any' }, schema: { querystring: z.strictObject({ limit: z.coerce.number().int().max(5) }) } }, (request) => ({ limit: request.query.limit }));
  api.get('/v1/broken', { auth: 'public' }, () => {
    throw new Error('connect ECONNREFUSED 10.0.0.7:5432 password=hunter2');
  });
  api.get('/v1/busy', { auth: 'public', config: { rateLimit: { max: 2, timeWindow: 60_000 } } }, () => ({ ok: true }));
  api.post('/v1/echo', { auth: 'public', schema: { body: z.strictObject({ name: z.string().max(3) }) } }, (request) => request.body);
  api.get('/v1/conflict', { auth: 'public' }, () => {
    throw new AppError('conflict', 'that name is taken', { details: { name: 'x' } });
  });
};

const store = { latestCheckpoint: () => Promise.resolve(undefined) } as unknown as LedgerStore;

function assertProblem(response: LightMyRequestResponse, status: number, code: string): Record<string, unknown> {
  assert.equal(response.statusCode, status, response.body);
  assert.equal(response.headers['content-type'], 'application/problem+json; charset=utf-8');
  const body = response.json<Record<string, unknown>>();
  assert.equal(body.status, status);
  assert.equal(body.title, code);
  assert.equal(body.type, `urn:writ:problem:${code}`);
  assert.equal(typeof body.detail, 'string');
  assert.equal(body.requestId, response.headers['x-request-id']);
  return body;
}

describe('the /api foundation', () => {
  let server: FastifyInstance;
  before(async () => {
    server = buildServer({ store, logger: pino({ level: 'silent' }), readToken: undefined, api: { authenticator, routes: [testRoutes] } });
    await server.ready();
  });
  after(() => server.close());

  const get = (url: string, authorization?: string): Promise<LightMyRequestResponse> =>
    server.inject({ method: 'GET', url, headers: authorization === undefined ? {} : { authorization } });

  test('a route that declares nothing needs credentials: 401 with a challenge, then 200', async () => {
    const denied = await get('/api/v1/anyone');
    assertProblem(denied, 401, 'unauthorized');
    assert.equal(denied.headers['www-authenticate'], 'Bearer realm="writ"');
    assertProblem(await get('/api/v1/anyone', 'Bearer unknown-token'), 401, 'unauthorized');
    const allowed = await get('/api/v1/anyone', 'Bearer writer-token');
    assert.deepEqual(allowed.json(), { who: 'svc' });
  });

  test('the wrong role or scope is 403, the right one 200; handlers can check more with requireAccess', async () => {
    const noScope = assertProblem(await get('/api/v1/audit', 'Bearer writer-token'), 403, 'forbidden');
    assert.match(String(noScope.detail), /lacks the "log:read" scope/);
    assert.equal((await get('/api/v1/audit', 'Bearer auditor-token')).statusCode, 200);
    assert.equal((await get('/api/v1/audit', 'Bearer admin-token')).statusCode, 200, 'the admin scope stands for every scope');
    assertProblem(await get('/api/v1/admin-inside', 'Bearer auditor-token'), 403, 'forbidden');
    assertProblem(await get('/api/v1/admin-inside'), 401, 'unauthorized');
  });

  test("a token has only its scopes, never its owner's other powers: the auditor's token without log:read is 403", async () => {
    const refused = assertProblem(await get('/api/v1/audit', 'Bearer narrow-token'), 403, 'forbidden');
    assert.match(String(refused.detail), /lacks the "log:read" scope/);
    const noRole = assertProblem(await get('/api/v1/admin-inside', 'Bearer writer-token'), 403, 'forbidden');
    assert.match(String(noRole.detail), /lacks the "admin" scope/);
    assert.deepEqual((await get('/api/v1/anyone', 'Bearer narrow-token')).json(), { who: 'ada' });
  });

  test('a route that declares no auth, or no scopes, does not register: nothing is open to tokens by default', async () => {
    const undeclared: ApiRoutes = (api) => {
      api.get('/v1/forgotten', {}, () => ({ ok: true }));
    };
    const noScopes: ApiRoutes = (api) => {
      api.get('/v1/empty', { auth: { scopes: [] as unknown as ['admin'] } }, () => ({ ok: true }));
    };
    for (const [routes, message] of [[undeclared, /GET \/api\/v1\/forgotten declares no auth/], [noScopes, /GET \/api\/v1\/empty declares no scopes/]] as const) {
      const broken = buildServer({ store, logger: pino({ level: 'silent' }), readToken: undefined, api: { authenticator, routes: [routes] } });
      await assert.rejects(async () => { await broken.ready(); }, message);
      await broken.close().catch(() => undefined);
    }
  });

  test('public routes need no credentials but see a principal when given one', async () => {
    assert.deepEqual((await get('/api/v1/open')).json(), { who: null });
    assert.deepEqual((await get('/api/v1/open', 'Bearer auditor-token')).json(), { who: 'ada' });
  });

  test('validation errors are 400 problems naming each field', async () => {
    const body = assertProblem(await get('/api/v1/numbers?limit=9&extra=1', 'Bearer auditor-token'), 400, 'invalid_input');
    const issues = body.issues as { path: string; message: string }[];
    assert.ok(issues.some((i) => i.path === 'querystring.limit'), JSON.stringify(issues));
    assert.ok(issues.some((i) => i.path === 'querystring' && i.message.includes('extra')), JSON.stringify(issues));
    const post = await server.inject({ method: 'POST', url: '/api/v1/echo', payload: { name: 'long' } });
    assert.deepEqual((assertProblem(post, 400, 'invalid_input').issues as { path: string }[]).map((i) => i.path), ['body.name']);
    assertProblem(await server.inject({ method: 'POST', url: '/api/v1/echo', headers: { 'content-type': 'application/json' }, payload: '{"name":' }), 400, 'invalid_input');
  });

  test('an unknown failure is a 500 that names only the request id, never the cause', async () => {
    const response = await get('/api/v1/broken');
    const body = assertProblem(response, 500, 'internal');
    assert.doesNotMatch(response.body, /ECONNREFUSED|hunter2|10\.0\.0\.7/);
    assert.match(String(body.detail), /request id/);
  });

  test('client errors keep their details; unknown paths are 404 problems', async () => {
    const body = assertProblem(await get('/api/v1/conflict'), 409, 'conflict');
    assert.equal(body.name, 'x');
    assertProblem(await get('/api/v1/nothing-here'), 404, 'not_found');
  });

  test('request ids are echoed when plain, generated otherwise', async () => {
    const echoed = await server.inject({ method: 'GET', url: '/api/v1/open', headers: { 'x-request-id': 'trace-42' } });
    assert.equal(echoed.headers['x-request-id'], 'trace-42');
    const forged = await server.inject({ method: 'GET', url: '/api/v1/open', headers: { 'x-request-id': 'a b\nc' } });
    assert.match(String(forged.headers['x-request-id']), /^[0-9a-f-]{36}$/);
  });

  test('a route can set a stricter rate limit: 429 problem with retry-after', async () => {
    assert.equal((await get('/api/v1/busy')).statusCode, 200);
    assert.equal((await get('/api/v1/busy')).statusCode, 200);
    const limited = await get('/api/v1/busy');
    assertProblem(limited, 429, 'rate_limited');
    assert.ok(limited.headers['retry-after'] !== undefined);
  });

  test('the OpenAPI 3.1 document is public JSON listing the routes with their security', async () => {
    const response = await get('/api/openapi.json');
    assert.equal(response.statusCode, 200);
    const document = JSON.parse(response.body) as { openapi: string; paths: Record<string, Record<string, { security?: unknown[] }>> };
    assert.equal(document.openapi, '3.1.0');
    assert.ok(document.paths['/api/v1/audit']?.get !== undefined);
    assert.deepEqual(document.paths['/api/v1/open']?.get?.security, []);
    const audit = document.paths['/api/v1/audit'].get as { security?: unknown[]; 'x-writ-roles'?: unknown };
    assert.deepEqual(audit.security, [{ bearerAuth: ['log:read'] }]);
    assert.deepEqual(audit['x-writ-roles'], ['auditor', 'admin']);
    assert.deepEqual(document.paths['/api/v1/anyone']?.get?.security, [{ bearerAuth: [] }]);
    assert.ok(document.paths['/api/v1/numbers']?.get !== undefined);
    const docs = await server.inject({ method: 'GET', url: '/api/docs/' });
    assert.equal(docs.statusCode, 200);
    assert.match(String(docs.headers['content-security-policy']), /script-src 'self'/);
  });

  test('security headers are on API answers', async () => {
    const response = await get('/api/v1/open');
    assert.equal(response.headers['x-content-type-options'], 'nosniff');
    assert.equal(response.headers['content-security-policy'], "default-src 'none'; frame-ancestors 'none'");
  });
});
