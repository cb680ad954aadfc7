// The access engine's records: requests (with the approval workflow they were created under) and grants.

export type RequestId = string & { readonly __brand: 'RequestId' };
export type GrantId = string & { readonly __brand: 'GrantId' };

export const requestStatuses = ['pending', 'approved', 'denied', 'cancelled', 'expired'] as const;
export type RequestStatus = (typeof requestStatuses)[number];

/** One approval stage as the policy defined it when the request was made (a snapshot: later edits do not move it). */
export interface StageSnapshot {
  readonly name: string;
  readonly groups: readonly string[];
  readonly users: readonly string[];
  readonly count: number;
}

/** The workflow a request follows, fixed at creation. */
export interface WorkflowSnapshot {
  readonly policy: string;
  readonly stages: readonly StageSnapshot[];
  /** `deny`: one denial denies the request; `ignore`: a denial is recorded and others may still approve. */
  readonly onDenial: 'deny' | 'ignore';
  readonly selfApproval: boolean;
  readonly maxDurationSeconds: number;
}

export interface ReviewDecision {
  readonly reviewerId: string;
  readonly reviewerName: string;
  readonly stage: number;
  readonly verdict: 'approve' | 'deny';
  readonly comment: string | undefined;
  /** Set when the approver shortened the duration. */
  readonly durationSeconds: number | undefined;
  /** Set when the approver moved the start later (epoch ms). */
  readonly startAtMs: number | undefined;
  /** True when the reviewer is the requester and the policy allowed it. */
  readonly selfApproval: boolean;
  readonly atMs: number;
}

/** `access` asks for new access; `extension` asks to move an existing grant's end. */
export type RequestKind = { readonly kind: 'access' } | { readonly kind: 'extension'; readonly grantId: GrantId };

export interface AccessRequest {
  readonly id: RequestId;
  readonly subject: RequestKind;
  readonly requesterId: string;
  readonly requesterName: string;
  readonly resourceId: string;
  readonly level: string;
  /** Requested length of the grant (for an extension: how much to add). */
  readonly durationSeconds: number;
  readonly reason: string | undefined;
  readonly ticket: string | undefined;
  /** Requested scheduled start (epoch ms); the grant never starts before approval. */
  readonly startAtMs: number | undefined;
  readonly breakGlass: boolean;
  /** The policy rule that approved the request without reviewers, if one did. */
  readonly autoApprovedBy: string | undefined;
  readonly workflow: WorkflowSnapshot;
  readonly status: RequestStatus;
  readonly decisions: readonly ReviewDecision[];
  readonly createdAtMs: number;
  /** When a still-pending request expires. */
  readonly expiresAtMs: number;
  readonly decidedAtMs: number | undefined;
  readonly grantId: GrantId | undefined;
  /** Optimistic concurrency: bumped by every change. */
  readonly version: number;
}

export const grantEndReasons = ['expired', 'revoked', 'released'] as const;
export type GrantEndReason = (typeof grantEndReasons)[number];

export interface Grant {
  readonly id: GrantId;
  readonly requestId: RequestId;
  readonly userId: string;
  readonly userName: string;
  readonly resourceId: string;
  readonly level: string;
  readonly startsAtMs: number;
  readonly endsAtMs: number;
  readonly breakGlass: boolean;
  /** Set once the start has been recorded on the ledger (a scheduled grant is not yet started). */
  readonly startedAtMs: number | undefined;
  readonly endedAtMs: number | undefined;
  readonly endReason: GrantEndReason | undefined;
  readonly endedBy: string | undefined;
  readonly version: number;
}

export type GrantState = 'scheduled' | 'active' | 'ended';

/**
 * Where a grant stands at `nowMs`, from stored times only, so a restart never leaves an expired grant usable.
 * @example grantState({ ...grant, startsAtMs: 0, endsAtMs: 10, endedAtMs: undefined }, 5) // 'active'
 */
export function grantState(grant: Pick<Grant, 'startsAtMs' | 'endsAtMs' | 'endedAtMs'>, nowMs: number): GrantState {
  if (grant.endedAtMs !== undefined || nowMs >= grant.endsAtMs) return 'ended';
  return nowMs < grant.startsAtMs ? 'scheduled' : 'active';
}
