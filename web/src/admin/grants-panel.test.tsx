// Admin → Grants: everyone's open grants, active first and soonest end first; a revoke needs a reason and a confirmation.
import { fireEvent, render, screen, waitFor, within } from '@testing-library/react';
import { afterEach, beforeEach, expect, test, vi } from 'vitest';
import { App } from '../app.tsx';
import { fakeMe, installFakeApi, testQueryClient } from '../testing/fake-api.ts';

const HOUR_MS = 3_600_000;
const grant = (id: string, username: string, resourceId: string, state: 'active' | 'scheduled', endsInHours: number) => ({
  id, requestId: `r-${id}`, user: { id: `id-${username}`, username }, resourceId, level: 'read-write', startsAt: new Date(Date.now() - HOUR_MS).toISOString(),
  endsAt: new Date(Date.now() + endsInHours * HOUR_MS).toISOString(), state, secondsLeft: endsInHours * 3600, breakGlass: false, endedAt: null, endReason: null, endedBy: null,
});
const later = grant('g1', 'erin', 'pg-prod', 'active', 3);
const scheduled = grant('g2', 'bob', 'pg-dev', 'scheduled', 1);
const sooner = grant('g3', 'carol', 'pg-dev', 'active', 2);

beforeEach(() => {
  window.history.replaceState(null, '', '/admin');
});
afterEach(() => {
  vi.unstubAllGlobals();
});

test('lists every open grant, active first, and revokes one only with a reason after confirming', async () => {
  const revoked: unknown[] = [];
  const fake = installFakeApi()
    .on('GET /api/v1/auth/me', { status: 200, body: fakeMe('sam', ['admin']) })
    .on('GET /api/v1/grants?view=all&state=open&limit=200', () => ({ status: 200, body: { items: revoked.length === 0 ? [later, scheduled, sooner] : [scheduled, sooner], nextCursor: null } }))
    .on('POST /api/v1/grants/g1/revoke', ({ body }) => {
      revoked.push(body);
      return { status: 200, body: { ...later, state: 'ended', endedAt: new Date().toISOString(), endReason: 'revoked', endedBy: 'sam' } };
    });
  render(<App queryClient={testQueryClient()} />);
  fireEvent.click(await screen.findByRole('tab', { name: 'Grants' }));

  await screen.findByRole('table', { name: 'Open grants' });
  const users = (): string[] => screen.getAllByTestId('admin-grant').map((row) => within(row).getAllByRole('cell')[0]?.textContent ?? '');
  expect(users()).toEqual(['carol', 'erin', 'bob']);
  const erin = screen.getAllByTestId('admin-grant')[1];
  if (erin === undefined) throw new Error('no row for erin');
  expect(within(erin).getByText('pg-prod')).toBeTruthy();
  expect(within(erin).getByTestId('time-left').textContent).toMatch(/\d/);

  fireEvent.click(within(erin).getByRole('button', { name: "Revoke erin's read-write grant on pg-prod…" }));
  const confirm = within(erin).getByRole('button', { name: "Revoke erin's read-write grant on pg-prod now" });
  expect(confirm.hasAttribute('disabled')).toBe(true);
  fireEvent.click(confirm);
  expect(revoked).toEqual([]);
  fireEvent.change(within(erin).getByLabelText(/^Reason/), { target: { value: 'left the company' } });
  fireEvent.click(confirm);

  await waitFor(() => { expect(users()).toEqual(['carol', 'bob']); });
  expect(revoked).toEqual([{ reason: 'left the company' }]);
  expect(fake.calls).toContain('POST /api/v1/grants/g1/revoke');
});
