// The events API on both backends: authorization, batches all or nothing, bad events by position, receipts that verify, search pages.
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import pino from 'pino';
import type { FastifyInstance, LightMyRequestResponse } from 'fastify';
import { openApp, type WritApp } from '../app.ts';
import { loadConfig } from '../config/load-config.ts';
import { leafHash } from '../ledger/hash.ts';
import { verifyInclusion } from '../ledger/proof-verify.ts';
import { verifyReceipt } from '../ledger/receipt.ts';
import { createVerifier, openNote } from '../ledger/signed-note.ts';
import type { SequencerLoop } from '../ledger/sequencer-loop.ts';
import { createTestDatabase, testBackends, type TestDatabase } from '../storage/testing/test-databases.ts';
import type { ApiPrincipal, Authenticator } from './api-auth.ts';
import { eventRoutes } from './event-routes.ts';
import { buildServer } from './server.ts';

const principal = (username: string, roles: ApiPrincipal['roles'], scopes: string[], via: ApiPrincipal['via'] = 'token'): ApiPrincipal => ({ userId: username, username, roles, scopes, via });
const everyScope = ['events:write', 'log:read', 'requests:read', 'requests:write', 'reviews:write', 'grants:write', 'policy:write', 'tokens:write', 'account:write', 'admin'];
/** Tokens as identity issues them (events:write and log:read need the admin or auditor role); sessions hold every scope. */
const tokens: Record<string, ApiPrincipal> = {
  writer: principal('svc', ['admin'], ['events:write']),
  reader: principal('siem', ['auditor'], ['log:read']),
  auditor: principal('ada', ['auditor'], everyScope, 'session'),
  admin: principal('root', ['admin'], everyScope, 'session'),
  user: principal('bob', ['user'], everyScope, 'session'),
  auditorsNarrowToken: principal('ada', ['auditor'], ['requests:read']),
  adminsNarrowToken: principal('root', ['admin'], ['requests:write']),
};
const authenticator: Authenticator = { authenticate: (r) => Promise.resolve(tokens[(r.authorization ?? '').replace(/^Bearer /, '')]) };

function appEvent(i: number, extra: Record<string, unknown> = {}): Record<string, unknown> {
  return {
    type: i % 2 === 0 ? 'app.document.viewed' : 'app.invoice.paid',
    actor: { kind: 'user', id: `user-${i % 3}`, name: 'Alice Example' },
    targets: [{ kind: 'document', id: `doc-${i % 4}` }],
    outcome: i % 5 === 0 ? 'denied' : 'success',
    reason: `Ticket OPS-${i % 6}`,
    context: { requestId: `req-${i % 7}`, grantId: `grant-${i % 2}` },
    data: { i },
    ...extra,
  };
}

function assertProblem(response: LightMyRequestResponse, status: number, code: string): Record<string, unknown> {
  assert.equal(response.statusCode, status, response.body);
  assert.equal(response.headers['content-type'], 'application/problem+json; charset=utf-8');
  const body = response.json<Record<string, unknown>>();
  assert.deepEqual([body.status, body.title, body.type, typeof body.detail], [status, code, `urn:writ:problem:${code}`, 'string']);
  return body;
}

for (const backend of testBackends) {
  describe(`events API on ${backend}`, { concurrency: false }, () => {
    let database: TestDatabase;
    let app: WritApp;
    let loop: SequencerLoop;
    let server: FastifyInstance;

    const call = (method: 'GET' | 'POST', url: string, token: string | undefined, payload?: unknown): Promise<LightMyRequestResponse> =>
      server.inject({ method, url, headers: token === undefined ? {} : { authorization: `Bearer ${token}` }, ...(payload === undefined ? {} : { payload: payload as object }) });
    /** Pending plus sequenced entries: what was ever written, wherever the sequencer is. */
    // Drained first: the sequencer moving an earlier test's entry between the two reads would count it twice.
    const logCounts = async (): Promise<number> => {
      await loop.drain();
      return (await app.store.countPending()) + (await app.store.entryStats()).count;
    };

    before(async () => {
      database = await createTestDatabase(backend);
      const config = loadConfig({ dataDir: database.dataDir, pgUrl: database.pgUrl, logOrigin: 'events.example/log', logLevel: 'silent', sequencerPollMs: 10 }, {}, undefined);
      app = await openApp(config, { logger: pino({ level: 'silent' }) });
      loop = app.startSequencer();
      const routes = eventRoutes({ store: app.store, search: app.eventSearch, appender: app.appender, clock: app.clock, ids: app.ids, checkpointWaitMs: 400 });
      server = buildServer({ store: app.store, logger: pino({ level: 'silent' }), readToken: undefined, api: { authenticator, routes: [routes], requestsPerMinute: 100_000 } });
      await server.ready();
    });
    after(async () => {
      await server.close();
      await app.close();
      await database.dispose();
    });

    test('who may append and who may read: 401 without credentials, 403 without the scope or role', async () => {
      assertProblem(await call('POST', '/api/v1/events', undefined, appEvent(0)), 401, 'unauthorized');
      for (const token of ['reader', 'auditor', 'user', 'adminsNarrowToken']) assertProblem(await call('POST', '/api/v1/events', token, appEvent(0)), 403, 'forbidden');
      assert.equal((await call('POST', '/api/v1/events', 'writer', appEvent(0))).statusCode, 201);
      const one = '/api/v1/events/00000000-0000-4000-8000-000000000000';
      for (const url of ['/api/v1/events', one]) {
        assertProblem(await call('GET', url, undefined), 401, 'unauthorized');
        // A plain user's session holds every scope but not the role; a token has only its scopes, whatever its owner's role.
        for (const token of ['writer', 'user', 'auditorsNarrowToken', 'adminsNarrowToken']) assertProblem(await call('GET', url, token), 403, 'forbidden');
      }
      for (const token of ['reader', 'auditor', 'admin']) {
        assert.equal((await call('GET', '/api/v1/events', token)).statusCode, 200);
        assertProblem(await call('GET', one, token), 404, 'not_found');
      }
    });

    test('a batch of 1,001 is refused and nothing is written', async () => {
      const before = await logCounts();
      const body = assertProblem(await call('POST', '/api/v1/events', 'writer', { events: Array.from({ length: 1001 }, (_, i) => appEvent(i)) }), 400, 'invalid_input');
      assert.match(String(body.detail), /1 to 1,000 events, this one has 1,001/);
      assertProblem(await call('POST', '/api/v1/events', 'writer', { events: [] }), 400, 'invalid_input');
      assertProblem(await call('POST', '/api/v1/events', 'writer', { events: 'x' }), 400, 'invalid_input');
      assert.deepEqual(await logCounts(), before);
    });

    test('bad events are named by position with their field messages; the batch writes nothing', async () => {
      const before = await logCounts();
      const events = [appEvent(0), { ...appEvent(1), actor: undefined }, appEvent(2), { ...appEvent(3), type: 'auth.login.succeeded' }, appEvent(4, { outcome: 'maybe' })];
      const body = assertProblem(await call('POST', '/api/v1/events', 'writer', { events }), 400, 'invalid_event');
      const bad = body.events as { position: number; issues: { path: string; message: string }[] }[];
      assert.deepEqual(bad.map((b) => b.position), [1, 3, 4]);
      assert.deepEqual(bad.map((b) => b.issues.map((i) => i.path)), [['actor'], ['type'], ['outcome']]);
      assert.match(String(body.detail), /3 of 5 events are invalid; nothing was written/);
      const id = '0193f1e2-7c1a-7b3e-9f00-1c2d3e4f5a6b';
      const duplicate = assertProblem(await call('POST', '/api/v1/events', 'writer', { events: [appEvent(0, { id }), appEvent(1, { id })] }), 400, 'invalid_event');
      assert.deepEqual((duplicate.events as { position: number }[]).map((b) => b.position), [1]);
      const huge = assertProblem(await call('POST', '/api/v1/events', 'writer', { events: [appEvent(0), appEvent(1, { data: { blob: 'x'.repeat(8000), more: Array(9).fill('y'.repeat(8000)) } })] }), 413, 'event_too_large');
      assert.deepEqual((huge.events as { position: number }[]).map((b) => b.position), [1]);
      assertProblem(await call('POST', '/api/v1/events', 'writer', { events: [appEvent(0, { data: 'z'.repeat(9 * 1024 * 1024) })] }), 413, 'payload_too_large');
      assert.deepEqual(await logCounts(), before);
    });

    test('an id already in the log fails the whole batch with 409', async () => {
      const first = (await call('POST', '/api/v1/events', 'writer', appEvent(0))).json<{ events: { id: string }[] }>();
      await loop.drain();
      const before = await logCounts();
      const clash = await call('POST', '/api/v1/events', 'writer', { events: [appEvent(1), appEvent(2, { id: first.events[0]?.id })] });
      assertProblem(clash, 409, 'conflict');
      assert.deepEqual(await logCounts(), before);
    });

    test('?wait=checkpoint answers indices and receipts that verify against the log key', async () => {
      const response = await call('POST', '/api/v1/events?wait=checkpoint', 'writer', { events: Array.from({ length: 20 }, (_, i) => appEvent(i)) });
      assert.equal(response.statusCode, 201, response.body);
      const appended = response.json<{ events: { id: string; index: number; receipt: string }[] }>().events;
      assert.equal(appended.length, 20);
      const verifiers = [createVerifier(app.signer.verifierKey)];
      for (const event of appended) {
        const [stored] = await app.store.readEntries(event.index, event.index + 1);
        assert.equal(stored?.eventId, event.id);
        assert.equal(verifyReceipt(event.receipt, stored.entry, verifiers).index, event.index);
      }
      assert.deepEqual(appended.map((e) => e.index), appended.map((_, i) => (appended[0]?.index ?? 0) + i), 'a batch is contiguous in the log');
    });

    test('?wait=checkpoint answers 503 when no checkpoint comes in time, and the event is still written', async () => {
      await loop.stop();
      try {
        const body = assertProblem(await call('POST', '/api/v1/events?wait=checkpoint', 'writer', appEvent(9)), 503, 'unavailable');
        assert.match(String(body.detail), /written but is not yet in a signed checkpoint/);
        const [id] = body.ids as string[];
        const pending = (await call('GET', `/api/v1/events/${String(id)}`, 'reader')).json<{ index: null; receipt: null; event: { id: string } }>();
        assert.deepEqual([pending.index, pending.receipt, pending.event.id], [null, null, id]);
      } finally {
        loop = app.startSequencer();
      }
      await loop.drain();
    });

    test('GET one event: its bytes, a proof against the signed checkpoint, personal data joined back', async () => {
      const posted = (await call('POST', '/api/v1/events?wait=checkpoint', 'writer', appEvent(1))).json<{ events: { id: string }[] }>();
      const response = await call('GET', `/api/v1/events/${String(posted.events[0]?.id)}`, 'auditor');
      assert.equal(response.statusCode, 200, response.body);
      const got = response.json<{ index: number; entry: string; event: { actor: { name: string } }; inclusionProof: { treeSize: number; hashes: string[] }; checkpoint: { note: string; rootHash: string } }>();
      assert.equal(got.event.actor.name, 'Alice Example');
      openNote(got.checkpoint.note, [createVerifier(app.signer.verifierKey)]);
      const proof = got.inclusionProof.hashes.map((h) => Buffer.from(h, 'base64'));
      assert.ok(verifyInclusion(leafHash(Buffer.from(got.entry, 'base64')), got.index, got.inclusionProof.treeSize, proof, Buffer.from(got.checkpoint.rootHash, 'base64')));
    });

    test('the search answers exactly the matching events, page by page, for each filter', async () => {
      await call('POST', '/api/v1/events?wait=checkpoint', 'writer', { events: Array.from({ length: 60 }, (_, i) => appEvent(i, { time: new Date(Date.UTC(2026, 0, 1, 0, i)).toISOString() })) });
      const everything = await readAll('/api/v1/events?limit=500');
      const queries: [string, (e: Listed) => boolean][] = [
        ['actor=user-1', (e) => e.event.actor.id === 'user-1'],
        ['type=app.invoice.paid', (e) => e.event.type === 'app.invoice.paid'],
        ['type=app.doc*', (e) => e.event.type.startsWith('app.doc')],
        ['target=document:doc-2', (e) => e.event.targets.some((t) => t.kind === 'document' && t.id === 'doc-2')],
        ['outcome=denied', (e) => e.event.outcome === 'denied'],
        ['requestId=req-3', (e) => e.event.context?.requestId === 'req-3'],
        ['grantId=grant-1', (e) => e.event.context?.grantId === 'grant-1'],
        ['reason=ops-4', (e) => (e.event.reason ?? '').toLowerCase().includes('ops-4')],
        ['from=2026-01-01T00:10:00Z&to=2026-01-01T01:00:00%2B01:00', (e) => e.event.time >= '2026-01-01T00:10:00.000Z' && e.event.time < '2026-01-01T00:00:00.000Z'],
        ['from=2026-01-01T00:10:00Z&to=2026-01-01T00:30:00Z&outcome=success', (e) => e.event.time >= '2026-01-01T00:10:00.000Z' && e.event.time < '2026-01-01T00:30:00.000Z' && e.event.outcome === 'success'],
      ];
      for (const [query, keep] of queries) {
        const expected = everything.filter(keep).map((e) => e.index);
        assert.ok(expected.length > 0 || query.includes('01:00:00'), query);
        assert.deepEqual((await readAll(`/api/v1/events?${query}&limit=4`)).map((e) => e.index), expected, query);
        assert.deepEqual((await readAll(`/api/v1/events?${query}&limit=3&order=asc`)).map((e) => e.index), [...expected].reverse(), `${query} asc`);
      }
    });

    interface Listed { index: number; event: { type: string; time: string; outcome: string; reason?: string; actor: { id: string }; targets: { kind: string; id: string }[]; context?: { requestId?: string; grantId?: string } } }
    async function readAll(url: string): Promise<Listed[]> {
      const all: Listed[] = [];
      let next: string | null = null;
      do {
        const response = await call('GET', next === null ? url : `${url}&cursor=${next}`, 'reader');
        assert.equal(response.statusCode, 200, response.body);
        const page = response.json<{ events: Listed[]; next: string | null }>();
        all.push(...page.events);
        next = page.next;
      } while (next !== null);
      assert.equal(new Set(all.map((e) => e.index)).size, all.length, 'no event twice');
      return all;
    }

    test('bad queries are 400 problems naming the parameter', async () => {
      const cases: [string, string][] = [
        ['limit=501', 'querystring.limit'],
        ['from=yesterday', 'querystring.from'],
        ['type=App.X', 'querystring.type'],
        ['target=nocolon', 'querystring.target'],
        ['actorId=x', 'querystring'],
      ];
      for (const [query, path] of cases) {
        const body = assertProblem(await call('GET', `/api/v1/events?${query}`, 'reader'), 400, 'invalid_input');
        assert.ok((body.issues as { path: string }[]).some((i) => i.path === path), `${query}: ${JSON.stringify(body.issues)}`);
      }
      assertProblem(await call('GET', '/api/v1/events?cursor=bm9wZQ', 'reader'), 400, 'invalid_input');
      const first = (await call('GET', '/api/v1/events?limit=1', 'reader')).json<{ next: string }>();
      assert.match(String(assertProblem(await call('GET', `/api/v1/events?limit=1&order=asc&cursor=${first.next}`, 'reader'), 400, 'invalid_input').detail), /order=desc/);
      assertProblem(await call('GET', '/api/v1/events/not-a-uuid', 'reader'), 400, 'invalid_input');
    });

    test('the OpenAPI document lists the events routes', async () => {
      const document = JSON.parse((await call('GET', '/api/openapi.json', undefined)).body) as { paths: Record<string, Record<string, unknown>> };
      assert.ok(document.paths['/api/v1/events']?.post !== undefined && document.paths['/api/v1/events'].get !== undefined);
      assert.ok(document.paths['/api/v1/events/{id}']?.get !== undefined);
    });
  });
}

describe('events API failures', () => {
  test('a storage failure is a 500 that shows no driver text', async () => {
    const failing = () => Promise.reject(new Error('SQLITE_CORRUPT: database disk image is malformed at /srv/writ/writ.db'));
    const search = { search: failing, findEvent: failing, indicesOf: failing };
    const routes = eventRoutes({ store: {} as never, search, appender: {} as never, clock: { nowMs: () => 0 }, ids: { next: () => 'x' } });
    const server = buildServer({ store: {} as never, logger: pino({ level: 'silent' }), readToken: undefined, api: { authenticator, routes: [routes] } });
    const response = await server.inject({ method: 'GET', url: '/api/v1/events', headers: { authorization: 'Bearer reader' } });
    const body = assertProblem(response, 500, 'internal');
    assert.doesNotMatch(response.body, /SQLITE|malformed|srv/);
    assert.equal(body.requestId, response.headers['x-request-id']);
    await server.close();
  });
});
