// The event search port: filters over the sequenced log, newest or oldest first, resumable at a log index.
import type { SequencedEntry } from '../ledger/ledger-store.ts';

export type EventOrder = 'asc' | 'desc';

/** An exact event type, or every type that starts with `prefix` (`app.document.` for `app.document.*`). */
export type EventTypeFilter = { readonly kind: 'exact'; readonly type: string } | { readonly kind: 'prefix'; readonly prefix: string };

/** Every given field must match; absent fields match anything. */
export interface EventFilter {
  /** Canonical event time (UTC, milliseconds, `Z`), inclusive. */
  readonly fromTime?: string | undefined;
  /** Canonical event time, exclusive. */
  readonly toTime?: string | undefined;
  readonly actorId?: string | undefined;
  readonly type?: EventTypeFilter | undefined;
  /** One of the event's targets has this kind and id. */
  readonly target?: { readonly kind: string; readonly id: string } | undefined;
  readonly outcome?: string | undefined;
  /** `context.requestId` */
  readonly requestId?: string | undefined;
  /** `context.grantId` */
  readonly grantId?: string | undefined;
  /** A substring of the reason, compared in lower case. */
  readonly reasonContains?: string | undefined;
}

export interface EventSearchRequest {
  readonly filter: EventFilter;
  readonly order: EventOrder;
  /** Continue strictly beyond this index in `order` (a previous page's `resumeAfter`). */
  readonly after?: number | undefined;
  readonly limit: number;
}

/** A sequenced entry with its personal part (undefined when it has none, or it was erased). */
export interface SearchedEntry extends SequencedEntry {
  readonly personal: Uint8Array | undefined;
}

export interface EventSearchPage {
  /** Matching sequenced entries in `order`; fewer than `limit` when the search stopped at its time budget. */
  readonly entries: readonly SearchedEntry[];
  /** Where the next page continues; undefined once the log has been searched to its end. */
  readonly resumeAfter: number | undefined;
}

/** A sequenced or still pending event, by id. */
export interface FoundEvent {
  readonly eventId: string;
  /** Undefined while the event is pending (appended, not yet sequenced). */
  readonly index: number | undefined;
  readonly entry: Uint8Array;
  readonly personal: Uint8Array | undefined;
}

/**
 * Finds events in the log. Only sequenced entries are searched: an event appears once it is in a signed checkpoint.
 * Each page is bounded in time, so a search over a large log may answer short pages that say where to continue.
 */
export interface EventSearch {
  search(request: EventSearchRequest): Promise<EventSearchPage>;
  findEvent(eventId: string): Promise<FoundEvent | undefined>;
  /** The indices of those of `eventIds` that are sequenced. */
  indicesOf(eventIds: readonly string[]): Promise<Map<string, number>>;
}
