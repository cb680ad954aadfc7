// An ended session: the page says so, and signing in again returns where you were.
import { fireEvent, render, screen } from '@testing-library/react';
import { afterEach, beforeEach, expect, test, vi } from 'vitest';
import { App } from '../app.tsx';
import { csrfToken } from '../api/client.ts';
import { fakeMe, fakeUser, installFakeApi, testQueryClient, unauthorized } from '../testing/fake-api.ts';

beforeEach(() => {
  window.history.replaceState(null, '', '/grants');
});
afterEach(() => {
  vi.unstubAllGlobals();
  csrfToken.clear();
});

test('a 401 mid-session leads to sign-in with a notice, then back to the page', async () => {
  csrfToken.set('csrf-from-an-earlier-sign-in');
  let signedIn = true;
  const api = installFakeApi()
    .on('GET /api/v1/auth/me', () => (signedIn ? { status: 200, body: fakeMe('erin') } : unauthorized))
    .on('GET /api/v1/grants', () => (signedIn ? { status: 200, body: { items: [], nextCursor: null } } : unauthorized))
    .on('POST /api/v1/auth/login', ({ body }) => {
      signedIn = (body as { password: string }).password === 'right-password';
      return signedIn ? { status: 200, body: { user: fakeUser('erin'), csrfToken: 'fresh-csrf', expiresAt: '2026-11-27T00:00:00Z' } } : { status: 401, body: { title: 'unauthorized', detail: 'wrong username or password' } };
    });
  signedIn = false;
  render(<App queryClient={testQueryClient()} />);

  expect(await screen.findByText('Your session has ended')).toBeTruthy();
  expect(window.location.pathname + window.location.search).toBe('/sign-in?next=%2Fgrants&expired=1');
  expect(screen.getByText('/grants')).toBeTruthy();

  fireEvent.change(screen.getByLabelText(/^Username/), { target: { value: 'erin' } });
  fireEvent.change(screen.getByLabelText(/^Password/), { target: { value: 'wrong-password' } });
  fireEvent.click(screen.getByRole('button', { name: 'Sign in' }));
  expect(await screen.findByText('wrong username or password')).toBeTruthy();

  fireEvent.change(screen.getByLabelText(/^Password/), { target: { value: 'right-password' } });
  fireEvent.click(screen.getByRole('button', { name: 'Sign in' }));
  expect(await screen.findByText('No active grants.')).toBeTruthy();
  expect(window.location.pathname).toBe('/grants');
  expect(csrfToken.get()).toBe('fresh-csrf');
  expect(api.calls).toContain('POST /api/v1/auth/login');
});

test('a first visit is simply signed out: no "session ended" notice', async () => {
  installFakeApi().on('GET /api/v1/auth/me', unauthorized);
  render(<App queryClient={testQueryClient()} />);
  expect(await screen.findByRole('heading', { name: 'Sign in to Writ' })).toBeTruthy();
  expect(screen.queryByText('Your session has ended')).toBeNull();
  expect(window.location.search).toBe('?next=%2Fgrants');
});
