// Legal holds: what a hold covers (a subject, a resource, or a range of event times) and whether it holds an entry.
import { z } from 'zod';
import { normaliseEventTime } from '../events/event-time.ts';

const idSchema = z.string().trim().min(1).max(256);
const timeSchema = z.string().max(64).transform((text, context) => {
  const result = normaliseEventTime(text);
  if (!result.ok) {
    context.addIssue({ code: 'custom', message: result.reason });
    return z.NEVER;
  }
  return result.time;
});

/** What a hold covers, as given at the edge; times are normalised to canonical UTC text. */
export const holdScopeSchema = z.discriminatedUnion(
  'kind',
  [
    z.strictObject({ kind: z.literal('subject'), subjectId: idSchema }),
    z.strictObject({ kind: z.literal('resource'), resourceId: idSchema }),
    z
      .strictObject({ kind: z.literal('time'), from: timeSchema, to: timeSchema })
      .refine((scope) => scope.from <= scope.to, { error: '"from" must not be later than "to"', path: ['to'] }),
  ],
  { error: 'expected a hold on a subject ({ kind: subject, subjectId }), a resource ({ kind: resource, resourceId }) or a time range ({ kind: time, from, to })' },
);
export type HoldScope = z.output<typeof holdScopeSchema>;

export interface LegalHold {
  readonly id: string;
  readonly scope: HoldScope;
  readonly reason: string;
  readonly placedBy: string;
  readonly placedAtMs: number;
  readonly released: { readonly by: string; readonly atMs: number; readonly reason: string } | undefined;
}

/** What a hold needs to know of an entry. */
export interface HoldableEntry {
  readonly actorId: string;
  readonly time: string;
  /** The entry's targets, as `kind` and `id`. */
  readonly targets: readonly { readonly kind: string; readonly id: string }[];
}

/**
 * True when `scope` holds `entry`: a subject hold covers the entries the subject acted in or that name them as a user
 * target; a resource hold those naming the resource as a target; a time hold those whose event time is in [from, to].
 * @example isHeldBy({ kind: 'subject', subjectId: 'u1' }, { actorId: 'u1', time, targets: [] }) // true
 */
export function isHeldBy(scope: HoldScope, entry: HoldableEntry): boolean {
  switch (scope.kind) {
    case 'subject':
      return entry.actorId === scope.subjectId || entry.targets.some((t) => t.kind === 'user' && t.id === scope.subjectId);
    case 'resource':
      return entry.targets.some((t) => t.kind === 'resource' && t.id === scope.resourceId);
    case 'time':
      return entry.time >= scope.from && entry.time <= scope.to;
  }
}

/** The first of `holds` that holds `entry`, if any. */
export function holdOf(holds: readonly LegalHold[], entry: HoldableEntry): LegalHold | undefined {
  return holds.find((hold) => hold.released === undefined && isHeldBy(hold.scope, entry));
}
