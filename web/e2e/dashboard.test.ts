// The dashboard in a real browser (Debian's chromium through playwright-core): a requester asks, an approver in another
// browser context approves, and the requester's page shows the grant without reloading. Screenshots go to test-artifacts/.
import assert from 'node:assert/strict';
import { existsSync, mkdirSync } from 'node:fs';
import type { AddressInfo } from 'node:net';
import { fileURLToPath } from 'node:url';
import { after, before, describe, test } from 'node:test';
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
const APPEAR_MS = 20_000;

const requester = { username: 'erin', firstPassword: 'given-by-admin-7-kettle', password: 'chosen-in-browser-9-lantern', group: 'engineers' };
const approver = { username: 'fred', firstPassword: 'given-by-admin-4-harbour', password: 'chosen-by-cli-3-meadow', group: 'db-leads' };

/** A Writ on a fresh store (the harness: example policy, admin) served with the built dashboard on a free port. */
async function startWrit(started: (h: ApiHarness, server: FastifyInstance) => void): Promise<{ h: ApiHarness; server: FastifyInstance; baseUrl: string }> {
  ensureWebBuilt();
  const h = await createApiHarness('sqlite');
  h.app.startSequencer();
  const api = writApiOptions({ ...h.app, onAccessChanged: () => undefined });
  const server = buildServer({ store: h.app.store, logger: pino({ level: 'silent' }), readToken: undefined, tileCache: h.app.tileCache, api, dashboard: { root: WEB_DIST } });
  // Handed over at once, so the after hook closes them even when a later step of the set-up fails.
  started(h, server);
  await server.listen({ host: '127.0.0.1', port: 0 });
  for (const person of [requester, approver]) {
    const created = await h.call('POST', '/api/v1/users', { token: h.tokens.admin, body: { username: person.username, password: person.firstPassword } });
    assert.equal(created.status, 201, JSON.stringify(created.body));
    assert.equal((await h.call('PUT', `/api/v1/groups/${person.group}/members/${person.username}`, { token: h.tokens.admin })).status, 200);
  }
  // The approver has already chosen a password; the requester changes the administrator's one in the browser.
  const changed = await h.call('POST', '/api/v1/auth/cli-token', { body: { username: approver.username, password: approver.firstPassword, newPassword: approver.password } });
  assert.equal(changed.status, 200, JSON.stringify(changed.body));
  // The harness's manual clock starts in the past; a browser drops session cookies that expire before its own now.
  const behindMs = Date.now() - h.clock.nowMs();
  if (behindMs > 0) h.clock.advanceMs(behindMs);
  return { h, server, baseUrl: `http://127.0.0.1:${(server.server.address() as AddressInfo).port}` };
}

/** Fails the test on any page error or console error (a CSP violation is one). */
function watchErrors(page: Page, errors: string[]): void {
  if (process.env.WRIT_E2E_DEBUG === '1') page.on('response', (r) => { process.stdout.write(`${r.status()} ${r.request().method()} ${r.url()}\n`); });
  page.on('pageerror', (error) => errors.push(`page error: ${error.message}`));
  page.on('console', (message) => {
    // The dashboard's own 401 on /auth/me before signing in is expected; anything else is a fault.
    if (message.type() === 'error' && !/401 \(Unauthorized\)/.test(message.text())) errors.push(`console: ${message.text()}`);
  });
}

async function shot(page: Page, name: string): Promise<void> {
  await page.screenshot({ path: `${SCREENSHOTS}${name}.png`, fullPage: true });
}

/** On failure, what each open page showed: the first thing to look at. */
async function shootFailures(context: BrowserContext | undefined, name: string): Promise<void> {
  for (const [index, page] of (context?.pages() ?? []).entries()) {
    process.stdout.write(`failed test: the ${name}'s page ${index} was at ${page.url()}\n`);
    await shot(page, `failed-${name}-${index}`).catch(() => undefined);
  }
}

async function signIn(page: Page, username: string, password: string): Promise<void> {
  await page.getByLabel('Username').fill(username);
  await page.getByLabel(/^Password/).fill(password);
  await page.getByRole('button', { name: 'Sign in' }).click();
}

describe('dashboard end to end in Chromium', () => {
  if (!existsSync(CHROMIUM)) {
    test('browser tests', (t) => {
      const message = `skipped the browser tests: no Chromium at ${CHROMIUM} (apt-get install -y chromium, or set CHROMIUM_PATH)`;
      process.stdout.write(`${message}\n`);
      t.skip(message);
    });
    return;
  }

  let writ: Awaited<ReturnType<typeof startWrit>>;
  let browser: Browser | undefined;
  let requesterContext: BrowserContext;
  let approverContext: BrowserContext;
  const opened: { h?: ApiHarness; server?: FastifyInstance } = {};
  const errors: string[] = [];

  before(async () => {
    mkdirSync(SCREENSHOTS, { recursive: true });
    writ = await startWrit((h, server) => {
      opened.h = h;
      opened.server = server;
    });
    browser = await chromium.launch({ executablePath: CHROMIUM, args: LAUNCH_ARGS, headless: true });
    requesterContext = await browser.newContext({ viewport: { width: 1280, height: 900 } });
    approverContext = await browser.newContext({ viewport: { width: 1280, height: 900 } });
  });
  /** Runs a scenario; when it fails, every open page is saved as a screenshot first. */
  const scenario = (body: () => Promise<void>) => async (): Promise<void> => {
    try {
      await body();
    } catch (error) {
      await shootFailures(requesterContext, 'requester');
      await shootFailures(approverContext, 'approver');
      throw error;
    }
  };
  after(async () => {
    await browser?.close();
    await opened.server?.close();
    await opened.h?.close();
  });

  test('a requester asks, an approver approves elsewhere, the grant appears without a reload', { timeout: 120_000 }, scenario(async () => {
    const asking = await requesterContext.newPage();
    watchErrors(asking, errors);
    await asking.goto(`${writ.baseUrl}/request`);
    await asking.getByRole('heading', { name: 'Sign in to Writ' }).waitFor({ timeout: APPEAR_MS });
    assert.match(asking.url(), /\/sign-in\?next=%2Frequest$/, 'signing in will return to the page asked for');
    await shot(asking, '01-sign-in');
    await signIn(asking, requester.username, requester.firstPassword);
    await asking.getByLabel(/^New password/).fill(requester.password);
    await shot(asking, '02-sign-in-new-password');
    await asking.getByRole('button', { name: 'Change password and sign in' }).click();

    await asking.getByRole('heading', { name: 'Request access' }).waitFor({ timeout: APPEAR_MS });
    assert.match(asking.url(), /\/request$/);
    await asking.getByLabel('Search resources').fill('dev');
    await asking.getByRole('radio', { name: /Development database/ }).check({ timeout: APPEAR_MS });
    await asking.getByRole('radio', { name: 'read-write' }).check();
    await asking.getByLabel('Reason').fill('e2e: fix stuck payments INC-42');
    const preview = asking.getByTestId('approval-preview');
    await preview.getByText(/\bfred\b/).waitFor({ timeout: APPEAR_MS });
    assert.match(await preview.innerText(), /db-lead/);
    await shot(asking, '03-request-access');
    await asking.getByRole('button', { name: 'Send request' }).click();
    await asking.getByText('Request sent').waitFor({ timeout: APPEAR_MS });

    await asking.getByRole('link', { name: 'Home' }).first().click();
    await asking.getByTestId('pending-request').first().waitFor({ timeout: APPEAR_MS });
    await shot(asking, '04-home-pending');
    await asking.getByRole('link', { name: 'Grants' }).click();
    await asking.getByText('No active grants.').waitFor({ timeout: APPEAR_MS });
    await asking.evaluate(() => {
      (globalThis as Record<string, unknown>).writE2eMarker = 'same page';
    });

    const deciding = await approverContext.newPage();
    watchErrors(deciding, errors);
    await deciding.goto(`${writ.baseUrl}/reviews`);
    await signIn(deciding, approver.username, approver.password);
    const review = deciding.getByTestId('review').filter({ hasText: requester.username });
    await review.waitFor({ timeout: APPEAR_MS });
    assert.match(await review.innerText(), /first request for this resource/i);
    await shot(deciding, '05-reviews');
    await review.getByRole('button', { name: /^Approve erin/ }).click();
    await deciding.getByText('Nothing waits for your review.').waitFor({ timeout: APPEAR_MS });

    const grant = asking.getByTestId('grant').filter({ hasText: 'pg-dev' });
    await grant.waitFor({ timeout: APPEAR_MS });
    assert.match(await grant.innerText(), /left/);
    assert.match(await grant.innerText(), /npx writ connect pg-dev --level read-write/);
    assert.equal(await asking.evaluate(() => (globalThis as Record<string, unknown>).writE2eMarker), 'same page', 'the grant appeared without a reload');
    await shot(asking, '06-grants-live');
    await asking.getByRole('link', { name: 'Home' }).first().click();
    await asking.getByTestId('active-grant').first().waitFor({ timeout: APPEAR_MS });
    await shot(asking, '07-home-active-grant');
    await asking.setViewportSize({ width: 390, height: 844 });
    await asking.reload();
    await asking.getByTestId('active-grant').first().waitFor({ timeout: APPEAR_MS });
    await shot(asking, '08-home-phone');
    assert.deepEqual(errors, []);
  }));

  test('the requester asks to extend the grant, then ends it', { timeout: 60_000 }, scenario(async () => {
    const page = await requesterContext.newPage();
    watchErrors(page, errors);
    await page.goto(`${writ.baseUrl}/grants`);
    const grant = page.getByTestId('grant').filter({ hasText: 'pg-dev' });
    await grant.getByRole('button', { name: 'Extend…' }).click({ timeout: APPEAR_MS });
    await grant.getByLabel('Extend by (minutes)').fill('30');
    await grant.getByLabel(/^Reason/).fill('INC-42 needs another half hour');
    await grant.getByRole('button', { name: 'Ask to extend' }).click();
    await grant.getByText(/Extension asked \(pending\)/).waitFor({ timeout: APPEAR_MS });
    await shot(page, '10-grants-extension-asked');
    await page.reload();
    await grant.getByRole('button', { name: 'Revoke…' }).click({ timeout: APPEAR_MS });
    await grant.getByLabel('Why end it now (optional)').fill('done with INC-42');
    await grant.getByRole('button', { name: 'End this grant now' }).click();
    await page.getByText('No active grants.').waitFor({ timeout: APPEAR_MS });
    await page.getByText('Past', { exact: true }).click();
    await page.getByTestId('grant').filter({ hasText: 'released' }).waitFor({ timeout: APPEAR_MS });
    await shot(page, '11-grants-past');
    assert.deepEqual(errors, []);
  }));

  test('an ended session says so and returns where you were after signing in again', { timeout: 60_000 }, scenario(async () => {
    const page = await approverContext.newPage();
    watchErrors(page, errors);
    await page.goto(`${writ.baseUrl}/reviews`);
    await page.getByRole('heading', { name: 'Reviews' }).waitFor({ timeout: APPEAR_MS });
    await approverContext.clearCookies();
    await page.getByRole('link', { name: 'Grants' }).click();
    await page.getByText('Your session has ended').waitFor({ timeout: APPEAR_MS });
    assert.match(page.url(), /\/sign-in\?next=%2Fgrants&expired=1$/);
    await shot(page, '09-session-ended');
    await signIn(page, approver.username, approver.password);
    await page.getByRole('heading', { name: 'Grants' }).waitFor({ timeout: APPEAR_MS });
    assert.match(page.url(), /\/grants$/);
    assert.deepEqual(errors, []);
  }));
});
