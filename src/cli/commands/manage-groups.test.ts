import assert from 'node:assert/strict';
import { after, before, beforeEach, test } from 'node:test';
import { aUser } from '../testing/access-fixtures.ts';
import { runAgainst } from '../testing/cli-harness.ts';
import { startFakeApi, type FakeApi } from '../testing/fake-api.ts';

let api: FakeApi;
before(async () => {
  api = await startFakeApi();
});
after(() => api.close());
beforeEach(() => {
  api.requests.length = 0;
});

test('groups lists, adds and removes groups', async () => {
  api.on('GET /api/v1/groups', { body: { items: [{ id: 'g1', name: 'db-leads', description: 'Database leads', createdAt: '2026-11-01T00:00:00.000Z' }], nextCursor: null } });
  api.on('POST /api/v1/groups', { status: 201, body: { id: 'g2', name: 'oncall', description: '', createdAt: '2026-11-25T14:00:00.000Z' } });
  api.on('DELETE /api/v1/groups/oncall', { status: 204 });
  const list = await runAgainst(api.url, ['groups']);
  assert.match(list.stdout, /^db-leads +Database leads$/m);
  const add = await runAgainst(api.url, ['groups', 'add', 'oncall', '--description', 'Paged people']);
  assert.equal(add.stdout, 'Created group oncall.\n');
  const remove = await runAgainst(api.url, ['groups', 'remove', 'oncall']);
  assert.equal(remove.stdout, 'Deleted group oncall.\n');
  const removeJson = await runAgainst(api.url, ['groups', 'remove', 'oncall', '--json']);
  assert.equal(removeJson.stdout, '{}\n');
  assert.deepEqual(api.requests.map((r) => [r.method, r.path, r.body]), [
    ['GET', '/api/v1/groups', undefined],
    ['POST', '/api/v1/groups', { name: 'oncall', description: 'Paged people' }],
    ['DELETE', '/api/v1/groups/oncall', undefined],
    ['DELETE', '/api/v1/groups/oncall', undefined],
  ]);
});

test('members, add-member and remove-member', async () => {
  api.on('GET /api/v1/groups/db-leads/members', { body: { items: [aUser({ username: 'dana', displayName: 'Dana' })], nextCursor: null } });
  api.on('PUT /api/v1/groups/db-leads/members/bob', { body: { added: true } });
  api.on('DELETE /api/v1/groups/db-leads/members/bob', { body: { removed: false } });
  const members = await runAgainst(api.url, ['groups', 'members', 'db-leads']);
  assert.match(members.stdout, /^dana +Dana +user +person +active$/m);
  const add = await runAgainst(api.url, ['groups', 'add-member', 'db-leads', 'bob']);
  assert.equal(add.stdout, 'Added bob to db-leads.\n');
  const remove = await runAgainst(api.url, ['groups', 'remove-member', 'db-leads', 'bob']);
  assert.equal(remove.stdout, 'bob was not in db-leads.\n');
});
