// Records audit events: validates each one, turns it into a pending ledger entry and appends it with group commit.
import { isAppError, AppError } from '../shared/app-error.ts';
import type { Clock } from '../shared/clock.ts';
import type { IdGenerator } from '../shared/ids.ts';
import type { GroupCommitAppender } from '../ledger/group-commit.ts';
import { leafHash } from '../ledger/hash.ts';
import type { PendingEntry } from '../ledger/ledger-store.ts';
import { prepareEvent, type PreparedEvent } from './event-preparation.ts';

export type RecordOutcome = { readonly kind: 'appended'; readonly id: string } | { readonly kind: 'rejected'; readonly error: AppError };

export interface EventRecorder {
  /** Validates and appends one event; resolves once it is durable (committed as pending). */
  record(input: unknown): Promise<RecordOutcome>;
}

/** The pending ledger entry of a prepared event. */
export function toPendingEntry(event: PreparedEvent): PendingEntry {
  return {
    eventId: event.id,
    time: event.time,
    type: event.type,
    actorId: event.summary.actorId,
    outcome: event.summary.outcome,
    entry: event.entry,
    leafHash: leafHash(event.entry),
    personal: event.personal,
    idAssigned: event.idAssigned,
  };
}

function asAppError(error: unknown): AppError {
  if (isAppError(error)) return error;
  return new AppError('internal', 'the event could not be stored', { cause: error });
}

/**
 * Creates a recorder; a rejection is a value, so one bad event never fails the others.
 * @example const outcome = await recorder.record({ type: 'app.x.done', ... }) // { kind: 'appended', id }
 */
export function createEventRecorder(deps: { appender: GroupCommitAppender; clock: Clock; ids: IdGenerator }): EventRecorder {
  return {
    async record(input) {
      let prepared: PreparedEvent;
      try {
        prepared = prepareEvent(input, { clock: deps.clock, ids: deps.ids });
      } catch (error) {
        return { kind: 'rejected', error: asAppError(error) };
      }
      try {
        await deps.appender.append([toPendingEntry(prepared)]);
        return { kind: 'appended', id: prepared.id };
      } catch (error) {
        return { kind: 'rejected', error: asAppError(error) };
      }
    },
  };
}
