// Admin → Users: a new user's one-time password is shown once and then gone; roles change and disabling ask first and send only that.
import { fireEvent, render, screen, waitFor, within } from '@testing-library/react';
import { afterEach, beforeEach, expect, test, vi } from 'vitest';
import { App } from '../app.tsx';
import { fakeMe, fakeUser, installFakeApi, testQueryClient, type FakeApi } from '../testing/fake-api.ts';

const ONE_TIME = 'otp-example-value-kettle-42';

beforeEach(() => {
  window.history.replaceState(null, '', '/admin');
});
afterEach(() => {
  vi.unstubAllGlobals();
});

async function openUsers(fake: FakeApi): Promise<void> {
  fake.on('GET /api/v1/auth/me', { status: 200, body: fakeMe('sam', ['admin']) }).on('GET /api/v1/groups', { status: 200, body: { items: [], nextCursor: null } });
  render(<App queryClient={testQueryClient()} />);
  fireEvent.click(await screen.findByRole('tab', { name: 'Users and groups' }));
  await screen.findByRole('table', { name: 'Users' });
}

const rowOf = (username: string): HTMLElement => {
  const row = screen.getAllByTestId('user-row').find((r) => within(r).queryAllByText(username).length > 0);
  if (row === undefined) throw new Error(`no row for ${username}`);
  return row;
};

test('create: the one-time password once, with copy and warning, never in the list', async () => {
  const bodies: unknown[] = [];
  const fake = installFakeApi()
    .on('GET /api/v1/users', () => ({ status: 200, body: { items: bodies.length === 0 ? [fakeUser('sam', ['admin'])] : [fakeUser('sam', ['admin']), { ...fakeUser('gina', ['user', 'auditor']), mustChangePassword: true }], nextCursor: null } }))
    .on('POST /api/v1/users', ({ body }) => {
      bodies.push(body);
      return { status: 201, body: { user: fakeUser('gina', ['user', 'auditor']), oneTimePassword: ONE_TIME } };
    });
  await openUsers(fake);
  fireEvent.change(screen.getByLabelText(/^New username/), { target: { value: 'gina' } });
  fireEvent.change(screen.getByLabelText(/^Display name/), { target: { value: 'Gina R' } });
  fireEvent.click(screen.getByRole('checkbox', { name: 'auditor' }));
  fireEvent.click(screen.getByRole('button', { name: 'Create user' }));

  await screen.findByText(ONE_TIME);
  expect(screen.getByText(/you won't see it again/)).toBeTruthy();
  expect(screen.getByRole('button', { name: 'Copy one-time password' })).toBeTruthy();
  expect(bodies).toEqual([{ username: 'gina', roles: ['user', 'auditor'], displayName: 'Gina R' }]);
  await waitFor(() => { expect(within(rowOf('gina')).getByText('must change password')).toBeTruthy(); });
  expect(within(rowOf('gina')).queryByText(ONE_TIME)).toBeNull();
  fireEvent.click(screen.getByRole('button', { name: 'Done: hide the one-time password' }));
  await waitFor(() => { expect(screen.queryByText(ONE_TIME)).toBeNull(); });
  expect(document.body.textContent).not.toContain(ONE_TIME);
});

test('roles and disabling are sent only once confirmed; a refusal is shown', async () => {
  const patches: unknown[] = [];
  const fake = installFakeApi()
    .on('GET /api/v1/users', { status: 200, body: { items: [fakeUser('sam', ['admin']), fakeUser('erin')], nextCursor: null } })
    .on('PATCH /api/v1/users/erin', ({ body }) => {
      patches.push(body);
      return { status: 200, body: fakeUser('erin') };
    })
    .on('PATCH /api/v1/users/sam', { status: 403, body: { title: 'forbidden', detail: 'an admin cannot disable their own account' } });
  await openUsers(fake);

  fireEvent.click(within(rowOf('erin')).getByRole('button', { name: 'Change roles of erin…' }));
  fireEvent.click(within(rowOf('erin')).getByRole('checkbox', { name: 'auditor' }));
  expect(patches).toEqual([]);
  fireEvent.click(within(rowOf('erin')).getByRole('button', { name: 'Save roles of erin' }));
  await within(rowOf('erin')).findByRole('button', { name: 'Disable erin…' });
  fireEvent.click(within(rowOf('erin')).getByRole('button', { name: 'Disable erin…' }));
  expect(patches).toEqual([{ roles: ['user', 'auditor'] }]);
  fireEvent.click(within(rowOf('erin')).getByRole('button', { name: 'Disable erin now' }));
  await waitFor(() => { expect(patches).toEqual([{ roles: ['user', 'auditor'] }, { disabled: true }]); });

  fireEvent.click(within(rowOf('sam')).getByRole('button', { name: 'Disable sam…' }));
  fireEvent.click(within(rowOf('sam')).getByRole('button', { name: 'Disable sam now' }));
  expect(await within(rowOf('sam')).findByText(/cannot disable their own account/)).toBeTruthy();
});
