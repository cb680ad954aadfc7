// `writ policy test`: what would happen if someone asked, and who could approve, without changing anything.
import type { AccessRequestInput, BreakGlassDecision, RequestDecision, ReviewFlag } from './policy-decisions.ts';
import type { PolicyEngine } from './policy-engine.ts';
import type { ApprovalStage } from './policy-schema.ts';

/** Upper bound on the people listed per stage. */
const MAX_CANDIDATES = 1000;

export interface ExplainOptions {
  /** The members of a group, from the identity module; without it stages list groups and users only. */
  readonly membersOf?: (group: string) => readonly string[];
}

export interface ApproverExplanation {
  readonly user: string;
  /** `self-approval` when the requester could approve their own request (the policy allows it, flagged). */
  readonly flags: readonly ReviewFlag[];
}

export interface StageExplanation {
  readonly name: string;
  readonly count: number;
  readonly groups: readonly string[];
  readonly users: readonly string[];
  /** With `membersOf`: the people Cedar would let decide this stage (requester excluded unless self-approval is allowed). */
  readonly approvers?: readonly ApproverExplanation[];
  /** With `membersOf`: false when fewer people can approve than the stage needs. */
  readonly satisfiable?: boolean;
}

export interface RequestExplanation {
  readonly decision: RequestDecision;
  /** What break-glass would answer for the same request. */
  readonly breakGlass: BreakGlassDecision;
  /** The approval stages when the decision is `needs-approval`; empty otherwise. */
  readonly stages: readonly StageExplanation[];
}

/**
 * "Could alice request read-write on pg-prod for 2h, and who would approve?" The decision, break-glass's
 * answer and, per stage, the approver groups and users and (given `membersOf`) the people Cedar allows.
 * @example explainRequest(engine, { requester: { user: 'alice', groups: ['engineers'] }, resourceId: 'pg-prod', level: 'read-write', durationSeconds: 7200, reason: 'test', nowMs }, { membersOf })
 * // { decision: { kind: 'needs-approval', ... }, breakGlass: { kind: 'deny', ... }, stages: [{ name: 'team-lead', approvers: [{ user: 'dana', flags: [] }], ... }] }
 */
export function explainRequest(engine: PolicyEngine, input: AccessRequestInput, options: ExplainOptions = {}): RequestExplanation {
  const decision = engine.decideRequest(input);
  const breakGlass = engine.decideBreakGlass(input);
  if (decision.kind !== 'needs-approval') return { decision, breakGlass, stages: [] };
  const stages = decision.stages.map((stage) => explainStage(engine, input, decision.policy, stage, options.membersOf));
  return { decision, breakGlass, stages };
}

function explainStage(
  engine: PolicyEngine,
  input: AccessRequestInput,
  policy: string,
  stage: ApprovalStage,
  membersOf: ExplainOptions['membersOf'],
): StageExplanation {
  const described = { name: stage.name, count: stage.count, groups: stage.groups, users: stage.users };
  if (membersOf === undefined) return described;
  const approvers = candidates(stage, membersOf).flatMap(({ user, groups }): ApproverExplanation[] => {
    const verdict = engine.decideReview({
      reviewer: { user, groups },
      request: { id: 'explain', requester: input.requester.user, policy, resourceId: input.resourceId, level: input.level },
      stage: stage.name,
    });
    return verdict.kind === 'allow' ? [{ user, flags: verdict.flags }] : [];
  });
  return { ...described, approvers, satisfiable: approvers.length >= stage.count };
}

/** Everyone the stage names, with the stage's groups each belongs to (all that a review decision looks at). */
function candidates(stage: ApprovalStage, membersOf: (group: string) => readonly string[]): { user: string; groups: string[] }[] {
  const groupsOf = new Map<string, string[]>();
  for (const user of stage.users) groupsOf.set(user, []);
  for (const group of stage.groups) {
    for (const member of membersOf(group)) {
      if (groupsOf.size >= MAX_CANDIDATES && !groupsOf.has(member)) break;
      groupsOf.set(member, [...(groupsOf.get(member) ?? []), group]);
    }
  }
  return [...groupsOf.entries()].sort(([left], [right]) => left.localeCompare(right)).map(([user, groups]) => ({ user, groups }));
}
