// Adapts a policy engine to the request workflow's `AccessPolicy` port (access-policy.ts): names, stage indices, snapshots.
import type { AccessPolicy, RequestAsk, RequestVerdict, ResourceSummary, ReviewVerdict } from './access-policy.ts';
import type { AccessRequest, WorkflowSnapshot } from './access-types.ts';
import type { AccessRequestInput } from './policy-decisions.ts';
import { parseDuration } from './policy-duration.ts';
import type { PolicyEngine } from './policy-engine.ts';
import { toPublicResource } from './resource-schema.ts';

function snapshot(engine: PolicyEngine, policyName: string): WorkflowSnapshot {
  const policy = engine.findPolicy(policyName);
  if (policy === undefined) return { policy: policyName, stages: [], onDenial: 'deny', selfApproval: false, maxDurationSeconds: 0 };
  return {
    policy: policy.name,
    stages: policy.approval.stages.map((stage) => ({ name: stage.name, groups: stage.groups, users: stage.users, count: stage.count })),
    onDenial: policy.approval.onDenial,
    selfApproval: policy.approval.selfApproval,
    maxDurationSeconds: parseDuration(policy.maxDuration) ?? 0,
  };
}

function toInput(ask: RequestAsk): AccessRequestInput {
  return {
    requester: { user: ask.requester.username, groups: ask.requester.groups },
    resourceId: ask.resourceId,
    level: ask.level,
    durationSeconds: ask.durationSeconds,
    reason: ask.reason,
    ticket: ask.ticket,
    nowMs: ask.nowMs,
  };
}

function decideRequest(engine: PolicyEngine, ask: RequestAsk): RequestVerdict {
  if (ask.breakGlass) {
    const decision = engine.decideBreakGlass(toInput(ask));
    if (decision.kind === 'deny') return decision;
    const workflow = { ...snapshot(engine, decision.policy), maxDurationSeconds: decision.maxDurationSeconds };
    return { kind: 'break-glass', workflow, notify: decision.notify };
  }
  const decision = engine.decideRequest(toInput(ask));
  switch (decision.kind) {
    case 'deny':
      return decision;
    case 'auto-approve':
      return { kind: 'auto-approve', workflow: snapshot(engine, decision.policy), rule: decision.rule };
    case 'needs-approval':
      return { kind: 'needs-approval', workflow: snapshot(engine, decision.policy), pendingTtlSeconds: decision.pendingTtlSeconds };
  }
}

function decideReview(engine: PolicyEngine, reviewer: RequestAsk['requester'], request: AccessRequest, stage: number): ReviewVerdict {
  const stageName = request.workflow.stages[stage]?.name;
  if (stageName === undefined) return { kind: 'deny', reason: `the request has no approval stage ${stage + 1}` };
  const decision = engine.decideReview({
    reviewer: { user: reviewer.username, groups: reviewer.groups },
    request: { id: request.id, requester: request.requesterName, policy: request.workflow.policy, resourceId: request.resourceId, level: request.level },
    stage: stageName,
  });
  if (decision.kind === 'deny') return { kind: 'deny', reason: decision.reasons.join('; ') };
  return { kind: 'allow', selfApproval: decision.flags.includes('self-approval') };
}

function summary(engine: PolicyEngine, id: string): ResourceSummary | undefined {
  const resource = engine.findResource(id);
  if (resource === undefined) return undefined;
  const view = toPublicResource(resource);
  return { id: view.id, kind: view.kind, name: view.name, labels: view.labels, levels: view.levels };
}

/**
 * The `AccessPolicy` the request workflow calls, backed by `engine`; `version` is the applied version's number.
 * Users are matched by username, as policy files name them; review uses the policy in force and the stage's name.
 * @example createAccessPolicy(createPolicyEngine(document), 3).decideRequest(ask).kind // 'needs-approval'
 */
export function createAccessPolicy(engine: PolicyEngine, version: number): AccessPolicy {
  return {
    version,
    decideRequest: (ask) => decideRequest(engine, ask),
    decideReview: ({ reviewer, request, stage }) => decideReview(engine, reviewer, request, stage),
    resource: (id) => summary(engine, id),
    resources: () => engine.document.resources.flatMap((resource) => summary(engine, resource.id) ?? []),
  };
}
