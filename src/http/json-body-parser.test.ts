// JSON bodies are strict UTF-8: invalid bytes are a 400 problem, never replaced with U+FFFD; everything else parses as before.
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import pino from 'pino';
import type { FastifyInstance } from 'fastify';
import { z } from 'zod';
import type { LedgerStore } from '../ledger/ledger-store.ts';
import type { ApiRoutes } from './api-plugin.ts';
import { buildServer } from './server.ts';

const echo: ApiRoutes = (api) => {
  api.post('/v1/echo', { auth: 'public', bodyLimit: 64, schema: { body: z.strictObject({ name: z.string().max(32) }) } }, (request) => request.body);
};
const store = { latestCheckpoint: () => Promise.resolve(undefined) } as unknown as LedgerStore;

describe('JSON request bodies', () => {
  let server: FastifyInstance;
  before(async () => {
    server = buildServer({ store, logger: pino({ level: 'silent' }), readToken: undefined, api: { authenticator: undefined, routes: [echo] } });
    await server.ready();
  });
  after(() => server.close());

  const post = (payload: Buffer | string, contentType = 'application/json') => server.inject({ method: 'POST', url: '/api/v1/echo', headers: { 'content-type': contentType }, payload });
  const bytes = (...parts: (string | number[])[]): Buffer => Buffer.concat(parts.map((part) => (typeof part === 'string' ? Buffer.from(part, 'utf8') : Buffer.from(part))));

  test('invalid UTF-8 is a 400 problem saying so, whatever the bad sequence', async () => {
    const invalid = {
      'a lone continuation byte': [0x80],
      'a byte never in UTF-8': [0xff],
      'an overlong "/"': [0xc0, 0xaf],
      'an encoded surrogate': [0xed, 0xa0, 0x80],
      'a truncated sequence': [0xe6, 0x97],
    };
    for (const [what, sequence] of Object.entries(invalid)) {
      const response = await post(bytes('{"name":"a', sequence, 'b"}'));
      assert.equal(response.statusCode, 400, `${what}: ${response.body}`);
      assert.equal(response.headers['content-type'], 'application/problem+json; charset=utf-8');
      const problem = response.json<Record<string, unknown>>();
      assert.equal(problem.title, 'invalid_input');
      assert.match(String(problem.detail), /not valid UTF-8/, what);
      assert.doesNotMatch(response.body, /\uFFFD/);
    }
    assert.equal((await post(bytes('{"name":"ok"}', [0xff]), 'application/json; charset=utf-8')).statusCode, 400, 'with a charset parameter too');
  });

  test('valid UTF-8 (several bytes a character, a BOM-less body) parses unchanged', async () => {
    const response = await post(Buffer.from('{"name":"Zoë 日本 🙂"}', 'utf8'));
    assert.equal(response.statusCode, 200, response.body);
    assert.deepEqual(response.json(), { name: 'Zoë 日本 🙂' });
  });

  test('the default JSON checks still hold: syntax, empty body, __proto__, the route body limit', async () => {
    for (const payload of ['{"name":', '', '{"__proto__":{"x":1},"name":"a"}']) {
      const response = await post(payload);
      assert.equal(response.statusCode, 400, `${JSON.stringify(payload)}: ${response.body}`);
      assert.equal(response.json<Record<string, unknown>>().title, 'invalid_input');
    }
    assert.equal((await post(JSON.stringify({ name: 'x'.repeat(100) }))).statusCode, 413);
  });
});
