// What every access command needs: the store, the policy in force, time, ids and the audit entry factory.
import type { AuditEntryFactory } from '../events/audit-entry.ts';
import type { EventInput } from '../events/event-schema.ts';
import type { Clock } from '../shared/clock.ts';
import type { IdGenerator } from '../shared/ids.ts';
import type { AccessPolicy } from './access-policy.ts';
import type { AccessStore, AccessTransaction } from './access-store.ts';

export interface AccessDeps {
  readonly store: AccessStore;
  /** The policy in force now (it changes when a new version is applied). */
  readonly policy: () => AccessPolicy;
  readonly clock: Clock;
  readonly ids: IdGenerator;
  readonly auditEntry: AuditEntryFactory;
}

/** Appends the events to the ledger inside the command's transaction. */
export async function recordEvents(deps: AccessDeps, tx: AccessTransaction, events: readonly EventInput[]): Promise<void> {
  await tx.ledger.appendPending(events.map((event) => deps.auditEntry(event)));
}
