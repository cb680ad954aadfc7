// What the dashboard's browser tests share: Chromium (Debian's, through playwright-core) or a plain skip, a Writ on a fresh store
// served with the built dashboard on a free port, sign-in, screenshots to test-artifacts/screenshots/ and a watch for page errors.
import assert from 'node:assert/strict';
import { existsSync, mkdirSync } from 'node:fs';
import type { AddressInfo } from 'node:net';
import { fileURLToPath } from 'node:url';
import { test } from 'node:test';
import type { FastifyInstance } from 'fastify';
import pino from 'pino';
import { chromium, type Browser, type BrowserContext, type Page } from 'playwright-core';
import { ensureWebBuilt, WEB_DIST } from '../../scripts/first-load-size.ts';
import { buildServer } from '../../src/http/server.ts';
import { createApiHarness, type ApiHarness } from '../../src/http/testing/api-harness.ts';
import { writApiOptions } from '../../src/http/writ-api.ts';

const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
const LAUNCH_ARGS = ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'];
export const SCREENSHOTS = fileURLToPath(new URL('../../test-artifacts/screenshots/', import.meta.url));
/** How long to wait for something to appear before the test fails (a bound, not a measurement). */
export const APPEAR_MS = 20_000;
export const DESKTOP = { width: 1280, height: 900 } as const;
export const PHONE = { width: 390, height: 844 } as const;

/**
 * True when there is no Chromium: then one test is registered that says so plainly and is skipped, and the caller returns.
 * @example if (skippedWithoutChromium('the audit browser tests')) return;
 */
export function skippedWithoutChromium(what: string): boolean {
  if (existsSync(CHROMIUM)) return false;
  test('browser tests', (t) => {
    const message = `skipped ${what}: no Chromium at ${CHROMIUM} (apt-get install -y chromium, or set CHROMIUM_PATH)`;
    process.stdout.write(`${message}\n`);
    t.skip(message);
  });
  return true;
}

/** A running Writ and a browser. */
export interface BrowserWrit {
  readonly h: ApiHarness;
  readonly baseUrl: string;
  readonly browser: Browser;
  newContext(viewport?: { width: number; height: number }): Promise<BrowserContext>;
}

/** Adds a user with a first password the admin gave; with newPassword, the user has already chosen their own. */
export async function addUser(h: ApiHarness, user: { username: string; firstPassword: string; newPassword?: string; roles?: string[]; group?: string }): Promise<void> {
  const created = await h.call('POST', '/api/v1/users', { token: h.tokens.admin, body: { username: user.username, password: user.firstPassword, ...(user.roles === undefined ? {} : { roles: user.roles }) } });
  assert.equal(created.status, 201, JSON.stringify(created.body));
  if (user.group !== undefined) assert.equal((await h.call('PUT', `/api/v1/groups/${user.group}/members/${user.username}`, { token: h.tokens.admin })).status, 200);
  if (user.newPassword === undefined) return;
  const changed = await h.call('POST', '/api/v1/auth/cli-token', { body: { username: user.username, password: user.firstPassword, newPassword: user.newPassword } });
  assert.equal(changed.status, 200, JSON.stringify(changed.body));
}

/**
 * Starts Writ (the API harness's store: example policy, admin) with the built dashboard, lets `seed` add what the test needs,
 * moves the manual clock to real time (a browser drops session cookies that expire before its own now) and launches Chromium.
 * close() ends whatever was opened, so an after hook may call it even when a step of the set-up failed.
 */
export function createBrowserRun(): { start(seed: (h: ApiHarness) => Promise<void>): Promise<BrowserWrit>; close(): Promise<void> } {
  const opened: { h?: ApiHarness; server?: FastifyInstance; browser?: Browser } = {};
  return {
    async start(seed) {
      mkdirSync(SCREENSHOTS, { recursive: true });
      ensureWebBuilt();
      const h = await createApiHarness('sqlite');
      opened.h = h;
      h.app.startSequencer();
      const api = writApiOptions({ ...h.app, onAccessChanged: () => undefined });
      const server = buildServer({ store: h.app.store, logger: pino({ level: 'silent' }), readToken: undefined, tileCache: h.app.tileCache, api, dashboard: { root: WEB_DIST } });
      opened.server = server;
      await server.listen({ host: '127.0.0.1', port: 0 });
      await seed(h);
      h.clock.advanceMs(Math.max(0, Date.now() - h.clock.nowMs()));
      const browser = await chromium.launch({ executablePath: CHROMIUM, args: LAUNCH_ARGS, headless: true });
      opened.browser = browser;
      const baseUrl = `http://127.0.0.1:${(server.server.address() as AddressInfo).port}`;
      return { h, baseUrl, browser, newContext: (viewport = DESKTOP) => browser.newContext({ viewport }) };
    },
    async close() {
      await opened.browser?.close();
      await opened.server?.close();
      await opened.h?.close();
    },
  };
}

/** Collects every page error and console error (a CSP violation is one) into `errors`, which each test expects empty. */
export function watchErrors(page: Page, errors: string[]): void {
  if (process.env.WRIT_E2E_DEBUG === '1') page.on('response', (r) => { process.stdout.write(`${r.status()} ${r.request().method()} ${r.url()}\n`); });
  page.on('pageerror', (error) => errors.push(`page error: ${error.message}`));
  page.on('console', (message) => {
    // The dashboard's own 401 on /auth/me before signing in is expected; anything else is a fault.
    if (message.type() === 'error' && !/401 \(Unauthorized\)/.test(message.text())) errors.push(`console: ${message.text()}`);
  });
}

/** Saves a screenshot; a full-page one is taken from the top (a scrolled page draws the fixed header mid-page). */
export async function shot(page: Page, name: string, fullPage = true): Promise<void> {
  if (fullPage) await page.mouse.wheel(0, -100_000);
  await page.screenshot({ path: `${SCREENSHOTS}${name}.png`, fullPage, animations: 'disabled' });
}

/** Runs a test's body; when it fails, every open page of the named contexts is saved as a screenshot first. */
export function withFailureShots(contexts: () => Record<string, BrowserContext | undefined>, body: () => Promise<void>): () => Promise<void> {
  return async () => {
    try {
      await body();
    } catch (error) {
      for (const [name, context] of Object.entries(contexts())) {
        for (const [index, page] of (context?.pages() ?? []).entries()) {
          process.stdout.write(`failed test: the ${name}'s page ${index} was at ${page.url()}\n`);
          await shot(page, `failed-${name}-${index}`).catch(() => undefined);
        }
      }
      throw error;
    }
  };
}

export async function signIn(page: Page, username: string, password: string): Promise<void> {
  await page.getByLabel('Username').fill(username);
  await page.getByLabel(/^Password/).fill(password);
  await page.getByRole('button', { name: 'Sign in' }).click();
}
