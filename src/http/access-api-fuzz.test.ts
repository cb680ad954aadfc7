// Hostile bodies against the access and policy API: always a 4xx problem with a message, never a 500, nothing written.
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import fc from 'fast-check';
import { createApiHarness, type ApiHarness } from './testing/api-harness.ts';

const field = fc.oneof(
  fc.string({ maxLength: 80 }),
  fc.integer(),
  fc.double(),
  fc.boolean(),
  fc.constant(null),
  fc.array(fc.string({ maxLength: 8 }), { maxLength: 3 }),
  fc.constantFrom('pg-dev', 'pg-prod', 'read-only', 'read-write', '2026-13-45T25:61:00Z', '../etc', '\u0000', 'x'.repeat(5000)),
);

const requestBody = fc.oneof(
  fc.record(
    { resourceId: field, level: field, durationSeconds: field, reason: field, ticket: field, startAt: field, extra: field },
    { requiredKeys: [] },
  ),
  fc.jsonValue(),
);

const yamlish = fc.oneof(
  fc.string({ maxLength: 400 }),
  fc.constantFrom('version: 1\npolicies: [', 'version: 2', 'resources: {}', 'version: 1\nresources:\n  - id: UPPER\n    kind: oracle\n', '&a [*a]', 'version: 1\npolicies:\n  - name: p\n    maxDuration: 99y\n'),
  fc.jsonValue().map((value) => JSON.stringify(value)),
);

describe('hostile input to the access API (sqlite)', () => {
  let h: ApiHarness;
  before(async () => {
    h = await createApiHarness('sqlite');
  });
  after(async () => {
    await h.close();
  });

  test('request bodies: 4xx with a problem detail, never a 500, no request stored', async () => {
    await fc.assert(
      fc.asyncProperty(requestBody, async (body) => {
        const answer = await h.call('POST', '/api/v1/requests', { token: h.tokens.alice, body: body as object });
        assert.ok(answer.status < 500, `${answer.status} for ${JSON.stringify(body).slice(0, 200)}`);
        if (answer.status >= 400) assert.equal(typeof answer.body.detail, 'string');
        else assert.equal(answer.status, 201);
      }),
      { numRuns: 150 },
    );
    const mine = await h.call('GET', '/api/v1/requests?view=mine&limit=200', { token: h.tokens.alice });
    for (const stored of mine.body.items as { resourceId: string; reason: string | null }[]) {
      assert.ok(['pg-dev', 'pg-prod'].includes(stored.resourceId), 'only valid requests are stored');
      assert.ok(stored.reason !== null && stored.reason.length > 0);
    }
  });

  test('policy files: invalid ones answer 400 naming file, line and field, and change nothing', async () => {
    const before = await h.call('GET', '/api/v1/policy', { token: h.tokens.admin });
    await fc.assert(
      fc.asyncProperty(yamlish, async (text) => {
        const answer = await h.call('PUT', '/api/v1/policy', { token: h.tokens.admin, body: { text } });
        assert.ok(answer.status < 500, `${answer.status} for ${JSON.stringify(text).slice(0, 200)}`);
        assert.equal(answer.status, 400, `an arbitrary text is not a valid policy: ${JSON.stringify(text).slice(0, 200)}`);
        assert.ok(typeof answer.body.detail === 'string' && answer.body.detail.length > 0);
      }),
      { numRuns: 100 },
    );
    const afterwards = await h.call('GET', '/api/v1/policy', { token: h.tokens.admin });
    assert.equal(afterwards.body.version, before.body.version);
  });
});
