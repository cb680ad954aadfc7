// What an evidence bundle selects: an index range and the event search filters, as a search filter and as a check on one entry.
import type { BundleSelection } from './evidence-bundle-format.ts';
import type { EventFilter } from './event-search.ts';

/** The fields of a stored entry the selection looks at (as parsed JSON: not yet trusted). */
export interface StoredFields {
  readonly id?: unknown;
  readonly time?: unknown;
  readonly type?: unknown;
  readonly actor?: { readonly id?: unknown } | undefined;
  readonly targets?: unknown;
  readonly outcome?: unknown;
  readonly context?: { readonly requestId?: unknown; readonly grantId?: unknown } | undefined;
  readonly personalCommitment?: string | undefined;
}

/** True when the selection has a filter besides its index range (so not every entry of the range is in the bundle). */
export function isFiltered(s: BundleSelection): boolean {
  return [s.fromTime, s.toTime, s.type, s.actor, s.target, s.outcome, s.requestId, s.grantId].some((v) => v !== undefined);
}

/**
 * The event search filter of a selection (the index range is applied by the caller).
 * @example filterOfSelection({ fromIndex: 0, toIndex: 10, type: 'access.*' }).type // { kind: 'prefix', prefix: 'access.' }
 */
export function filterOfSelection(s: BundleSelection): EventFilter {
  const colon = s.target?.indexOf(':') ?? -1;
  return {
    fromTime: s.fromTime,
    toTime: s.toTime,
    actorId: s.actor,
    type: s.type === undefined ? undefined : s.type.endsWith('*') ? { kind: 'prefix', prefix: s.type.slice(0, -1) } : { kind: 'exact', type: s.type },
    target: s.target === undefined ? undefined : { kind: s.target.slice(0, colon), id: s.target.slice(colon + 1) },
    outcome: s.outcome,
    requestId: s.requestId,
    grantId: s.grantId,
  };
}

function hasTarget(targets: unknown, wanted: string): boolean {
  const colon = wanted.indexOf(':');
  const kind = wanted.slice(0, colon);
  const id = wanted.slice(colon + 1);
  return Array.isArray(targets) && targets.some((t: unknown) => typeof t === 'object' && t !== null && (t as { kind?: unknown }).kind === kind && (t as { id?: unknown }).id === id);
}

/**
 * Why entry `index` with these stored fields is outside the selection, or undefined when it is inside.
 * @example matchesSelection(5, { type: 'auth.login.failed' }, { fromIndex: 0, toIndex: 10, type: 'access.*' }) // 'its type "auth.login.failed" is not access.*'
 */
export function matchesSelection(index: number, e: StoredFields, s: BundleSelection): string | undefined {
  if (index < s.fromIndex || index >= s.toIndex) return `index ${index} is not in ${s.fromIndex} to ${s.toIndex} (exclusive)`;
  const time = typeof e.time === 'string' ? e.time : '';
  if (s.fromTime !== undefined && time < s.fromTime) return `its time ${time} is before ${s.fromTime}`;
  if (s.toTime !== undefined && time >= s.toTime) return `its time ${time} is not before ${s.toTime}`;
  const type = typeof e.type === 'string' ? e.type : '';
  if (s.type !== undefined && !(s.type.endsWith('*') ? type.startsWith(s.type.slice(0, -1)) : type === s.type)) return `its type "${type}" is not ${s.type}`;
  if (s.actor !== undefined && e.actor?.id !== s.actor) return `its actor is not ${s.actor}`;
  if (s.outcome !== undefined && e.outcome !== s.outcome) return `its outcome is not ${s.outcome}`;
  if (s.target !== undefined && !hasTarget(e.targets, s.target)) return `it has no target ${s.target}`;
  if (s.requestId !== undefined && e.context?.requestId !== s.requestId) return `its request id is not ${s.requestId}`;
  if (s.grantId !== undefined && e.context?.grantId !== s.grantId) return `its grant id is not ${s.grantId}`;
  return undefined;
}
