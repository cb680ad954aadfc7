// The policy in force for the request workflow: one applied version's Cedar engine, answering in the workflow's terms.
import type { AccessPolicy, RequestAsk, ResourceSummary } from './access-policy.ts';
import type { WorkflowSnapshot } from './access-types.ts';
import type { AccessRequestInput } from './policy-decisions.ts';
import type { PolicyEngine } from './policy-engine.ts';
import type { Policy } from './policy-schema.ts';

function workflowOf(policy: Policy, maxDurationSeconds: number): WorkflowSnapshot {
  return {
    policy: policy.name,
    stages: policy.approval.stages.map((s) => ({ name: s.name, groups: [...s.groups], users: [...s.users], count: s.count })),
    onDenial: policy.approval.onDenial,
    selfApproval: policy.approval.selfApproval,
    maxDurationSeconds,
  };
}

function inputOf(ask: RequestAsk): AccessRequestInput {
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

/**
 * Wraps the engine of applied policy `version` (deny by default: what the engine does not allow is refused).
 * @example createAppliedPolicy(createPolicyEngine(document), 3).decideRequest(ask).kind // 'needs-approval'
 */
export function createAppliedPolicy(engine: PolicyEngine, version: number): AccessPolicy {
  const resources: ResourceSummary[] = engine.document.resources.map((r) => ({ id: r.id, kind: r.kind, name: r.name, labels: { ...r.labels }, levels: Object.keys(r.levels) }));
  const policyNamed = (name: string): Policy => {
    const policy = engine.findPolicy(name);
    if (policy === undefined) throw new Error(`the engine answered with policy "${name}", which its document does not hold`);
    return policy;
  };
  return {
    version,
    resources: () => resources,
    resource: (id) => resources.find((r) => r.id === id),
    decideRequest(ask) {
      if (ask.breakGlass) {
        const decision = engine.decideBreakGlass(inputOf(ask));
        if (decision.kind === 'deny') return decision;
        return { kind: 'break-glass', workflow: workflowOf(policyNamed(decision.policy), decision.maxDurationSeconds), notify: decision.notify };
      }
      const decision = engine.decideRequest(inputOf(ask));
      if (decision.kind === 'deny') return decision;
      const workflow = workflowOf(policyNamed(decision.policy), decision.maxDurationSeconds);
      if (decision.kind === 'auto-approve') return { kind: 'auto-approve', workflow, rule: `${decision.policy}.${decision.rule}` };
      return { kind: 'needs-approval', workflow, pendingTtlSeconds: decision.pendingTtlSeconds };
    },
    decideReview({ reviewer, request, stage }) {
      const stageName = request.workflow.stages[stage]?.name;
      if (stageName === undefined) return { kind: 'deny', reason: `request ${request.id} has no stage ${stage}` };
      const decision = engine.decideReview({
        reviewer: { user: reviewer.username, groups: reviewer.groups },
        request: { id: request.id, requester: request.requesterName, policy: request.workflow.policy, resourceId: request.resourceId, level: request.level },
        stage: stageName,
      });
      if (decision.kind === 'deny') return { kind: 'deny', reason: decision.reasons.join('; ') };
      return { kind: 'allow', selfApproval: decision.flags.includes('self-approval') };
    },
  };
}
