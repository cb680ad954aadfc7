// The dashboard in a real browser (Debian's chromium through playwright-core): a requester asks, an approver in another
// browser context approves, and the requester's page shows the grant without reloading. Screenshots go to test-artifacts/.
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import type { BrowserContext } from 'playwright-core';
import { addUser, APPEAR_MS, createBrowserRun, PHONE, shot, signIn, skippedWithoutChromium, watchErrors, withFailureShots, type BrowserWrit } from './browser-harness.ts';

const requester = { username: 'erin', firstPassword: 'given-by-admin-7-kettle', password: 'chosen-in-browser-9-lantern', group: 'engineers' };
const approver = { username: 'fred', firstPassword: 'given-by-admin-4-harbour', password: 'chosen-by-cli-3-meadow', group: 'db-leads' };

describe('dashboard end to end in Chromium', () => {
  if (skippedWithoutChromium('the browser tests')) return;

  const run = createBrowserRun();
  let writ: BrowserWrit;
  let requesterContext: BrowserContext;
  let approverContext: BrowserContext;
  const errors: string[] = [];

  before(async () => {
    writ = await run.start(async (h) => {
      // The approver has already chosen a password; the requester changes the administrator's one in the browser.
      await addUser(h, { username: requester.username, firstPassword: requester.firstPassword, group: requester.group });
      await addUser(h, { username: approver.username, firstPassword: approver.firstPassword, newPassword: approver.password, group: approver.group });
    });
    requesterContext = await writ.newContext();
    approverContext = await writ.newContext();
  });
  after(() => run.close());
  /** Runs a scenario; when it fails, every open page is saved as a screenshot first. */
  const scenario = (body: () => Promise<void>) => withFailureShots(() => ({ requester: requesterContext, approver: approverContext }), body);

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
    await asking.setViewportSize(PHONE);
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
