// A new token's secret is shown once, with a copy button and a warning, and is gone once dismissed; the list never holds it.
import { MantineProvider } from '@mantine/core';
import { QueryClient, QueryClientProvider } from '@tanstack/react-query';
import { fireEvent, render, screen, waitFor } from '@testing-library/react';
import { afterEach, expect, test, vi } from 'vitest';
import { TokensPanel } from './tokens-panel.tsx';

const SECRET = 'writ_tok_example_secret_value_1';
const listed = { id: 't1', ownerId: 'u1', name: 'ci exporter', scopes: ['log:read'], createdAt: '2026-11-26T07:00:00.000Z', expiresAt: null, lastUsedAt: null, revokedAt: null };

afterEach(() => {
  vi.unstubAllGlobals();
});

test('create: the secret once, then only the listed token without it', async () => {
  const bodies: unknown[] = [];
  let created = false;
  vi.stubGlobal('fetch', vi.fn((url: string, init: RequestInit) => {
    const json = (body: unknown, status = 200) => Promise.resolve(new Response(JSON.stringify(body), { status, headers: { 'content-type': 'application/json' } }));
    if (init.method === 'POST') {
      bodies.push(JSON.parse(init.body as string));
      created = true;
      return json({ token: SECRET, tokenId: 't1', details: listed }, 201);
    }
    expect(url).toMatch(/^\/api\/v1\/tokens\?all=true&limit=50$/);
    return json({ items: created ? [listed] : [], nextCursor: null });
  }));
  render(<MantineProvider><QueryClientProvider client={new QueryClient()}><TokensPanel /></QueryClientProvider></MantineProvider>);
  await screen.findByText('No API tokens.');
  fireEvent.change(screen.getByLabelText(/Token name/), { target: { value: 'ci exporter' } });
  fireEvent.click(screen.getByRole('checkbox', { name: 'log:read' }));
  fireEvent.click(screen.getByRole('button', { name: 'Create token' }));
  await screen.findByText(SECRET);
  expect(screen.getByText(/you won't see it again/)).toBeTruthy();
  expect(screen.getByRole('button', { name: 'Copy token' })).toBeTruthy();
  expect(bodies).toEqual([{ name: 'ci exporter', scopes: ['log:read'], expiresInSeconds: 30 * 86_400 }]);
  await screen.findByRole('button', { name: 'Revoke token ci exporter…' });
  fireEvent.click(screen.getByRole('button', { name: 'Done: hide the token' }));
  await waitFor(() => { expect(screen.queryByText(SECRET)).toBeNull(); });
  expect(document.body.textContent).not.toContain(SECRET);
});
