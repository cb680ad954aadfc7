// The dashboard at /: index.html for page paths, assets, its own CSP beside the API's strict one, and a message when not built.
import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import type { FastifyInstance } from 'fastify';
import pino from 'pino';
import type { LedgerStore } from '../ledger/ledger-store.ts';
import { DASHBOARD_CSP } from './dashboard-routes.ts';
import { buildServer } from './server.ts';

const store = { latestCheckpoint: () => Promise.resolve(undefined) } as unknown as LedgerStore;
const serverFor = (root: string): FastifyInstance =>
  buildServer({ store, logger: pino({ level: 'silent' }), readToken: undefined, api: { authenticator: undefined, routes: [] }, dashboard: { root } });

describe('dashboard routes', () => {
  let dir = '';
  let server: FastifyInstance;
  before(async () => {
    dir = mkdtempSync(join(tmpdir(), 'writ-dashboard-'));
    mkdirSync(join(dir, 'assets'));
    writeFileSync(join(dir, 'index.html'), '<!doctype html><title>Writ page</title>');
    writeFileSync(join(dir, 'assets', 'index-abc123.js'), 'console.log("dashboard")');
    server = serverFor(dir);
    await server.ready();
  });
  after(async () => {
    await server.close();
    rmSync(dir, { recursive: true, force: true });
  });

  test('/ and every page path answer index.html with the dashboard CSP', async () => {
    for (const url of ['/', '/reviews', '/grants/some-id?x=1', '/sign-in?next=%2Fgrants']) {
      const answer = await server.inject({ method: 'GET', url });
      assert.equal(answer.statusCode, 200, url);
      assert.match(answer.body, /Writ page/, url);
      assert.equal(answer.headers['content-security-policy'], DASHBOARD_CSP, url);
      assert.equal(answer.headers['cache-control'], 'no-cache', url);
    }
  });

  test('the CSP lets scripts come only from this origin', () => {
    assert.match(DASHBOARD_CSP, /script-src 'self'(;|$)/);
    assert.doesNotMatch(DASHBOARD_CSP, /script-src[^;]*unsafe/);
    assert.match(DASHBOARD_CSP, /frame-ancestors 'none'/);
  });

  test('hashed assets are served and cached for good; unknown assets are 404', async () => {
    const asset = await server.inject({ method: 'GET', url: '/assets/index-abc123.js' });
    assert.equal(asset.statusCode, 200);
    assert.match(String(asset.headers['cache-control']), /immutable/);
    assert.equal((await server.inject({ method: 'GET', url: '/assets/missing.js' })).statusCode, 404);
  });

  test('API, log and health paths keep their own answers and the strict CSP', async () => {
    const unknownApi = await server.inject({ method: 'GET', url: '/api/v1/no-such-route' });
    assert.equal(unknownApi.statusCode, 404);
    assert.match(String(unknownApi.headers['content-type']), /problem\+json/);
    assert.equal(unknownApi.headers['content-security-policy'], "default-src 'none'; frame-ancestors 'none'");
    const health = await server.inject({ method: 'GET', url: '/healthz' });
    assert.equal(health.statusCode, 200);
    assert.equal(health.headers['content-security-policy'], "default-src 'none'; frame-ancestors 'none'");
    assert.equal((await server.inject({ method: 'GET', url: '/log/nothing-here' })).statusCode, 404);
  });

  test('without a built dashboard, / says how to build it', async () => {
    const empty = mkdtempSync(join(tmpdir(), 'writ-dashboard-empty-'));
    const bare = serverFor(empty);
    try {
      const answer = await bare.inject({ method: 'GET', url: '/' });
      assert.equal(answer.statusCode, 503);
      assert.match(answer.body, /npm run build:web/);
      assert.equal((await bare.inject({ method: 'GET', url: '/api/v1/nothing' })).statusCode, 404);
    } finally {
      await bare.close();
      rmSync(empty, { recursive: true, force: true });
    }
  });
});
