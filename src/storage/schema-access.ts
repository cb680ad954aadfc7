// The access engine's tables as Kysely sees them.
import type { Generated } from 'kysely';

export interface AccessRequestsTable {
  id: string;
  kind: string;
  target_grant_id: string | null;
  requester_id: string;
  requester_name: string;
  resource_id: string;
  level: string;
  duration_seconds: number;
  reason: string | null;
  ticket: string | null;
  start_at_ms: number | null;
  break_glass: number;
  auto_approved_by: string | null;
  /** JSON of the WorkflowSnapshot. */
  workflow: string;
  status: string;
  current_stage: number | null;
  created_at_ms: number;
  expires_at_ms: number;
  decided_at_ms: number | null;
  grant_id: string | null;
  version: number;
}

export interface AccessRequestReviewersTable {
  request_id: string;
  stage: number;
  principal_kind: string;
  principal: string;
}

export interface AccessDecisionsTable {
  request_id: string;
  reviewer_id: string;
  reviewer_name: string;
  stage: number;
  verdict: string;
  comment: string | null;
  duration_seconds: number | null;
  start_at_ms: number | null;
  self_approval: number;
  at_ms: number;
}

export interface AccessGrantsTable {
  id: string;
  request_id: string;
  user_id: string;
  user_name: string;
  resource_id: string;
  level: string;
  starts_at_ms: number;
  ends_at_ms: number;
  break_glass: number;
  started_at_ms: number | null;
  ended_at_ms: number | null;
  end_reason: string | null;
  ended_by: string | null;
  expiry_notice_at_ms: number | null;
  version: number;
}

export interface PolicyVersionsTable {
  version: number;
  digest: string;
  source: string;
  text: string;
  applied_by: string;
  applied_at_ms: number;
}

export interface OutboxTable {
  id: Generated<number>;
  topic: string;
  recipients: string;
  payload: string;
  created_at_ms: number;
  attempts: number;
  next_attempt_at_ms: number;
  delivered_at_ms: number | null;
}

export interface AccessTables {
  access_requests: AccessRequestsTable;
  access_request_reviewers: AccessRequestReviewersTable;
  access_decisions: AccessDecisionsTable;
  access_grants: AccessGrantsTable;
  policy_versions: PolicyVersionsTable;
  outbox: OutboxTable;
}
