// The log over HTTP: the checkpoint and hash tiles as C2SP tlog-tiles, entry bundles only with the read token.
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import pino from 'pino';
import type { FastifyInstance } from 'fastify';
import { openApp, type WritApp } from '../app.ts';
import { loadConfig } from '../config/load-config.ts';
import { leafHash } from '../ledger/hash.ts';
import { parseCheckpoint } from '../ledger/checkpoint.ts';
import { createVerifier, openNote } from '../ledger/signed-note.ts';
import { treeRoot, type TileSource } from '../ledger/tiles.ts';
import { createTestDatabase, type TestDatabase } from '../storage/testing/test-databases.ts';
import { buildServer } from './server.ts';

const READ_TOKEN = 'read-token-0123456789abcdef';
const COUNT = 300;

function event(i: number): Record<string, unknown> {
  return { type: 'app.document.viewed', actor: { kind: 'user', id: `u${i}` }, targets: [{ kind: 'document', id: `d${i}` }], outcome: 'success', data: { i } };
}

/** Splits a C2SP entry bundle into its entries. */
function decodeBundle(bundle: Buffer): Buffer[] {
  const entries: Buffer[] = [];
  for (let at = 0; at < bundle.length; ) {
    const length = bundle.readUInt16BE(at);
    entries.push(bundle.subarray(at + 2, at + 2 + length));
    at += 2 + length;
  }
  return entries;
}

describe('log routes', () => {
  let database: TestDatabase;
  let app: WritApp;
  let server: FastifyInstance;

  before(async () => {
    database = await createTestDatabase('sqlite');
    const config = loadConfig({ dataDir: database.dataDir, logOrigin: 'audit.example.com/writ', logReadToken: READ_TOKEN, logLevel: 'silent' }, {}, undefined);
    app = await openApp(config, { logger: pino({ level: 'silent' }) });
    const outcomes = await Promise.all(Array.from({ length: COUNT }, (_, i) => app.recorder.record(event(i))));
    assert.ok(outcomes.every((o) => o.kind === 'appended'));
    const loop = app.startSequencer();
    await loop.drain();
    server = buildServer({ store: app.store, logger: pino({ level: 'silent' }), readToken: READ_TOKEN, tileCache: app.tileCache });
  });

  after(async () => {
    await server.close();
    await app.close();
    await database.dispose();
  });

  test('the checkpoint is served verbatim, signed by the log key, never cached for long', async () => {
    const response = await server.inject({ method: 'GET', url: '/log/checkpoint' });
    assert.equal(response.statusCode, 200);
    assert.equal(response.headers['cache-control'], 'no-cache');
    const opened = openNote(response.body, [createVerifier(app.signer.verifierKey)]);
    const checkpoint = parseCheckpoint(opened.text);
    assert.equal(checkpoint.origin, 'audit.example.com/writ');
    assert.equal(checkpoint.size, COUNT);
  });

  test('hash tiles reproduce the signed root, full tiles are immutable, partial ones are not', async () => {
    const full = await server.inject({ method: 'GET', url: '/log/tile/0/000' });
    assert.equal(full.statusCode, 200);
    assert.equal(full.rawPayload.length, 256 * 32);
    assert.match(String(full.headers['cache-control']), /immutable/);
    const partial = await server.inject({ method: 'GET', url: `/log/tile/0/001.p/${COUNT - 256}` });
    assert.equal(partial.statusCode, 200);
    assert.doesNotMatch(String(partial.headers['cache-control']), /immutable/);
    const upper = await server.inject({ method: 'GET', url: '/log/tile/1/000.p/1' });
    assert.equal(upper.statusCode, 200);
    const tiles = new Map([['0/0', full.rawPayload], ['0/1', partial.rawPayload], ['1/0', upper.rawPayload]]);
    const source: TileSource = { tile: (level, index) => tiles.get(`${level}/${index}`) };
    const checkpoint = parseCheckpoint(openNote((await app.store.latestCheckpoint())?.note ?? '', [createVerifier(app.signer.verifierKey)]).text);
    assert.deepEqual(Buffer.from(treeRoot(COUNT, source)), Buffer.from(checkpoint.rootHash));
    // Served again from the process tile cache: the same bytes, and a narrower request gets a prefix.
    assert.deepEqual((await server.inject({ method: 'GET', url: '/log/tile/0/000' })).rawPayload, full.rawPayload);
    const narrower = await server.inject({ method: 'GET', url: '/log/tile/0/001.p/1' });
    assert.deepEqual(narrower.rawPayload, partial.rawPayload.subarray(0, 32));
    assert.equal((await server.inject({ method: 'GET', url: `/log/tile/0/001.p/${COUNT - 255}` })).statusCode, 404);
  });

  test('a tile beyond the published tree, or a malformed path, is refused with problem+json', async () => {
    const beyond = await server.inject({ method: 'GET', url: '/log/tile/0/002' });
    assert.equal(beyond.statusCode, 404);
    assert.equal(beyond.headers['content-type'], 'application/problem+json; charset=utf-8');
    const wide = await server.inject({ method: 'GET', url: `/log/tile/0/001.p/${COUNT - 256 + 1}` });
    assert.equal(wide.statusCode, 404);
    for (const bad of ['/log/tile/0/1', '/log/tile/0/x001', '/log/tile/0/000.p/0', '/log/tile/0/000.p/256', '/log/tile/99/000', '/log/tile/a/000']) {
      const response = await server.inject({ method: 'GET', url: bad });
      assert.equal(response.statusCode, 400, bad);
      assert.equal((response.json<{ status: number }>()).status, 400);
    }
  });

  test('entry bundles need the bearer token and hold the exact entry bytes', async () => {
    assert.equal((await server.inject({ method: 'GET', url: '/log/tile/entries/000' })).statusCode, 401);
    const wrong = await server.inject({ method: 'GET', url: '/log/tile/entries/000', headers: { authorization: 'Bearer not-the-token-at-all' } });
    assert.equal(wrong.statusCode, 401);
    const bundle = await server.inject({ method: 'GET', url: '/log/tile/entries/000', headers: { authorization: `Bearer ${READ_TOKEN}` } });
    assert.equal(bundle.statusCode, 200);
    const entries = decodeBundle(bundle.rawPayload);
    assert.equal(entries.length, 256);
    const tile = await server.inject({ method: 'GET', url: '/log/tile/0/000' });
    entries.forEach((entry, i) => {
      assert.deepEqual(Buffer.from(leafHash(entry)), tile.rawPayload.subarray(i * 32, (i + 1) * 32));
    });
    const stored = await app.store.readEntries(0, 1);
    assert.deepEqual(entries[0], Buffer.from(stored[0]?.entry ?? new Uint8Array()));
  });

  test('health answers with the tree size and security headers', async () => {
    const response = await server.inject({ method: 'GET', url: '/healthz' });
    assert.equal(response.statusCode, 200);
    assert.deepEqual(response.json(), { status: 'ok', treeSize: COUNT });
    assert.equal(response.headers['x-content-type-options'], 'nosniff');
  });
});
