// Decisions of the policy engine as values: who may request, what the workflow is, who may review.
import type { ApprovalStage, PolicyName, StageName } from './policy-schema.ts';
import type { LevelName, ResourceId } from './resource-schema.ts';

/** Someone acting: a user name and the groups the identity module says they belong to. */
export interface Principal {
  readonly user: string;
  readonly groups: readonly string[];
}

/** "May `requester` have `level` on `resourceId` for `durationSeconds`?" with what they said and when they asked. */
export interface AccessRequestInput {
  readonly requester: Principal;
  readonly resourceId: string;
  readonly level: string;
  readonly durationSeconds: number;
  readonly reason?: string | undefined;
  readonly ticket?: string | undefined;
  /** The moment of the decision (epoch ms), from the injected clock; working hours are judged at it. */
  readonly nowMs: number;
}

export interface Denial {
  readonly kind: 'deny';
  /** Product-worded reasons, most useful first; never empty. */
  readonly reasons: readonly string[];
}

interface Granting {
  /** The YAML policy that governs the request: the first matching one in file order. */
  readonly policy: PolicyName;
  /** Every YAML policy that would have allowed the request, in file order. */
  readonly matchedPolicies: readonly PolicyName[];
  readonly resourceId: ResourceId;
  readonly level: LevelName;
  readonly durationSeconds: number;
  readonly maxDurationSeconds: number;
}

export interface NeedsApproval extends Granting {
  readonly kind: 'needs-approval';
  /** Stages in order; each needs `count` approvals from its groups or users. */
  readonly stages: readonly ApprovalStage[];
  /** `deny`: one denial denies the request; `ignore`: a denial is recorded and others may still approve. */
  readonly onDenial: 'deny' | 'ignore';
  /** `allowed-flagged`: a requester may approve their own request and the approval is flagged. */
  readonly selfApproval: 'forbidden' | 'allowed-flagged';
  readonly pendingTtlSeconds: number;
}

export interface AutoApproved extends Granting {
  readonly kind: 'auto-approve';
  /** The rule's name, or `autoApprove[<index>]` when it has none. */
  readonly rule: string;
}

export type RequestDecision = Denial | NeedsApproval | AutoApproved;

export interface BreakGlassAllowed extends Granting {
  readonly kind: 'break-glass';
  /** Groups and users to tell at once. */
  readonly notify: readonly string[];
}

export type BreakGlassDecision = Denial | BreakGlassAllowed;

/** "May `reviewer` decide this pending request at `stage`?" */
export interface ReviewInput {
  readonly reviewer: Principal;
  readonly request: {
    readonly id: string;
    readonly requester: string;
    /** The policy recorded when the request was made. */
    readonly policy: string;
    readonly resourceId: string;
    readonly level: string;
  };
  readonly stage: string;
}

export type ReviewFlag = 'self-approval';

export type ReviewDecision =
  | Denial
  | { readonly kind: 'allow'; readonly policy: PolicyName; readonly stage: StageName; readonly flags: readonly ReviewFlag[] };
