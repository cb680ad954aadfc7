// Builds the ledger entries of Writ's own events, for commands that append them in their own transaction.
import { AppError, isAppError } from '../shared/app-error.ts';
import type { Clock } from '../shared/clock.ts';
import type { IdGenerator } from '../shared/ids.ts';
import type { PendingEntry } from '../ledger/ledger-store.ts';
import { prepareEvent } from './event-preparation.ts';
import { toPendingEntry } from './event-recorder.ts';
import type { EventInput } from './event-schema.ts';

/** Turns an event Writ itself emits into its pending ledger entry. */
export type AuditEntryFactory = (event: EventInput) => PendingEntry;

/**
 * Creates the factory. An event Writ builds that fails its own catalogue schema is a bug, so it fails as
 * `internal` (and the command's transaction rolls back) rather than blaming the caller.
 * @example const entry = createAuditEntryFactory({ clock, ids })({ type: 'auth.login.failed', actor, outcome: 'failure', data })
 */
export function createAuditEntryFactory(deps: { clock: Clock; ids: IdGenerator }): AuditEntryFactory {
  return (event) => {
    try {
      return toPendingEntry(prepareEvent(event, deps));
    } catch (error) {
      if (isAppError(error, 'invalid_event') || isAppError(error, 'event_too_large')) {
        throw new AppError('internal', `Writ built an invalid "${event.type}" event: ${error.message}`, { cause: error });
      }
      throw error;
    }
  };
}
