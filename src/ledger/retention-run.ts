// A retention run: walks the windows of old entries, removes the content of those past their period and not held, in audited batches.
import type { AuditEntryFactory } from '../events/audit-entry.ts';
import type { EventInput } from '../events/event-schema.ts';
import type { Clock } from '../shared/clock.ts';
import type { IdGenerator } from '../shared/ids.ts';
import { decideRemoval, indexRanges, type IndexRange } from './retention-decision.ts';
import { keepsEverything, latestCutoff, type RetentionSettings } from './retention-rules.ts';
import type { RetentionBatchResult, RetentionStore } from './retention-store.ts';

export interface RetentionDeps {
  readonly store: RetentionStore;
  readonly settings: RetentionSettings;
  readonly auditEntry: AuditEntryFactory;
  readonly clock: Clock;
  readonly ids: IdGenerator;
}

export type RetentionTrigger = 'schedule' | 'admin';

export interface RetentionReport {
  /** Undefined for a dry run (nothing was recorded). */
  readonly runId: string | undefined;
  readonly dryRun: boolean;
  readonly removedCount: number;
  readonly heldCount: number;
  /** Runs of removed (or, for a dry run, removable) indices, both ends included; at most MAX_REPORTED_RANGES. */
  readonly ranges: readonly IndexRange[];
  readonly rangesTruncated: boolean;
  readonly batches: number;
}

const WINDOWS_PER_READ = 64;
const MAX_REPORTED_RANGES = 1000;

function rulesOf(settings: RetentionSettings): { rules: { typePrefix: string; keepDays: number | 'forever' }[]; defaultKeepDays: number | 'forever' } {
  return { rules: settings.rules.map((r) => ({ typePrefix: r.typePrefix, keepDays: r.keepDays })), defaultKeepDays: settings.defaultKeepDays };
}

/**
 * Removes the content of every sequenced entry past its rule's period and held by no legal hold, in batches of at most
 * `settings.batchSize` indices, each in one transaction with its `ledger.retention.ran` batch entry; ends with a summary
 * entry. A dry run decides the same way and changes nothing. Leaf hashes, tiles and checkpoints stay.
 * @example await runRetention(deps, { actor: systemActor, trigger: 'schedule', dryRun: false }) // { removedCount: 120, ... }
 */
export async function runRetention(deps: RetentionDeps, run: { actor: EventInput['actor']; trigger: RetentionTrigger; dryRun: boolean }): Promise<RetentionReport> {
  const nowMs = deps.clock.nowMs();
  const before = latestCutoff(deps.settings, nowMs);
  const runId = run.dryRun ? undefined : deps.ids.next();
  const applied = rulesOf(deps.settings);
  const entryOf = (data: Record<string, unknown>): ReturnType<AuditEntryFactory> =>
    deps.auditEntry({ type: 'ledger.retention.ran', actor: run.actor, outcome: 'success', data: { runId, trigger: run.trigger, ...applied, ...data } });
  const record = runId === undefined
    ? undefined
    : (result: RetentionBatchResult) => entryOf({ kind: 'batch', removedCount: result.remove.length, heldCount: result.heldCount, ranges: indexRanges(result.remove.map((e) => e.index)) });
  const decide: Parameters<RetentionStore['removeInWindow']>[2] = (candidates, holds) => decideRemoval(candidates, deps.settings, holds, nowMs);
  let removedCount = 0;
  let heldCount = 0;
  let batches = 0;
  const ranges: IndexRange[] = [];
  if (before !== undefined && !keepsEverything(deps.settings)) {
    for (let fromIndex = 0; ; ) {
      const windows = await deps.store.windowsBefore(before, deps.settings.batchSize, fromIndex, WINDOWS_PER_READ);
      for (const window of windows) {
        const result = await deps.store.removeInWindow(window, before, decide, record);
        removedCount += result.remove.length;
        heldCount += result.heldCount;
        if (result.remove.length > 0) batches += 1;
        for (const range of indexRanges(result.remove.map((e) => e.index))) if (ranges.length <= MAX_REPORTED_RANGES) ranges.push(range);
      }
      const last = windows[windows.length - 1];
      if (last === undefined || windows.length < WINDOWS_PER_READ) break;
      fromIndex = last.to;
    }
  }
  if (runId !== undefined) {
    const { floor } = await deps.store.removalSummary();
    await deps.store.record(entryOf({ kind: 'summary', removedCount, heldCount, ranges: [], batches, floor }));
  }
  return { runId, dryRun: run.dryRun, removedCount, heldCount, ranges: ranges.slice(0, MAX_REPORTED_RANGES), rangesTruncated: ranges.length > MAX_REPORTED_RANGES, batches };
}
