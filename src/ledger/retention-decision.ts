// The pure decision of a retention batch: which entries are past their period and not held, and the index ranges they form.
import { holdOf, type HoldableEntry, type LegalHold } from './legal-holds.ts';
import { cutoffTime, keepDaysFor, type RetentionSettings } from './retention-rules.ts';

/** A sequenced entry retention may remove. */
export interface RetentionCandidate extends HoldableEntry {
  readonly index: number;
  readonly eventId: string;
  readonly type: string;
}

export interface RetentionDecision {
  /** Ascending by index. */
  readonly remove: readonly RetentionCandidate[];
  /** Past their period, kept by a hold. */
  readonly heldCount: number;
}

/** A run of consecutive indices, both ends included. */
export type IndexRange = readonly [first: number, last: number];

/**
 * Chooses the entries to remove at `nowMs`: past the period of the first rule matching their type (or the default),
 * and held by no active hold.
 * @example decideRemoval(candidates, settings, holds, Date.now()).remove.length
 */
export function decideRemoval(
  candidates: readonly RetentionCandidate[],
  settings: Pick<RetentionSettings, 'rules' | 'defaultKeepDays'>,
  holds: readonly LegalHold[],
  nowMs: number,
): RetentionDecision {
  const remove: RetentionCandidate[] = [];
  let heldCount = 0;
  for (const candidate of candidates) {
    const keepDays = keepDaysFor(settings, candidate.type);
    if (keepDays === 'forever' || candidate.time >= cutoffTime(keepDays, nowMs)) continue;
    if (holdOf(holds, candidate) !== undefined) heldCount += 1;
    else remove.push(candidate);
  }
  remove.sort((a, b) => a.index - b.index);
  return { remove, heldCount };
}

/**
 * Ascending indices as runs of consecutive ones.
 * @example indexRanges([3, 4, 5, 9]) // [[3, 5], [9, 9]]
 */
export function indexRanges(indices: readonly number[]): IndexRange[] {
  const ranges: [number, number][] = [];
  for (const index of indices) {
    const last = ranges[ranges.length - 1];
    if (last !== undefined && index === last[1] + 1) last[1] = index;
    else ranges.push([index, index]);
  }
  return ranges;
}
