// Reviews: the request with its flags; approve shorter, or deny only with a comment.
import { fireEvent, render, screen, within } from '@testing-library/react';
import { afterEach, beforeEach, expect, test, vi } from 'vitest';
import { App } from '../app.tsx';
import { fakeMe, installFakeApi, testQueryClient } from '../testing/fake-api.ts';

const request = {
  id: 'r1', kind: 'access', extendsGrantId: null, requester: { id: 'id-erin', username: 'erin' }, resourceId: 'pg-prod', level: 'read-write', durationSeconds: 7200,
  reason: 'fix stuck payments', ticket: 'INC-42', startAt: null, breakGlass: true, autoApprovedBy: null, policy: 'prod', stages: [{ name: 'db-lead', count: 1, approvals: 0, groups: ['db-leads'], users: [] }],
  currentStage: 0, status: 'pending', decisions: [], createdAt: new Date(2026, 10, 28, 3, 0).toISOString(), expiresAt: '2026-11-28T12:00:00.000Z', decidedAt: null, grantId: null, firstForResource: true,
};

beforeEach(() => {
  window.history.replaceState(null, '', '/reviews');
});
afterEach(() => {
  vi.unstubAllGlobals();
});

test('shows what matters, approves shorter, and denies only with a comment', async () => {
  const approvals: unknown[] = [];
  let decided = false;
  installFakeApi()
    .on('GET /api/v1/auth/me', { status: 200, body: fakeMe('fred') })
    .on('GET /api/v1/requests', () => ({ status: 200, body: { items: decided ? [] : [request], nextCursor: null } }))
    .on('POST /api/v1/requests/r1/approve', ({ body }) => {
      approvals.push(body);
      decided = true;
      return { status: 200, body: { request: { ...request, status: 'approved' }, grant: null } };
    });
  render(<App queryClient={testQueryClient()} />);

  const card = await screen.findByTestId('review');
  for (const flag of ['break-glass', 'outside working hours', 'first request for this resource']) expect(within(card).getByText(flag)).toBeTruthy();
  expect(within(card).getByText('fix stuck payments')).toBeTruthy();
  expect(within(card).getByText('INC-42')).toBeTruthy();
  const deny = within(card).getByRole('button', { name: /^Deny erin/ });
  expect(deny.hasAttribute('disabled')).toBe(true);
  fireEvent.change(within(card).getByLabelText(/^Comment/), { target: { value: 'ok for 30 minutes' } });
  expect(deny.hasAttribute('disabled')).toBe(false);

  fireEvent.click(within(card).getByRole('button', { name: 'Approve shorter or later…' }));
  fireEvent.change(within(card).getByLabelText(/^Duration in minutes/), { target: { value: '30' } });
  fireEvent.click(within(card).getByRole('button', { name: /^Approve erin/ }));
  expect(await screen.findByText('Nothing waits for your review.')).toBeTruthy();
  expect(approvals).toEqual([{ comment: 'ok for 30 minutes', durationSeconds: 1800 }]);
});
