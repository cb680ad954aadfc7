// Every API route names the scopes a token needs: a walk over the OpenAPI document, then the identity routes' matrix,
// sign-out revoking a bearer token, and who sees which groups. On SQLite only: no check here depends on the backend.
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { apiScopes } from '../identity/api-token.ts';
import { createApiHarness, type ApiHarness } from './testing/api-harness.ts';

type Method = 'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE';
interface Operation {
  readonly security?: { bearerAuth?: string[] }[];
  readonly 'x-writ-roles'?: string[];
}

/** The only routes open without credentials, and the only ones any token may call (they concern the credential itself). */
const PUBLIC = ['POST /api/v1/auth/login', 'POST /api/v1/auth/cli-token', 'GET /api/v1/log/verifier-key'];
const ANY_TOKEN = ['POST /api/v1/auth/logout', 'GET /api/v1/auth/me'];
const PASSWORD = 'route-scopes-secret-1';

describe('route scopes', () => {
  let h: ApiHarness;
  let operations: [string, Operation][] = [];
  const mint = async (owner: string, scopes: string[]): Promise<string> => {
    const created = await h.call('POST', '/api/v1/tokens', { token: owner, body: { name: scopes.join(' '), scopes } });
    assert.equal(created.status, 201, JSON.stringify(created.body));
    return String(created.body.token);
  };
  /** Signs a new plain user in with a browser session; answers its cookie and CSRF token. */
  const session = async (username: string, roles: string[]): Promise<{ cookie: string; csrf: string }> => {
    assert.equal((await h.call('POST', '/api/v1/users', { token: h.tokens.admin, body: { username, password: `${PASSWORD}-first`, roles } })).status, 201);
    assert.equal((await h.call('POST', '/api/v1/auth/cli-token', { body: { username, password: `${PASSWORD}-first`, newPassword: PASSWORD } })).status, 200);
    const login = await h.call('POST', '/api/v1/auth/login', { body: { username, password: PASSWORD } });
    assert.equal(login.status, 200, JSON.stringify(login.body));
    return { cookie: String(login.headers['set-cookie']).split(';', 1)[0] ?? '', csrf: String(login.body.csrfToken) };
  };

  before(async () => {
    h = await createApiHarness('sqlite');
    const document = await h.call('GET', '/api/openapi.json');
    const paths = document.body.paths as Record<string, Record<string, Operation>>;
    operations = Object.entries(paths).flatMap(([path, byMethod]) => Object.entries(byMethod).map(([method, op]): [string, Operation] => [`${method.toUpperCase()} ${path}`, op]));
  });
  after(() => h.close());

  test('every route in the OpenAPI document declares its own security: public, any token, or named scopes', () => {
    assert.ok(operations.length > 40, `only ${operations.length} operations`);
    for (const [route, op] of operations) {
      assert.ok(op.security !== undefined, `${route} inherits the document's security instead of declaring its own`);
      if (op.security.length === 0) {
        assert.ok(PUBLIC.includes(route), `${route} is public`);
        continue;
      }
      const scopes = op.security[0]?.bearerAuth;
      assert.ok(scopes !== undefined, `${route} names no bearer scopes`);
      if (scopes.length === 0) assert.ok(ANY_TOKEN.includes(route), `${route} lets any token through`);
      for (const scope of scopes) assert.ok((apiScopes as readonly string[]).includes(scope), `${route} names an unknown scope "${scope}"`);
    }
    const roles = Object.fromEntries(operations.map(([route, op]) => [route, op['x-writ-roles']]));
    assert.deepEqual(roles['GET /api/v1/users'], ['admin', 'auditor']);
    assert.deepEqual(roles['POST /api/v1/groups'], ['admin']);
  });

  test("an administrator's token holding a scope a route does not name gets 403 there, on every route", async () => {
    const pool = new Map<string, string>();
    for (const scope of apiScopes.filter((s) => s !== 'admin')) pool.set(scope, await mint(h.tokens.admin, [scope]));
    let walked = 0;
    for (const [route, op] of operations) {
      const scopes = op.security?.[0]?.bearerAuth ?? [];
      if (scopes.length === 0) continue;
      const [outside, token] = [...pool].find(([scope]) => !scopes.includes(scope)) ?? [];
      assert.ok(outside !== undefined && token !== undefined, `no scope outside ${scopes.join(', ')}`);
      const [method = 'GET', path = ''] = route.split(' ');
      const url = path.replace(/\{[^}]+\}/g, '0193f1e2-7c1a-7b3e-9f00-1c2d3e4f5a6b');
      const answer = await h.call(method as Method, url, { token, ...(method === 'GET' || method === 'DELETE' ? {} : { body: {} }) });
      assert.equal(answer.status, 403, `${route} with a "${outside}" token: ${JSON.stringify(answer.body)}`);
      assert.match(String(answer.body.detail), /lacks the .* scope/, route);
      walked += 1;
    }
    assert.ok(walked > 40, `walked only ${walked} routes`);
  });

  test('token management and the password need tokens:write and account:write; who am I needs no scope', async () => {
    const readOnly = await mint(h.tokens.alice, ['requests:read']);
    const keeper = await mint(h.tokens.alice, ['tokens:write']);
    const account = await mint(h.tokens.alice, ['account:write']);
    const expect = async (token: string, method: Method, url: string, status: number, body?: unknown): Promise<Record<string, unknown>> => {
      const answer = await h.call(method, url, { token, body });
      assert.equal(answer.status, status, `${method} ${url}: ${JSON.stringify(answer.body)}`);
      return answer.body;
    };
    const someTokenId = '0193f1e2-7c1a-7b3e-9f00-1c2d3e4f5a6b';
    for (const token of [readOnly, account]) {
      await expect(token, 'GET', '/api/v1/tokens', 403);
      await expect(token, 'POST', '/api/v1/tokens', 403, { name: 'more', scopes: ['requests:read'] });
      await expect(token, 'DELETE', `/api/v1/tokens/${someTokenId}`, 403);
    }
    for (const token of [readOnly, keeper]) {
      await expect(token, 'POST', '/api/v1/auth/password', 403, { currentPassword: 'wrong-guess-123', newPassword: 'another-secret-456' });
      await expect(token, 'PATCH', '/api/v1/users/alice', 403, { displayName: 'Mallory' });
    }
    await expect(keeper, 'GET', '/api/v1/tokens', 200);
    await expect(keeper, 'POST', '/api/v1/tokens', 403, { name: 'wider', scopes: ['requests:read'] });
    await expect(keeper, 'POST', '/api/v1/tokens', 201, { name: 'same', scopes: ['tokens:write'] });
    // Reaches the command, which judges the current password: 400, not 403.
    await expect(account, 'POST', '/api/v1/auth/password', 400, { currentPassword: 'wrong-guess-123', newPassword: 'another-secret-456' });
    await expect(account, 'PATCH', '/api/v1/users/alice', 200, { displayName: 'Alice A.' });
    await expect(account, 'PATCH', '/api/v1/users/bob', 403, { displayName: 'Bob?' });
    assert.deepEqual((await expect(readOnly, 'GET', '/api/v1/auth/me', 200)).scopes, ['requests:read']);
    const cli = (await expect(h.tokens.alice, 'GET', '/api/v1/auth/me', 200)).scopes as string[];
    assert.ok(cli.includes('tokens:write') && cli.includes('account:write'), `the CLI token keeps every command working: ${cli.join(', ')}`);
  });

  test("a plain user's browser session cannot read the audit log; an auditor's can", async () => {
    const plain = await session('pat', []);
    const auditor = await session('audra', ['auditor']);
    const read = (who: { cookie: string }) => h.call('GET', '/api/v1/events', { headers: { cookie: who.cookie } });
    assert.equal((await read(plain)).status, 403);
    assert.equal((await read(auditor)).status, 200);
  });

  test('sign-out with a bearer token revokes it, on the ledger; with a session it ends the session only', async () => {
    const created = await h.call('POST', '/api/v1/tokens', { token: h.tokens.alice, body: { name: 'to sign out', scopes: ['requests:read'] } });
    const [token, tokenId] = [String(created.body.token), String(created.body.tokenId)];
    assert.equal((await h.call('POST', '/api/v1/auth/logout', { token })).status, 204);
    assert.equal((await h.call('GET', '/api/v1/auth/me', { token })).status, 401, 'the token no longer works');
    const listed = (await h.call('GET', '/api/v1/tokens', { token: h.tokens.alice })).body.items as { id: string; revokedAt: string | null }[];
    assert.notEqual(listed.find((t) => t.id === tokenId)?.revokedAt ?? null, null, JSON.stringify(listed));
    await h.app.startSequencer().drain();
    const events = await h.call('GET', `/api/v1/events?type=auth.api_token.revoked&target=api_token:${tokenId}`, { token: h.tokens.admin });
    const found = events.body.events as { event: { actor: { id: string }; data: { tokenId: string; ownerId: string } } }[];
    const [revocation] = found;
    assert.ok(found.length === 1 && revocation !== undefined, JSON.stringify(events.body));
    assert.equal(revocation.event.data.tokenId, tokenId);
    assert.equal(revocation.event.actor.id, revocation.event.data.ownerId, 'the owner revoked it, by signing out');
    const browser = await session('sol', []);
    const out = await h.call('POST', '/api/v1/auth/logout', { headers: { cookie: browser.cookie, 'x-csrf-token': browser.csrf } });
    assert.equal(out.status, 204);
    assert.equal((await h.call('GET', '/api/v1/auth/me', { headers: { cookie: browser.cookie } })).status, 401);
  });

  test('groups: a plain user lists only their own and their members; auditors and admins list all', async () => {
    const names = async (token: string): Promise<string[]> => ((await h.call('GET', '/api/v1/groups', { token })).body.items as { name: string }[]).map((g) => g.name);
    assert.deepEqual(await names(h.tokens.alice), ['engineers']);
    assert.deepEqual(await names(h.tokens.dave), []);
    assert.deepEqual(await names(h.tokens.carol), ['db-leads', 'engineers', 'oncall', 'security']);
    assert.deepEqual(await names(h.tokens.admin), ['db-leads', 'engineers', 'oncall', 'security']);
    assert.equal((await h.call('GET', '/api/v1/groups/engineers/members', { token: h.tokens.alice })).status, 200);
    assert.equal((await h.call('GET', '/api/v1/groups/db-leads/members', { token: h.tokens.alice })).status, 404);
    assert.equal((await h.call('GET', '/api/v1/groups/db-leads/members', { token: h.tokens.carol })).status, 200);
  });

  test('a JSON body that is not valid UTF-8 is a 400 on a real route, before anything is done', async () => {
    const payload = Buffer.concat([Buffer.from('{"resourceId":"pg-dev","level":"read-write","durationSeconds":3600,"reason":"bad '), Buffer.from([0xc3, 0x28]), Buffer.from('"}')]);
    const answer = await h.server.inject({ method: 'POST', url: '/api/v1/requests', headers: { authorization: `Bearer ${h.tokens.alice}`, 'content-type': 'application/json' }, payload });
    assert.equal(answer.statusCode, 400, answer.body);
    assert.match(answer.json<{ detail: string }>().detail, /not valid UTF-8/);
  });
});
