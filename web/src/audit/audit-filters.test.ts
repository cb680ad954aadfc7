// Filters → URL → the events API's query, and what the form says is wrong.
import { describe, expect, test } from 'vitest';
import { evidenceBundleUrl, eventsQueryOf, filterProblems, filtersFromSearch, isoOfLocalInput, localInputOfIso, searchOfFilters } from './audit-filters.ts';

describe('audit filters', () => {
  test('the URL keeps known, non-empty, trimmed filters only', () => {
    expect(filtersFromSearch('type=access.*&actor=%20alice%20&target=&x=1&event=abc')).toEqual({ type: 'access.*', actor: 'alice' });
    expect(searchOfFilters({ actor: 'alice', target: ' ', outcome: 'denied' }, { event: 'e1', other: undefined })).toBe('actor=alice&outcome=denied&event=e1');
    expect(filtersFromSearch(searchOfFilters({ target: 'session:a b&c' }))).toEqual({ target: 'session:a b&c' });
  });

  test('the query: API names, times in UTC, the cursor, nothing empty', () => {
    expect(eventsQueryOf({ actor: 'alice', type: 'gateway.*', outcome: 'denied', requestId: 'r1', grantId: '' }, 'c1', 50)).toEqual({
      actor: 'alice',
      type: 'gateway.*',
      outcome: 'denied',
      requestId: 'r1',
      cursor: 'c1',
      limit: 50,
      order: 'desc',
    });
    expect(eventsQueryOf({ from: '2026-11-26T08:30:00+02:00', to: '2026-11-26T07:00:00Z' }, undefined, 10, 'asc')).toEqual({
      from: '2026-11-26T06:30:00.000Z',
      to: '2026-11-26T07:00:00.000Z',
      limit: 10,
      order: 'asc',
    });
    expect(eventsQueryOf({ outcome: 'maybe' }, undefined, 10).outcome).toBeUndefined();
  });

  test('problems are named per field', () => {
    expect(filterProblems({ type: 'Access.Request', target: 'pg-prod', outcome: 'maybe' })).toEqual({
      type: expect.stringContaining('prefix ending in *') as unknown,
      target: expect.stringContaining('kind:id') as unknown,
      outcome: 'success, failure or denied',
    });
    expect(filterProblems({ from: '2026-11-26T08:00:00Z', to: '2026-11-26T07:00:00Z' })).toEqual({ to: 'Must be after "From"' });
    expect(filterProblems({ type: 'gateway.*', target: 'session:0193', from: '2026-11-26T06:00:00Z', to: '2026-11-26T07:00:00Z' })).toEqual({});
  });

  test('datetime-local values round-trip through RFC 3339', () => {
    const iso = isoOfLocalInput('2026-11-26T08:30');
    expect(iso).toMatch(/^2026-11-2\dT\d\d:30:00\.000Z$/);
    expect(localInputOfIso(iso)).toBe('2026-11-26T08:30');
    expect(isoOfLocalInput('')).toBe('');
    expect(localInputOfIso('nonsense')).toBe('');
  });
});

test('the evidence bundle link carries the same filters, times in UTC, and whether to redact', () => {
  const url = new URL(evidenceBundleUrl({ type: 'gateway.*', target: 'session:s 1', from: '2026-11-26T08:00:00+01:00', outcome: 'denied' }, true), 'http://writ.test');
  expect(url.pathname).toBe('/api/v1/evidence-bundles');
  expect(Object.fromEntries(url.searchParams)).toEqual({ type: 'gateway.*', target: 'session:s 1', from: '2026-11-26T07:00:00.000Z', outcome: 'denied', redact: 'true' });
  expect(evidenceBundleUrl({}, false)).toBe('/api/v1/evidence-bundles?redact=false');
});
