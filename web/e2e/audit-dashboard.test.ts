// The auditor's and admin's pages in a real browser (Debian's chromium through playwright-core): the audit log verifies an event's
// proof in the browser, a tampered proof fails with its reason, sessions show their statements with the blocked one marked,
// ledger status and admin pages load. Screenshots go to test-artifacts/screenshots/ (git-ignored), as the other browser test's do.
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { after, before, describe, test } from 'node:test';
import type { BrowserContext, Page } from 'playwright-core';
import { sessionEndedEvent, sessionStartedEvent, statementBlockedEvent, statementExecutedEvent, type SessionIdentity } from '../../src/gateway/postgres/gateway-audit.ts';
import { generateSignerKey } from '../../src/ledger/signed-note.ts';
import type { ApiHarness } from '../../src/http/testing/api-harness.ts';
import { addUser, APPEAR_MS, createBrowserRun, PHONE, shot, signIn, skippedWithoutChromium, watchErrors, withFailureShots, type BrowserWrit } from './browser-harness.ts';

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

/** An API token of the owner of `token` with one scope and no expiry. */
async function apiToken(h: ApiHarness, token: string, scope: string): Promise<string> {
  const created = await h.call('POST', '/api/v1/tokens', { token, body: { name: `e2e ${scope}`, scopes: [scope] } });
  assert.equal(created.status, 201, JSON.stringify(created.body));
  return (created.body as { token: string }).token;
}

/** Flips the first byte of one proof hash in the API's answer for an event. */
function flipFirstByte(base64: string): string {
  const bytes = Buffer.from(base64, 'base64');
  bytes[0] = (bytes[0] ?? 0) ^ 0x01;
  return bytes.toString('base64');
}

describe('audit and admin pages end to end in Chromium', () => {
  if (skippedWithoutChromium('the audit browser tests')) return;

  const run = createBrowserRun();
  let writ: BrowserWrit;
  let context: BrowserContext;
  let page: Page;
  const tokens = { alice: '', bob: '' };
  const errors: string[] = [];
  /** Runs a test; when it fails, the page is saved as a screenshot first. */
  const scenario = (body: () => Promise<void>) => withFailureShots(() => ({ auditor: context }), body);

  before(async () => {
    writ = await run.start(async (h) => {
      await addUser(h, { username: auditor.username, firstPassword: auditor.firstPassword, newPassword: auditor.password, roles: ['admin', 'auditor'] });
      // The cast's CLI tokens last 12 hours, which the clock's move to real time passes; these API tokens do not expire.
      tokens.alice = await apiToken(h, h.tokens.alice, 'requests:write');
      tokens.bob = await apiToken(h, h.tokens.bob, 'reviews:write');
    });
    await recordGatewaySession(writ.h);
    context = await writ.newContext();
    page = await context.newPage();
    watchErrors(page, errors);
    await page.goto(`${writ.baseUrl}/audit`);
    await page.getByRole('heading', { name: 'Sign in to Writ' }).waitFor({ timeout: APPEAR_MS });
    await signIn(page, auditor.username, auditor.password);
    await page.getByRole('heading', { name: 'Audit log' }).waitFor({ timeout: APPEAR_MS });
  });
  after(() => run.close());

  test('the audit log verifies an event in the browser; a tampered proof fails with its reason', { timeout: 120_000 }, scenario(async () => {
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
  }));

  test('sessions list their statements in order, the blocked one marked', { timeout: 60_000 }, scenario(async () => {
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
  }));

  test("the live tail shows new entries as they are logged (the stream's log notice), without a reload", { timeout: 60_000 }, scenario(async () => {
    await page.goto(`${writ.baseUrl}/audit?type=gateway.*`);
    await page.getByTestId('event-row').nth(3).waitFor({ timeout: APPEAR_MS });
    assert.equal(await page.getByTestId('event-row').count(), 4);
    await page.getByLabel(/^Live tail/).check();
    await page.evaluate(() => {
      (globalThis as Record<string, unknown>).writE2eMarker = 'same page';
    });
    await recordGatewaySession(writ.h);
    await page.getByTestId('event-row').nth(7).waitFor({ timeout: APPEAR_MS });
    assert.equal(await page.evaluate(() => (globalThis as Record<string, unknown>).writE2eMarker), 'same page', 'the entries appeared without a reload');
    await page.getByLabel(/^Live tail/).uncheck();
    assert.deepEqual(errors, []);
  }));

  test('ledger status shows the checkpoint verified and the verifier key', { timeout: 60_000 }, scenario(async () => {
    await page.getByRole('link', { name: 'Ledger status' }).click();
    await page.getByTestId('checkpoint-status').getByText('verified', { exact: true }).waitFor({ timeout: APPEAR_MS });
    assert.match(await page.getByTestId('ledger-key').innerText(), new RegExp(writ.h.app.signer.verifierKey.replace(/[+/]/g, '\\$&')));
    await shot(page, '24-ledger-status');
    assert.deepEqual(errors, []);
  }));

  test("admin: anyone's open grant revoked with a reason; a user created, the one-time password shown once", { timeout: 60_000 }, scenario(async () => {
    const asked = await writ.h.call('POST', '/api/v1/requests', { token: tokens.alice, body: { resourceId: 'pg-dev', level: 'read-write', durationSeconds: 3600, reason: 'e2e: INC-7' } });
    assert.equal(asked.status, 201, JSON.stringify(asked.body));
    const requestId = (asked.body as { request: { id: string } }).request.id;
    const approved = await writ.h.call('POST', `/api/v1/requests/${requestId}/approve`, { token: tokens.bob, body: {} });
    assert.equal(approved.status, 200, JSON.stringify(approved.body));
    const grantId = (approved.body as { grant: { id: string } | null }).grant?.id ?? '';

    await page.goto(`${writ.baseUrl}/admin`);
    await page.getByRole('tab', { name: 'Grants' }).click();
    const row = page.getByTestId('admin-grant').filter({ hasText: 'alice' });
    await row.getByTestId('time-left').waitFor({ timeout: APPEAR_MS });
    await row.getByRole('button', { name: "Revoke alice's read-write grant on pg-dev…" }).click();
    await row.getByLabel(/^Reason/).fill('e2e: access no longer needed');
    await shot(page, '25a-admin-grants-revoke');
    await row.getByRole('button', { name: "Revoke alice's read-write grant on pg-dev now" }).click();
    await page.getByText('No one holds an open grant.').waitFor({ timeout: APPEAR_MS });
    const ended = await writ.h.app.access.store.getGrant(grantId as Parameters<typeof writ.h.app.access.store.getGrant>[0]);
    assert.equal(ended?.endReason, 'revoked', JSON.stringify(ended));
    assert.notEqual(ended.endedAtMs, undefined);

    await page.getByRole('tab', { name: 'Users and groups' }).click();
    await page.getByLabel(/^New username/).fill('gina');
    await page.getByRole('button', { name: 'Create user' }).click();
    const shown = page.getByRole('status').filter({ hasText: "you won't see it again" });
    const oneTimePassword = await shown.locator('code').innerText({ timeout: APPEAR_MS });
    assert.ok(oneTimePassword.length >= 12, oneTimePassword.length.toString());
    const signedIn = await writ.h.call('POST', '/api/v1/auth/cli-token', { body: { username: 'gina', password: oneTimePassword, newPassword: 'her-own-choice-8-orchard' } });
    assert.equal(signedIn.status, 200, `the password shown signs gina in: ${JSON.stringify(signedIn.body)}`);
    await page.getByRole('button', { name: 'Done: hide the one-time password' }).click();
    await page.getByTestId('user-row').filter({ hasText: 'gina' }).waitFor({ timeout: APPEAR_MS });
    assert.ok(!(await page.locator('body').innerText()).includes(oneTimePassword), 'the one-time password is gone once hidden');
    await shot(page, '25b-admin-user-created');
    assert.deepEqual(errors, []);
  }));

  test('admin: policy with its versions, a token shown once', { timeout: 60_000 }, scenario(async () => {
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
    await page.setViewportSize(PHONE);
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
  }));
});
