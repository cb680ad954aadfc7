// Retention and legal holds for administrators: run (or preview) retention, show it, place, list and release holds, on the ledger.
import type { EventInput } from '../events/event-schema.ts';
import { holdScopeSchema, type HoldScope, type LegalHold } from '../ledger/legal-holds.ts';
import { runRetention, type RetentionDeps, type RetentionReport } from '../ledger/retention-run.ts';
import type { RetentionSettings } from '../ledger/retention-rules.ts';
import { AppError } from '../shared/app-error.ts';
import { isUuid } from '../shared/ids.ts';
import { requireAdmin } from './authority.ts';
import { actorOf } from './identity-context.ts';
import type { Principal } from './principal.ts';

const MAX_REASON_LENGTH = 1024;
const MAX_HOLDS_LISTED = 1000;

export interface RetentionOverview {
  readonly settings: RetentionSettings;
  readonly removedCount: number;
  readonly floor: number;
  readonly activeHolds: number;
}

function parseReason(reason: string | undefined, what: string): string {
  const trimmed = reason?.trim() ?? '';
  if (trimmed === '') throw new AppError('invalid_input', `${what} needs a reason (for example the matter or ticket it answers)`);
  if (trimmed.length > MAX_REASON_LENGTH) throw new AppError('invalid_input', `the reason must be at most ${MAX_REASON_LENGTH} characters`);
  return trimmed;
}

function parseScope(scope: unknown): HoldScope {
  const parsed = holdScopeSchema.safeParse(scope);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    const where = issue === undefined || issue.path.length === 0 ? '' : `${issue.path.join('.')}: `;
    throw new AppError('invalid_input', `invalid hold: ${where}${issue?.message ?? 'not a hold'}`);
  }
  return parsed.data;
}

function targetsOf(scope: HoldScope): NonNullable<EventInput['targets']> {
  if (scope.kind === 'subject') return [{ kind: 'user', id: scope.subjectId }];
  if (scope.kind === 'resource') return [{ kind: 'resource', id: scope.resourceId }];
  return [];
}

/**
 * Runs retention now (or, with `dryRun`, reports what it would remove and changes nothing).
 * @example await runRetentionAsAdmin(deps, admin, { dryRun: true }) // { removedCount: 12, dryRun: true, ... }
 */
export async function runRetentionAsAdmin(deps: RetentionDeps, admin: Principal, options: { dryRun: boolean }): Promise<RetentionReport> {
  requireAdmin(admin, 'run retention');
  return runRetention(deps, { actor: actorOf(admin), trigger: 'admin', dryRun: options.dryRun });
}

/** The rules in force, what retention has removed, the retention floor and the number of active holds. */
export async function showRetention(deps: RetentionDeps, admin: Principal): Promise<RetentionOverview> {
  requireAdmin(admin, 'see retention');
  const summary = await deps.store.removalSummary();
  const holds = await deps.store.listHolds(false, MAX_HOLDS_LISTED);
  return { settings: deps.settings, removedCount: summary.removedCount, floor: summary.floor, activeHolds: holds.length };
}

/**
 * Places a legal hold (with `ledger.hold.placed` in the same transaction); entries it covers are never removed while it stands.
 * @example await placeHold(deps, admin, { kind: 'subject', subjectId: 'u1' }, 'Matter 2026-17')
 */
export async function placeHold(deps: RetentionDeps, admin: Principal, scope: unknown, reason: string | undefined): Promise<LegalHold> {
  requireAdmin(admin, 'place a legal hold');
  const hold: LegalHold = { id: deps.ids.next(), scope: parseScope(scope), reason: parseReason(reason, 'a legal hold'), placedBy: admin.userId, placedAtMs: deps.clock.nowMs(), released: undefined };
  const entry = deps.auditEntry({
    type: 'ledger.hold.placed',
    actor: actorOf(admin),
    targets: targetsOf(hold.scope),
    outcome: 'success',
    reason: hold.reason,
    data: { holdId: hold.id, scope: hold.scope },
  });
  await deps.store.placeHold(hold, entry);
  return hold;
}

/** Releases a hold (with `ledger.hold.released`); releasing one already released changes nothing. */
export async function releaseHold(deps: RetentionDeps, admin: Principal, holdId: string, reason: string | undefined): Promise<LegalHold> {
  requireAdmin(admin, 'release a legal hold');
  const id = holdId.trim().toLowerCase();
  if (!isUuid(id)) throw new AppError('invalid_input', `hold id "${holdId.slice(0, 64)}" is not a hold id (a UUID, as "writ hold list" shows)`);
  const why = parseReason(reason, 'releasing a legal hold');
  const release = { by: admin.userId, atMs: deps.clock.nowMs(), reason: why };
  const released = await deps.store.releaseHold(id, release, (hold) =>
    deps.auditEntry({
      type: 'ledger.hold.released',
      actor: actorOf(admin),
      targets: targetsOf(hold.scope),
      outcome: 'success',
      reason: why,
      data: { holdId: hold.id, scope: hold.scope },
    }),
  );
  if (released === undefined) throw new AppError('not_found', `no legal hold with id "${id}"`);
  return released;
}

/** Active holds, newest first (with `includeReleased`, released ones too). */
export async function listHolds(deps: RetentionDeps, admin: Principal, options: { includeReleased: boolean }): Promise<LegalHold[]> {
  requireAdmin(admin, 'list legal holds');
  return deps.store.listHolds(options.includeReleased, MAX_HOLDS_LISTED);
}
