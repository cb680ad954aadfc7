// The request form: who must approve (policy test), the duration bounded by policy, and what is sent.
import { fireEvent, render, screen, within } from '@testing-library/react';
import { afterEach, beforeEach, expect, test, vi } from 'vitest';
import { App } from '../app.tsx';
import { fakeMe, installFakeApi, testQueryClient } from '../testing/fake-api.ts';

const resource = { id: 'pg-dev', kind: 'postgres', name: 'Development database', labels: { env: 'dev' }, levels: ['read-only', 'read-write'] };
const needsApproval = {
  decision: { kind: 'needs-approval', policy: 'dev-databases', maxDurationSeconds: 2 * 3600, durationSeconds: 3600 },
  breakGlass: { kind: 'deny', reasons: ['no'] },
  stages: [{ name: 'db-lead', count: 1, groups: ['db-leads'], users: [], approvers: [{ user: 'bob', flags: [] }, { user: 'fred', flags: [] }], satisfiable: true }],
};

beforeEach(() => {
  window.history.replaceState(null, '', '/request');
});
afterEach(() => {
  vi.unstubAllGlobals();
});

test('shows who must approve, bounds the duration by policy, and sends the request', async () => {
  const sent: unknown[] = [];
  installFakeApi()
    .on('GET /api/v1/auth/me', { status: 200, body: fakeMe('erin') })
    .on('GET /api/v1/resources', { status: 200, body: { items: [resource], nextCursor: null } })
    .on('POST /api/v1/policy/test', { status: 200, body: needsApproval })
    .on('POST /api/v1/requests', ({ body }) => {
      sent.push(body);
      return { status: 201, body: { request: { resourceId: 'pg-dev', level: 'read-write', status: 'pending' }, grant: null } };
    });
  render(<App queryClient={testQueryClient()} />);

  fireEvent.click(await screen.findByRole('radio', { name: /Development database/ }));
  fireEvent.click(await screen.findByRole('radio', { name: 'read-write' }));
  fireEvent.change(screen.getByLabelText(/^Reason/), { target: { value: 'INC-42' } });
  const preview = await screen.findByTestId('approval-preview');
  expect(within(preview).getByText(/1 approval from bob or fred/)).toBeTruthy();
  expect(await screen.findByText(/the policy allows at most 2 h/)).toBeTruthy();

  fireEvent.change(screen.getByLabelText(/^Duration in minutes/), { target: { value: '600' } });
  expect(await screen.findByText('2 h; the policy allows at most 2 h')).toBeTruthy();
  fireEvent.click(screen.getByRole('button', { name: 'Send request' }));
  expect(await screen.findByText('Request sent')).toBeTruthy();
  expect(sent).toEqual([{ resourceId: 'pg-dev', level: 'read-write', durationSeconds: 7200, reason: 'INC-42' }]);
});
