// The auditor's and admin's pages in a real browser (Debian's chromium through playwright-core): the audit log verifies an event's
// proof in the browser, a tampered proof fails with its reason, sessions show their statements with the blocked one marked,
// ledger status and admin pages load. Screenshots go to test-artifacts/screenshots/ (git-ignored), as the other browser test's do.
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { existsSync, mkdirSync } from 'node:fs';
import type { AddressInfo } from 'node:net';
import { fileURLToPath } from 'node:url';
import { after, before, describe, test } from 'node:test';
import type { FastifyInstance } from 'fastify';
import pino from 'pino';
import { chromium, type Browser, type Page } from 'playwright-core';
import { ensureWebBuilt, WEB_DIST } from '../../scripts/first-load-size.ts';
import { sessionEndedEvent, sessionStartedEvent, statementBlockedEvent, statementExecutedEvent, type SessionIdentity } from '../../src/gateway/postgres/gateway-audit.ts';
import { buildServer } from '../../src/http/server.ts';
import { generateSignerKey } from '../../src/ledger/signed-note.ts';
import { createApiHarness, type ApiHarness } from '../../src/http/testing/api-harness.ts';
import { writApiOptions } from '../../src/http/writ-api.ts';

const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
const LAUNCH_ARGS = ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'];
const SCREENSHOTS = fileURLToPath(new URL('../../test-artifacts/screenshots/', import.meta.url));
/** How long to wait for something to appear before the test fails (a bound, not a measurement). */
const APPEAR_MS = 20_000;

const auditor = { username: 'audra', firstPassword: 'first-secret-pass-31', password: 'own-chosen-secret-42' };

/** A gateway session of alice on demo-db: one statement run, one refused by the read-only rule. */
async function recordGatewaySession(h: ApiHarness): Promise<SessionIdentity> {
  const session: SessionIdentity = { sessionId: randomUUID(), userId: 'alice', userName: 'Alice', clientAddress: '192.0.2.10', credentialId: randomUUID(), grantId: randomUUID(), requestId: randomUUID(), resourceId: 'demo-db', level: 'read-only' };
  const statement = (statementIndex: number, sql: string, kind: string) => ({ statementIndex, protocol: 'simple' as const, sql, statementKinds: [kind], parameterCount: 0 });
  const events = [
    sessionStartedEvent(session, { database: 'demo-db', tls: true, upstreamTls: false, applicationName: 'psql' }),
    statementExecutedEvent(session, statement(1, 'SELECT count(*) FROM orders', 'SelectStmt')),
    statementBlockedEvent(session, statement(2, 'DELETE FROM orders', 'DeleteStmt'), 'read-only', 'read-only access refuses DELETE: it changes data'),
    sessionEndedEvent(session, { endReason: 'client_closed', durationMs: 1200, statementCount: 2, blockedCount: 1, bytesFromClient: 120, bytesToClient: 340 }),
  ];
  await h.app.transactions.run((_trx, ledger) => ledger.appendPending(events.map((e) => h.app.auditEntry(e))));
  return session;
}

async function startWrit(): Promise<{ h: ApiHarness; server: FastifyInstance; baseUrl: string; session: SessionIdentity }> {
  ensureWebBuilt();
  const h = await createApiHarness('sqlite');
  h.app.startSequencer();
  const api = writApiOptions({ ...h.app, onAccessChanged: () => undefined });
  const server = buildServer({ store: h.app.store, logger: pino({ level: 'silent' }), readToken: undefined, tileCache: h.app.tileCache, api, dashboard: { root: WEB_DIST } });
  await server.listen({ host: '127.0.0.1', port: 0 });
  const created = await h.call('POST', '/api/v1/users', { token: h.tokens.admin, body: { username: auditor.username, password: auditor.firstPassword, roles: ['admin', 'auditor'] } });
  assert.equal(created.status, 201, JSON.stringify(created.body));
  const changed = await h.call('POST', '/api/v1/auth/cli-token', { body: { username: auditor.username, password: auditor.firstPassword, newPassword: auditor.password } });
  assert.equal(changed.status, 200, JSON.stringify(changed.body));
  // The harness's clock starts on a fixed past day; the browser would drop a session cookie that expired then.
  h.clock.advanceMs(Math.max(0, Date.now() - h.clock.nowMs()));
  const session = await recordGatewaySession(h);
  return { h, server, baseUrl: `http://127.0.0.1:${(server.server.address() as AddressInfo).port}`, session };
}

function watchErrors(page: Page, errors: string[]): void {
  page.on('pageerror', (error) => errors.push(`page error: ${error.message}`));
  page.on('console', (message) => {
    if (message.type() === 'error' && !/401 \(Unauthorized\)/.test(message.text())) errors.push(`console: ${message.text()}`);
  });
}

async function shot(page: Page, name: string, fullPage = true): Promise<void> {
  // A full-page shot of a scrolled page draws the fixed header mid-page.
  if (fullPage) await page.mouse.wheel(0, -100_000);
  await page.screenshot({ path: `${SCREENSHOTS}${name}.png`, fullPage, animations: 'disabled' });
}

async function signIn(page: Page): Promise<void> {
  await page.locator('input[name="username"]').fill(auditor.username);
  await page.locator('input[name="password"]').fill(auditor.password);
  await page.getByRole('button', { name: 'Sign in' }).click();
}

/** Flips the first byte of one proof hash in the API's answer for an event. */
function flipFirstByte(base64: string): string {
  const bytes = Buffer.from(base64, 'base64');
  bytes[0] = (bytes[0] ?? 0) ^ 0x01;
  return bytes.toString('base64');
}

describe('audit and admin pages end to end in Chromium', () => {
  if (!existsSync(CHROMIUM)) {
    test('browser tests', (t) => {
      const message = `skipped the audit browser tests: no Chromium at ${CHROMIUM} (apt-get install -y chromium, or set CHROMIUM_PATH)`;
      process.stdout.write(`${message}\n`);
      t.skip(message);
    });
    return;
  }

  let writ: Awaited<ReturnType<typeof startWrit>>;
  let browser: Browser;
  let page: Page;
  const errors: string[] = [];

  before(async () => {
    mkdirSync(SCREENSHOTS, { recursive: true });
    writ = await startWrit();
    browser = await chromium.launch({ executablePath: CHROMIUM, args: LAUNCH_ARGS, headless: true });
    page = await (await browser.newContext({ viewport: { width: 1280, height: 900 } })).newPage();
    watchErrors(page, errors);
    await page.goto(`${writ.baseUrl}/audit`);
    await page.getByRole('heading', { name: 'Sign in to Writ' }).waitFor({ timeout: APPEAR_MS });
    await signIn(page);
    await page.getByRole('heading', { name: 'Audit log' }).waitFor({ timeout: APPEAR_MS });
  });
  after(async () => {
    await browser.close();
    await writ.server.close();
    await writ.h.close();
  });

  test('the audit log verifies an event in the browser; a tampered proof fails with its reason', { timeout: 120_000 }, async () => {
    await page.getByLabel('Event type').fill('gateway.*');
    await page.getByRole('button', { name: 'Apply filters' }).click();
    const blocked = page.getByTestId('event-row').filter({ hasText: 'gateway.statement.blocked' });
    await blocked.waitFor({ timeout: APPEAR_MS });
    assert.equal(await page.getByTestId('event-row').count(), 4, 'the four gateway events of the session, nothing else');
    await shot(page, '20-audit-log');
    const bundleHref = await page.getByTestId('evidence-link').getAttribute('href');
    assert.match(bundleHref ?? '', /^\/api\/v1\/evidence-bundles\?type=gateway\.\*&redact=false$/);
    const bundle = await page.request.get(`${writ.baseUrl}${bundleHref ?? ''}`);
    assert.equal(bundle.status(), 200, await bundle.text());
    assert.match(bundle.headers()['content-type'] ?? '', /x-tar/);
    await blocked.click();
    const status = page.getByTestId('proof-status');
    await status.getByText('verified', { exact: true }).waitFor({ timeout: APPEAR_MS });
    assert.match(await page.getByTestId('key-panel').innerText(), /served by this Writ server/i);
    assert.equal(await page.getByTestId('key-used').innerText(), writ.h.app.signer.verifierKey);
    assert.match(await page.getByTestId('event-detail').innerText(), /DELETE FROM orders/);
    await shot(page, '21-audit-event-verified');

    // A key pinned in this browser is used instead of the server's, and says so; another log's key does not verify.
    const otherKey = generateSignerKey('test.writ/log').verifierKey;
    await page.getByLabel('Pin a key you obtained yourself').fill(otherKey);
    await page.getByRole('button', { name: 'Pin key' }).click();
    await status.getByText('failed: unknown key').waitFor({ timeout: APPEAR_MS });
    assert.match(await page.getByTestId('key-panel').innerText(), /pinned in this browser/i);
    assert.equal(await page.getByTestId('key-used').innerText(), otherKey);
    await shot(page, '21b-audit-event-pinned-key');
    await page.getByRole('button', { name: "Unpin (use the server's)" }).click();
    await status.getByText('verified', { exact: true }).waitFor({ timeout: APPEAR_MS });

    const eventUrl = page.url();
    await page.route('**/api/v1/events/*', async (route) => {
      const response = await route.fetch();
      const answer = (await response.json()) as { inclusionProof: { hashes: string[] } };
      answer.inclusionProof.hashes[0] = flipFirstByte(answer.inclusionProof.hashes[0] ?? '');
      await route.fulfill({ response, json: answer });
    });
    await page.goto(eventUrl);
    await status.getByText('failed: proof does not reach the root').waitFor({ timeout: APPEAR_MS });
    assert.match(await status.innerText(), /it leads to .*, the checkpoint's root is/);
    await shot(page, '22-audit-event-tampered');
    await page.unrouteAll();
    await page.getByRole('button', { name: 'Close the event' }).click();
    await page.getByTestId('event-detail').waitFor({ state: 'detached', timeout: APPEAR_MS });
    assert.doesNotMatch(page.url(), /event=/, 'closing the detail leaves the filters in the URL and drops the event');
    assert.deepEqual(errors, []);
  });

  test('sessions list their statements in order, the blocked one marked', { timeout: 60_000 }, async () => {
    await page.getByRole('link', { name: 'Sessions' }).click();
    const card = page.getByTestId('gateway-session').filter({ hasText: 'demo-db' });
    await card.waitFor({ timeout: APPEAR_MS });
    await card.getByRole('button', { name: /Statements/ }).click();
    const statements = card.getByTestId('statement');
    await statements.nth(1).waitFor({ timeout: APPEAR_MS });
    assert.match(await statements.nth(0).innerText(), /SELECT count\(\*\) FROM orders/);
    assert.match(await statements.nth(1).innerText(), /blocked[\s\S]*DELETE FROM orders[\s\S]*read-only/i);
    await shot(page, '23-sessions');
    assert.deepEqual(errors, []);
  });

  test('ledger status shows the checkpoint verified and the verifier key', { timeout: 60_000 }, async () => {
    await page.getByRole('link', { name: 'Ledger status' }).click();
    await page.getByTestId('checkpoint-status').getByText('verified', { exact: true }).waitFor({ timeout: APPEAR_MS });
    assert.match(await page.getByTestId('ledger-key').innerText(), new RegExp(writ.h.app.signer.verifierKey.replace(/[+/]/g, '\\$&')));
    await shot(page, '24-ledger-status');
    assert.deepEqual(errors, []);
  });

  test('admin: policy with its versions, a token shown once', { timeout: 60_000 }, async () => {
    await page.getByRole('link', { name: 'Admin' }).click();
    await page.getByRole('tab', { name: 'Policy' }).click();
    await page.getByTestId('policy-text').waitFor({ timeout: APPEAR_MS });
    const editor = page.getByLabel('Policy file (YAML)');
    await editor.fill(`${await editor.inputValue()}\nresources: [\n`);
    await page.getByRole('button', { name: 'Validate' }).click();
    await page.getByRole('alert').filter({ hasText: 'Problems' }).waitFor({ timeout: APPEAR_MS });
    await shot(page, '25-admin-policy');
    await page.getByRole('tab', { name: 'API tokens' }).click();
    await page.getByLabel('Token name').fill('e2e reader');
    await page.getByRole('checkbox', { name: 'log:read' }).check();
    await page.getByRole('button', { name: 'Create token' }).click();
    await page.getByText("you won't see it again", { exact: false }).waitFor({ timeout: APPEAR_MS });
    await page.getByTestId('token-row').filter({ hasText: 'e2e reader' }).waitFor({ timeout: APPEAR_MS });
    await page.getByRole('button', { name: 'Done: hide the token' }).click();
    await shot(page, '26-admin-tokens');
    await page.getByRole('tab', { name: 'Users and groups' }).click();
    await page.getByText('audra').first().waitFor({ timeout: APPEAR_MS });
    await page.getByRole('button', { name: 'Members of security' }).click();
    await page.getByLabel('Add a member to security').fill(auditor.username);
    await page.getByRole('button', { name: 'Add', exact: true }).click();
    await page.getByRole('button', { name: `Remove ${auditor.username} from security` }).waitFor({ timeout: APPEAR_MS });
    await shot(page, '27-admin-users');
    await page.setViewportSize({ width: 390, height: 844 });
    await page.goto(`${writ.baseUrl}/audit`);
    await page.getByTestId('event-row').first().waitFor({ timeout: APPEAR_MS });
    await shot(page, '28-audit-phone', false);
    await page.goto(`${writ.baseUrl}/sessions`);
    await page.getByTestId('gateway-session').first().waitFor({ timeout: APPEAR_MS });
    await shot(page, '29-sessions-phone', false);
    await page.goto(`${writ.baseUrl}/ledger`);
    await page.getByTestId('checkpoint-status').getByText('verified', { exact: true }).waitFor({ timeout: APPEAR_MS });
    await shot(page, '30-ledger-phone', false);
    assert.deepEqual(errors, []);
  });
});
