// What the request workflow asks of the policy in force: decisions as values, evaluated by the policy engine.
import type { AccessRequest, WorkflowSnapshot } from './access-types.ts';

/** The person acting, as the access engine sees them. */
export interface AccessActor {
  readonly userId: string;
  readonly username: string;
  readonly roles: readonly ('admin' | 'auditor' | 'user')[];
  readonly groups: readonly string[];
  readonly ip?: string | undefined;
  readonly userAgent?: string | undefined;
  readonly authMethod?: string | undefined;
}

export interface RequestAsk {
  readonly requester: AccessActor;
  readonly resourceId: string;
  readonly level: string;
  readonly durationSeconds: number;
  readonly reason: string | undefined;
  readonly ticket: string | undefined;
  readonly breakGlass: boolean;
  readonly nowMs: number;
}

export type RequestVerdict =
  | { readonly kind: 'deny'; readonly reasons: readonly string[] }
  | { readonly kind: 'needs-approval'; readonly workflow: WorkflowSnapshot; readonly pendingTtlSeconds: number }
  | { readonly kind: 'auto-approve'; readonly workflow: WorkflowSnapshot; readonly rule: string }
  | { readonly kind: 'break-glass'; readonly workflow: WorkflowSnapshot; readonly notify: readonly string[] };

export type ReviewVerdict = { readonly kind: 'allow'; readonly selfApproval: boolean } | { readonly kind: 'deny'; readonly reason: string };

/** A resource as it may be shown: no connection secrets. */
export interface ResourceSummary {
  readonly id: string;
  readonly kind: string;
  readonly name: string;
  readonly labels: Readonly<Record<string, string>>;
  readonly levels: readonly string[];
}

export interface AccessPolicy {
  /** The applied policy version this was built from (0 when none has been applied: everything is denied). */
  readonly version: number;
  decideRequest(ask: RequestAsk): RequestVerdict;
  /** May `reviewer` decide `request` at its current `stage`? */
  decideReview(ask: { readonly reviewer: AccessActor; readonly request: AccessRequest; readonly stage: number; readonly nowMs: number }): ReviewVerdict;
  resource(id: string): ResourceSummary | undefined;
  resources(): readonly ResourceSummary[];
}

/**
 * The policy before any has been applied: deny by default.
 * @example emptyPolicy.decideRequest(ask).kind // 'deny'
 */
export const emptyPolicy: AccessPolicy = {
  version: 0,
  decideRequest: () => ({ kind: 'deny', reasons: ['no policy has been applied yet: an admin must apply one (writ policy apply)'] }),
  decideReview: () => ({ kind: 'deny', reason: 'no policy has been applied yet' }),
  resource: () => undefined,
  resources: () => [],
};
