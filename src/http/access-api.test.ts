// The access API end to end on both backends: the authorization matrix (roles, scopes, self-approval) and a full request cycle.
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { testBackends } from '../storage/testing/test-databases.ts';
import { createApiHarness, type ApiHarness } from './testing/api-harness.ts';

type Who = 'anonymous' | 'admin' | 'alice' | 'bob' | 'sam' | 'carol' | 'dave' | 'alice-read-token';
type Method = 'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE';

const devRequest = { resourceId: 'pg-dev', level: 'read-write', durationSeconds: 3600, reason: 'debugging INC-1' };

for (const backend of testBackends) {
  describe(`access API on ${backend}`, () => {
    let h: ApiHarness;
    let aliceReadToken = '';
    let requestId = '';
    const token = (who: Who): string | undefined => (who === 'anonymous' ? undefined : who === 'alice-read-token' ? aliceReadToken : h.tokens[who]);
    const expect = async (who: Who, method: Method, url: string, status: number, body?: unknown): Promise<Record<string, unknown>> => {
      const answer = await h.call(method, url, { token: token(who), body });
      assert.equal(answer.status, status, `${who} ${method} ${url}: ${JSON.stringify(answer.body)}`);
      if (status >= 400) assert.equal(typeof answer.body.detail, 'string', 'errors are problem+json with a detail');
      return answer.body;
    };

    before(async () => {
      h = await createApiHarness(backend);
      const created = await h.call('POST', '/api/v1/tokens', { token: h.tokens.alice, body: { name: 'read only', scopes: ['requests:read'] } });
      assert.equal(created.status, 201, JSON.stringify(created.body));
      aliceReadToken = String(created.body.token);
      const request = await expect('alice', 'POST', '/api/v1/requests', 201, devRequest);
      requestId = (request.request as { id: string }).id;
    });
    after(async () => {
      await h.close();
    });

    test('without credentials every API route answers 401; public sign-in routes do not', async () => {
      for (const [method, url] of [['GET', '/api/v1/resources'], ['GET', '/api/v1/requests'], ['POST', '/api/v1/requests'], ['GET', '/api/v1/users'], ['PUT', '/api/v1/policy'], ['GET', '/api/v1/events'], ['GET', '/api/v1/grants']] as const) {
        await expect('anonymous', method, url, 401, method === 'GET' ? undefined : {});
      }
      await expect('anonymous', 'POST', '/api/v1/auth/login', 401, { username: 'nobody', password: 'wrong-password' });
      await expect('anonymous', 'POST', '/api/v1/auth/login', 401, { username: 'alice', password: 'wrong-password' });
    });

    test('every route in the OpenAPI document except sign-in refuses a caller without credentials', async () => {
      const doc = await h.call('GET', '/api/openapi.json');
      const paths = doc.body.paths as Record<string, Record<string, { security?: unknown[] }>>;
      let checked = 0;
      for (const [path, operations] of Object.entries(paths)) {
        for (const [method, operation] of Object.entries(operations)) {
          const url = path.replace(/\{[^}]+\}/g, 'x1');
          const answer = await h.call(method.toUpperCase() as Method, url, method === 'get' || method === 'delete' ? {} : { body: {} });
          if (Array.isArray(operation.security) && operation.security.length === 0) {
            // The log's verifier keys are public by design: anyone must be able to check checkpoints without an account.
            if (`${method} ${url}` === 'get /api/v1/log/verifier-key') assert.deepEqual(Object.keys(answer.body).sort(), ['origin', 'verifierKey', 'witnesses']);
            else assert.notEqual(answer.status, 200, `public ${method} ${url} gave nothing away without credentials`);
            continue;
          }
          assert.equal(answer.status, 401, `${method.toUpperCase()} ${url}: ${JSON.stringify(answer.body)}`);
          checked += 1;
        }
      }
      assert.ok(checked >= 30, `only ${checked} routes checked`);
    });

    test('twenty wrong passwords in a minute are slowed, then refused; all are on the ledger', async () => {
      const statuses: number[] = [];
      const startedMs = h.clock.nowMs();
      for (let i = 0; i < 20; i += 1) statuses.push((await h.call('POST', '/api/v1/auth/login', { body: { username: 'sam', password: `guess-${i}-wrong` } })).status);
      assert.ok(statuses.every((status) => status === 401 || status === 429), statuses.join(','));
      assert.equal(statuses.at(-1), 429, `the 20th attempt is refused: ${statuses.join(',')}`);
      assert.ok(h.clock.nowMs() - startedMs >= 1000, 'the attempts after the first few were slowed');
      assert.ok(h.clock.nowMs() - startedMs < 60_000, 'all twenty fell within a minute');
      await h.app.startSequencer().drain();
      const failed = await h.call('GET', '/api/v1/events?type=auth.login.failed&limit=100', { token: h.tokens.carol });
      const mine = (failed.body.events as { event: { targets: { id: string }[] } }[]).length;
      assert.ok(mine >= 20, `${mine} failed sign-ins recorded`);
    });

    test('requesting: allowed by policy for engineers only; a token needs the scope', async () => {
      await expect('dave', 'POST', '/api/v1/requests', 403, devRequest);
      await expect('alice-read-token', 'POST', '/api/v1/requests', 403, devRequest);
      await expect('alice-read-token', 'GET', '/api/v1/requests', 200);
      await expect('alice', 'POST', '/api/v1/requests', 400, { ...devRequest, durationSeconds: 'two hours' });
      await expect('alice', 'POST', '/api/v1/requests', 403, { ...devRequest, durationSeconds: 9 * 3600 });
    });

    test('reading a request: its requester, its reviewers and auditors; others are told it does not exist', async () => {
      for (const who of ['alice', 'bob', 'carol', 'admin'] as const) await expect(who, 'GET', `/api/v1/requests/${requestId}`, 200);
      await expect('dave', 'GET', `/api/v1/requests/${requestId}`, 404);
      await expect('sam', 'GET', `/api/v1/requests/${requestId}`, 404);
      await expect('alice', 'GET', '/api/v1/requests?view=all', 403);
      await expect('carol', 'GET', '/api/v1/requests?view=all', 200);
      const toReview = await expect('bob', 'GET', '/api/v1/requests?view=to-review', 200);
      assert.deepEqual((toReview.items as { id: string }[]).map((r) => r.id), [requestId]);
      assert.equal((toReview.items as { firstForResource?: boolean }[])[0]?.firstForResource, true, 'alice never held pg-dev: flagged for the reviewer');
      const aliceReviews = await expect('alice', 'GET', '/api/v1/requests?view=to-review', 200);
      assert.deepEqual(aliceReviews.items, []);
    });

    test('deciding: no self-approval, admins included; only the stage’s approvers; a token needs reviews:write', async () => {
      await expect('alice', 'POST', `/api/v1/requests/${requestId}/approve`, 403, {});
      await expect('admin', 'POST', `/api/v1/requests/${requestId}/approve`, 403, {});
      await expect('dave', 'POST', `/api/v1/requests/${requestId}/approve`, 403, {});
      await expect('alice-read-token', 'POST', `/api/v1/requests/${requestId}/deny`, 403, { comment: 'no' });
      const adminsOwn = await expect('admin', 'POST', '/api/v1/requests', 403, devRequest);
      assert.match(String(adminsOwn.detail), /refused/);
      const approved = await expect('bob', 'POST', `/api/v1/requests/${requestId}/approve`, 200, { comment: 'ok', durationSeconds: 1800 });
      const grant = approved.grant as { id: string; state: string; secondsLeft: number };
      assert.deepEqual([grant.state, grant.secondsLeft], ['active', 1800]);
      await expect('bob', 'POST', `/api/v1/requests/${requestId}/approve`, 409, {});
      await expect('dave', 'POST', `/api/v1/grants/${grant.id}/revoke`, 404, { reason: 'x' });
      await expect('carol', 'GET', `/api/v1/grants/${grant.id}`, 200);
      const released = await expect('alice', 'POST', `/api/v1/grants/${grant.id}/revoke`, 200, {});
      assert.deepEqual([released.state, released.endReason], ['ended', 'released']);
    });

    test('administration: users, groups, policy and the audit log by role', async () => {
      const wrong = await expect('dave', 'POST', '/api/v1/auth/password', 400, { currentPassword: 'not-my-password-1', newPassword: 'a-whole-new-secret-7' });
      assert.match(String(wrong.detail), /current password is wrong/);
      await expect('alice', 'GET', '/api/v1/users', 403);
      await expect('carol', 'GET', '/api/v1/users', 200);
      await expect('carol', 'POST', '/api/v1/users', 403, { username: 'eve' });
      await expect('alice', 'POST', '/api/v1/groups', 403, { name: 'mine' });
      await expect('alice', 'PUT', '/api/v1/groups/db-leads/members/alice', 403);
      await expect('alice', 'PATCH', '/api/v1/users/alice', 403, { roles: ['admin', 'user'] });
      await expect('admin', 'PATCH', '/api/v1/users/admin', 403, { roles: ['user'] });
      await expect('alice', 'GET', '/api/v1/policy', 403);
      await expect('carol', 'GET', '/api/v1/policy', 200);
      await expect('carol', 'PUT', '/api/v1/policy', 403, { text: 'version: 1' });
      const bad = await expect('admin', 'PUT', '/api/v1/policy', 400, { text: 'version: 1\npolicies:\n  - name: x\n    maxDuration: forever\n' });
      assert.match(String(bad.detail), /writ\.policy\.yaml:\d+:\d+/);
      await expect('alice', 'GET', '/api/v1/events', 403);
      await expect('carol', 'GET', '/api/v1/events', 200);
      await expect('alice', 'POST', '/api/v1/policy/test', 403, { username: 'bob', ...devRequest });
      const tested = await expect('carol', 'POST', '/api/v1/policy/test', 200, { username: 'alice', ...devRequest });
      const stages = tested.stages as { approvers: { user: string }[] }[];
      assert.deepEqual(stages[0]?.approvers.map((a) => a.user), ['bob']);
    });

    test('every access step is on the ledger: the auditor finds the request’s events by request id', async () => {
      await h.app.startSequencer().drain();
      const found = await expect('carol', 'GET', `/api/v1/events?requestId=${requestId}&order=asc`, 200);
      const types = (found.events as { event: { type: string } }[]).map((e) => e.event.type);
      assert.deepEqual(types.slice(0, 1), ['access.request.created']);
      for (const type of ['access.request.reviewed', 'access.request.approved', 'access.grant.created']) assert.ok(types.includes(type), `${type} in ${types.join(', ')}`);
    });
  });
}
