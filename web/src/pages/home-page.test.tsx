// Home shows my active grants with time left and the command to copy, my pending requests, and the review count.
import { render, screen } from '@testing-library/react';
import { afterEach, beforeEach, expect, test, vi } from 'vitest';
import { App } from '../app.tsx';
import { fakeMe, installFakeApi, testQueryClient } from '../testing/fake-api.ts';

const grant = { id: 'g1', requestId: 'r0', user: { id: 'id-erin', username: 'erin' }, resourceId: 'pg-dev', level: 'read-write', startsAt: '2026-11-26T07:00:00.000Z', endsAt: '2026-11-26T08:05:00.000Z', state: 'active', secondsLeft: 3900, breakGlass: false, endedAt: null, endReason: null, endedBy: null };
const pending = { id: 'r1', kind: 'access', extendsGrantId: null, requester: { id: 'id-erin', username: 'erin' }, resourceId: 'pg-prod', level: 'read-only', durationSeconds: 1800, reason: 'look', ticket: null, startAt: null, breakGlass: false, autoApprovedBy: null, policy: 'p', stages: [{ name: 'db-lead', count: 1, approvals: 0, groups: ['db-leads'], users: [] }], currentStage: 0, status: 'pending', decisions: [], createdAt: '2026-11-26T07:00:00.000Z', expiresAt: '2026-11-26T15:00:00.000Z', decidedAt: null, grantId: null };

beforeEach(() => {
  window.history.replaceState(null, '', '/');
});
afterEach(() => {
  vi.unstubAllGlobals();
});

test('active grants, pending requests and the number of reviews waiting', async () => {
  installFakeApi()
    .on('GET /api/v1/auth/me', { status: 200, body: fakeMe('erin') })
    .on('GET /api/v1/grants?view=mine&state=open&limit=20', { status: 200, body: { items: [grant], nextCursor: null } })
    .on('GET /api/v1/requests?view=mine&limit=20&status=pending', { status: 200, body: { items: [pending], nextCursor: null } })
    .on('GET /api/v1/requests?view=to-review&limit=200&status=pending', { status: 200, body: { items: [pending, { ...pending, id: 'r2' }], nextCursor: 'more' } });
  render(<App queryClient={testQueryClient()} />);
  expect(await screen.findByText('1 h 05 min left')).toBeTruthy();
  expect(screen.getByText('npx writ connect pg-dev --level read-write')).toBeTruthy();
  expect(screen.getByRole('button', { name: 'Copy the command: npx writ connect pg-dev --level read-write' })).toBeTruthy();
  expect((await screen.findByTestId('review-count')).textContent).toBe('2+');
  expect((await screen.findByTestId('pending-request')).textContent).toMatch(/pg-prod.*30 min.*waiting for db-lead/);
});

test('empty and failing lists say so', async () => {
  installFakeApi()
    .on('GET /api/v1/auth/me', { status: 200, body: fakeMe('erin') })
    .on('GET /api/v1/grants', { status: 200, body: { items: [], nextCursor: null } })
    .on('GET /api/v1/requests?view=mine&limit=20&status=pending', { status: 500, body: { title: 'internal', detail: 'an internal error occurred' } })
    .on('GET /api/v1/requests?view=to-review&limit=200&status=pending', { status: 200, body: { items: [], nextCursor: null } });
  render(<App queryClient={testQueryClient()} />);
  expect(await screen.findByText(/No active grants/)).toBeTruthy();
  expect(await screen.findByText('nothing to decide')).toBeTruthy();
  expect(await screen.findByText('an internal error occurred')).toBeTruthy();
});
