// The access engine's persistence port: requests, grants, policy versions and the notification outbox.
import type { LedgerWriter } from '../ledger/ledger-store.ts';
import type { AccessRequest, Grant, GrantId, RequestId, RequestStatus } from './access-types.ts';

export interface PolicyVersion {
  readonly version: number;
  /** base64 SHA-256 of the policy's canonical form. */
  readonly digest: string;
  readonly source: 'file' | 'api';
  readonly text: string;
  readonly appliedBy: string;
  readonly appliedAtMs: number;
}

/** A message for someone, delivered after commit by the alerts issue's notifiers. */
export interface Notification {
  readonly topic: 'request.created' | 'request.decided' | 'request.expired' | 'grant.expiring' | 'grant.ended' | 'break_glass.used';
  /** User ids and `group:<name>` entries. */
  readonly recipients: readonly string[];
  readonly payload: Readonly<Record<string, string | number | boolean | null>>;
}

export interface Page<T> {
  readonly items: readonly T[];
  /** Pass back to get the next page; undefined on the last. */
  readonly nextCursor: string | undefined;
}

export interface RequestQuery {
  readonly requesterId?: string;
  /** Pending requests whose current stage names this user or one of these groups. */
  readonly reviewableBy?: { readonly username: string; readonly groups: readonly string[] };
  readonly status?: RequestStatus;
  readonly cursor?: string;
  readonly limit: number;
}

export interface GrantQuery {
  readonly userId?: string;
  readonly resourceId?: string;
  /** `open`: not ended at `nowMs` (scheduled or active); `ended`: ended by then. */
  readonly state?: 'open' | 'ended';
  readonly nowMs: number;
  readonly cursor?: string;
  readonly limit: number;
}

/** What the scheduler must do next, read from stored times. */
export interface DueWork {
  readonly expiredRequests: readonly AccessRequest[];
  readonly endedGrants: readonly Grant[];
  readonly startedGrants: readonly Grant[];
  readonly expiringGrants: readonly Grant[];
}

/** The writes of one access command; its ledger entries commit with them or not at all. */
export interface AccessTransaction {
  readonly ledger: LedgerWriter;
  getRequest(id: RequestId): Promise<AccessRequest | undefined>;
  insertRequest(request: AccessRequest): Promise<void>;
  /** Stores `request` (a changed version of what was read); `conflict` when someone changed it meanwhile. */
  updateRequest(request: AccessRequest): Promise<void>;
  getGrant(id: GrantId): Promise<Grant | undefined>;
  insertGrant(grant: Grant): Promise<void>;
  /** Stores `grant`; `conflict` when someone changed it meanwhile. */
  updateGrant(grant: Grant): Promise<void>;
  /** Marks the expiring-soon notice of a grant as sent. */
  markExpiryNoticeSent(id: GrantId, nowMs: number): Promise<void>;
  due(nowMs: number, expiringWithinMs: number, limit: number): Promise<DueWork>;
  latestPolicy(): Promise<PolicyVersion | undefined>;
  insertPolicy(version: PolicyVersion): Promise<void>;
  enqueue(notification: Notification, nowMs: number): Promise<void>;
}

export interface AccessStore {
  transact<T>(work: (tx: AccessTransaction) => Promise<T>): Promise<T>;
  getRequest(id: RequestId): Promise<AccessRequest | undefined>;
  listRequests(query: RequestQuery): Promise<Page<AccessRequest>>;
  getGrant(id: GrantId): Promise<Grant | undefined>;
  listGrants(query: GrantQuery): Promise<Page<Grant>>;
  /** The earliest stored time at which the scheduler has work, if any. */
  nextDueMs(expiringWithinMs: number): Promise<number | undefined>;
  latestPolicy(): Promise<PolicyVersion | undefined>;
  listPolicies(cursor: string | undefined, limit: number): Promise<Page<PolicyVersion>>;
  getPolicy(version: number): Promise<PolicyVersion | undefined>;
}
