// The stream's "log" notice refetches a live tail and only a live tail; an "access" notice refetches grants, not the log.
import { QueryClientProvider } from '@tanstack/react-query';
import { act, render, waitFor } from '@testing-library/react';
import { afterEach, expect, test, vi } from 'vitest';
import { useEvents } from '../audit/audit-queries.ts';
import { installFakeApi, testQueryClient } from '../testing/fake-api.ts';
import { STREAM_URL, useLiveUpdates } from './use-live-updates.ts';

/** A stand-in EventSource whose notices the test sends. */
class FakeEventSource extends EventTarget {
  static readonly CLOSED = 2;
  static opened: FakeEventSource[] = [];
  readonly readyState = 1;
  constructor(readonly url: string) {
    super();
    FakeEventSource.opened.push(this);
  }
  notice(type: string): void {
    this.dispatchEvent(new Event(type));
  }
  close(): void {
    // Nothing to release.
  }
}

function Tails() {
  useLiveUpdates();
  useEvents({ type: 'gateway.*' }, { live: true });
  useEvents({ type: 'access.*' });
  return null;
}

afterEach(() => {
  vi.unstubAllGlobals();
  FakeEventSource.opened = [];
});

test('a "log" notice refetches the live tail only; "access" does not touch the log', async () => {
  vi.stubGlobal('EventSource', FakeEventSource);
  const empty = { status: 200, body: { events: [], next: null } };
  const fake = installFakeApi().on('GET /api/v1/events', empty);
  render(<QueryClientProvider client={testQueryClient()}><Tails /></QueryClientProvider>);
  const asked = (type: string): number => fake.calls.filter((c) => c.startsWith('GET /api/v1/events?') && c.includes(`type=${encodeURIComponent(type)}`)).length;
  await waitFor(() => { expect(asked('gateway.*') + asked('access.*')).toBe(2); });
  const source = FakeEventSource.opened[0];
  expect(source?.url).toBe(STREAM_URL);

  act(() => { source?.notice('access'); });
  act(() => { source?.notice('log'); });
  await waitFor(() => { expect(asked('gateway.*')).toBe(2); });
  expect(asked('access.*')).toBe(1);
});
