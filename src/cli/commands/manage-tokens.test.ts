import assert from 'node:assert/strict';
import { after, before, beforeEach, test } from 'node:test';
import { runAgainst } from '../testing/cli-harness.ts';
import { startFakeApi, type FakeApi } from '../testing/fake-api.ts';

const token = { id: 'tok-1', ownerId: 'u-alice', name: 'ci', scopes: ['events:write'], createdAt: '2026-11-20T00:00:00.000Z', expiresAt: '2026-12-25T14:00:00.000Z', lastUsedAt: null, revokedAt: null };
let api: FakeApi;
before(async () => {
  api = await startFakeApi();
});
after(() => api.close());
beforeEach(() => {
  api.requests.length = 0;
});

test('tokens lists mine, or all owners with --all', async () => {
  api.on('GET /api/v1/tokens', { body: { items: [token, { ...token, id: 'tok-2', name: 'old', revokedAt: '2026-11-21T00:00:00.000Z', expiresAt: null }], nextCursor: null } });
  const mine = await runAgainst(api.url, ['tokens']);
  assert.equal(mine.code, 0, mine.stderr);
  assert.equal(api.requests[0]?.query.get('all'), null);
  assert.match(mine.stdout, /^tok-1 +ci +events:write +active +in 30d +never$/m);
  assert.match(mine.stdout, /^tok-2 +old +events:write +revoked +never +never$/m);
  const all = await runAgainst(api.url, ['tokens', 'list', '--all']);
  assert.equal(api.requests[1]?.query.get('all'), 'true');
  assert.match(all.stdout, /OWNER$/m);
});

test('tokens create sends the scopes and expiry and shows the secret once with a warning', async () => {
  api.on('POST /api/v1/tokens', { status: 201, body: { token: 'writ_abc_SECRET', tokenId: 'tok-3', details: { ...token, id: 'tok-3' } } });
  const run = await runAgainst(api.url, ['tokens', 'create', 'agent', '--scope', 'requests:read,requests:write', '--scope', 'log:read', '--expires', '30d']);
  assert.equal(run.code, 0, run.stderr);
  assert.deepEqual(api.requests[0]?.body, { name: 'agent', scopes: ['requests:read', 'requests:write', 'log:read'], expiresInSeconds: 2_592_000 });
  assert.equal(run.stdout.split('writ_abc_SECRET').length, 2);
  assert.match(run.stdout, /expires in 30d/);
  assert.match(run.stderr, /only time the token is shown/);
});

test('tokens create needs a scope', async () => {
  const run = await runAgainst(api.url, ['tokens', 'create', 'agent']);
  assert.equal(run.code, 64);
  assert.match(run.stderr, /at least one --scope/);
  assert.equal(api.requests.length, 0);
});

test('tokens revoke deletes it', async () => {
  api.on('DELETE /api/v1/tokens/tok-1', { status: 204 });
  const run = await runAgainst(api.url, ['tokens', 'revoke', 'tok-1']);
  assert.equal(run.code, 0, run.stderr);
  assert.equal(run.stdout, 'Revoked API token tok-1.\n');
  assert.equal(api.requests[0]?.method, 'DELETE');
});
