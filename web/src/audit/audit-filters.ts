// The audit log's filters: kept in the page's URL (shareable), checked before asking, and turned into the events API's query.

export const AUDIT_FILTER_KEYS = ['from', 'to', 'actor', 'type', 'target', 'outcome', 'requestId', 'grantId'] as const;
export type AuditFilterKey = (typeof AUDIT_FILTER_KEYS)[number];
export type AuditFilters = Partial<Record<AuditFilterKey, string>>;
export type Outcome = 'success' | 'failure' | 'denied';

const MAX_LENGTH: Readonly<Record<AuditFilterKey, number>> = { from: 64, to: 64, actor: 256, type: 129, target: 321, outcome: 16, requestId: 128, grantId: 128 };
const TYPE_PATTERN = /^[a-z][a-z0-9_.]*\*?$/;
const TARGET_PATTERN = /^[^:]{1,64}:.{1,256}$/;
const OUTCOMES: readonly string[] = ['success', 'failure', 'denied'];

/** Only known, non-empty, trimmed values. */
export function cleanFilters(filters: AuditFilters): AuditFilters {
  const clean: AuditFilters = {};
  for (const key of AUDIT_FILTER_KEYS) {
    const value = filters[key]?.trim();
    if (value !== undefined && value !== '') clean[key] = value.slice(0, MAX_LENGTH[key]);
  }
  return clean;
}

/** @example filtersFromSearch('type=access.*&actor=alice&x=1') // { type: 'access.*', actor: 'alice' } */
export function filtersFromSearch(search: string): AuditFilters {
  const params = new URLSearchParams(search);
  const filters: AuditFilters = {};
  for (const key of AUDIT_FILTER_KEYS) {
    const value = params.get(key);
    if (value !== null) filters[key] = value;
  }
  return cleanFilters(filters);
}

/** The URL search (no "?") for these filters, plus other parameters such as the event shown. */
export function searchOfFilters(filters: AuditFilters, extra: Readonly<Record<string, string | undefined>> = {}): string {
  const params = new URLSearchParams();
  for (const [key, value] of Object.entries(cleanFilters(filters))) params.set(key, value);
  for (const [key, value] of Object.entries(extra)) if (value !== undefined && value !== '') params.set(key, value);
  return params.toString();
}

/** What is wrong with each filter, in the words the form shows; empty when all can be asked for. */
export function filterProblems(filters: AuditFilters): Partial<Record<AuditFilterKey, string>> {
  const f = cleanFilters(filters);
  const problems: Partial<Record<AuditFilterKey, string>> = {};
  if (f.type !== undefined && !TYPE_PATTERN.test(f.type)) problems.type = 'An event type such as access.request.created, or a prefix ending in * such as gateway.*';
  if (f.target !== undefined && !TARGET_PATTERN.test(f.target)) problems.target = 'kind:id, such as resource:pg-prod or session:…';
  if (f.outcome !== undefined && !OUTCOMES.includes(f.outcome)) problems.outcome = 'success, failure or denied';
  for (const key of ['from', 'to'] as const) if (f[key] !== undefined && Number.isNaN(Date.parse(f[key]))) problems[key] = 'A date and time';
  if (f.from !== undefined && f.to !== undefined && problems.from === undefined && problems.to === undefined && Date.parse(f.from) >= Date.parse(f.to)) problems.to = 'Must be after "From"';
  return problems;
}

export interface EventsQuery {
  from?: string;
  to?: string;
  actor?: string;
  type?: string;
  target?: string;
  outcome?: Outcome;
  requestId?: string;
  grantId?: string;
  cursor?: string;
  limit: number;
  order: 'desc' | 'asc';
}

/**
 * The GET /api/v1/events query for these filters: times as RFC 3339 in UTC.
 * @example eventsQueryOf({ actor: 'alice' }, undefined, 50) // { actor: 'alice', limit: 50, order: 'desc' }
 */
export function eventsQueryOf(filters: AuditFilters, cursor: string | undefined, limit: number, order: 'desc' | 'asc' = 'desc'): EventsQuery {
  const f = cleanFilters(filters);
  const query: EventsQuery = { limit, order };
  for (const key of ['actor', 'type', 'target', 'requestId', 'grantId'] as const) if (f[key] !== undefined) query[key] = f[key];
  for (const key of ['from', 'to'] as const) if (f[key] !== undefined) query[key] = new Date(f[key]).toISOString();
  if (f.outcome !== undefined && OUTCOMES.includes(f.outcome)) query.outcome = f.outcome as Outcome;
  if (cursor !== undefined) query.cursor = cursor;
  return query;
}

/** A datetime-local input's value ("2026-11-26T08:30", the browser's zone) as RFC 3339 UTC, or '' when empty or unreadable. */
export function isoOfLocalInput(value: string): string {
  const ms = Date.parse(value);
  return value === '' || Number.isNaN(ms) ? '' : new Date(ms).toISOString();
}

/** The other way, for showing a filter's time in the input. */
export function localInputOfIso(iso: string | undefined): string {
  if (iso === undefined) return '';
  const ms = Date.parse(iso);
  if (Number.isNaN(ms)) return '';
  const d = new Date(ms);
  const pad = (n: number): string => String(n).padStart(2, '0');
  return `${d.getFullYear()}-${pad(d.getMonth() + 1)}-${pad(d.getDate())}T${pad(d.getHours())}:${pad(d.getMinutes())}`;
}

/**
 * The evidence bundle of the current filters (GET /api/v1/evidence-bundles takes the same names; times in UTC).
 * @example evidenceBundleUrl({ type: 'access.*' }, false) // '/api/v1/evidence-bundles?type=access.*&redact=false'
 */
export function evidenceBundleUrl(filters: AuditFilters, redact: boolean): string {
  const query = eventsQueryOf(filters, undefined, 1);
  const params = new URLSearchParams();
  for (const key of ['type', 'actor', 'target', 'outcome', 'requestId', 'grantId', 'from', 'to'] as const) {
    const value = query[key];
    if (value !== undefined) params.set(key, value);
  }
  params.set('redact', String(redact));
  return `/api/v1/evidence-bundles?${params.toString()}`;
}
