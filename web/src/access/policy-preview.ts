// The policy test endpoint's answer (POST /api/v1/policy/test) and what the request form makes of it.

/** The answer's shape (the route declares no response schema, so it is written out here). */
export interface PolicyTestAnswer {
  readonly decision:
    | { readonly kind: 'deny'; readonly reasons: readonly string[] }
    | { readonly kind: 'needs-approval'; readonly policy: string; readonly maxDurationSeconds: number; readonly durationSeconds: number }
    | { readonly kind: 'auto-approve'; readonly policy: string; readonly rule: string; readonly maxDurationSeconds: number; readonly durationSeconds: number };
  readonly breakGlass: { readonly kind: string };
  readonly stages: readonly {
    readonly name: string;
    readonly count: number;
    readonly groups: readonly string[];
    readonly users: readonly string[];
    readonly approvers?: readonly { readonly user: string; readonly flags: readonly string[] }[];
    readonly satisfiable?: boolean;
  }[];
}

export type ApprovalPreview =
  | { readonly kind: 'denied'; readonly reasons: readonly string[] }
  | { readonly kind: 'automatic'; readonly rule: string; readonly policy: string }
  | { readonly kind: 'approval'; readonly policy: string; readonly stages: readonly StagePreview[]; readonly blocked: boolean };

export interface StagePreview {
  readonly name: string;
  /** "1 approval from bob or dana" */
  readonly summary: string;
  /** True when fewer people can approve than the stage needs: the request would wait forever. */
  readonly unsatisfiable: boolean;
}

function people(stage: PolicyTestAnswer['stages'][number]): string[] {
  if (stage.approvers !== undefined) return stage.approvers.map((a) => a.user);
  return [...stage.users, ...stage.groups.map((g) => `anyone in ${g}`)];
}

function listed(names: readonly string[]): string {
  if (names.length <= 1) return names[0] ?? 'nobody';
  return `${names.slice(0, -1).join(', ')} or ${names.at(-1) ?? ''}`;
}

/**
 * Who will have to approve, in words.
 * @example describeApproval(answer) // { kind: 'approval', stages: [{ name: 'db-lead', summary: '1 approval from bob', ... }] }
 */
export function describeApproval(answer: PolicyTestAnswer): ApprovalPreview {
  const { decision } = answer;
  if (decision.kind === 'deny') return { kind: 'denied', reasons: decision.reasons };
  if (decision.kind === 'auto-approve') return { kind: 'automatic', rule: decision.rule, policy: decision.policy };
  const stages = answer.stages.map((stage) => {
    const who = people(stage);
    const unsatisfiable = stage.satisfiable === false;
    const count = `${stage.count} approval${stage.count === 1 ? '' : 's'}`;
    return { name: stage.name, summary: `${count} from ${listed(who)}`, unsatisfiable };
  });
  return { kind: 'approval', policy: decision.policy, stages, blocked: stages.some((s) => s.unsatisfiable) };
}

export const MIN_DURATION_SECONDS = 60;
/** The API's own bound when the policy says nothing (366 days). */
export const API_MAX_DURATION_SECONDS = 366 * 86_400;

/** The longest duration the policy allows for this resource and level, when the answer says. */
export function maxDurationOf(answer: PolicyTestAnswer | undefined): number {
  const decision = answer?.decision;
  if (decision === undefined || decision.kind === 'deny') return API_MAX_DURATION_SECONDS;
  return Math.min(decision.maxDurationSeconds, API_MAX_DURATION_SECONDS);
}

/** Keeps a duration within [60 s, the policy's maximum]. */
export function clampDuration(seconds: number, maxSeconds: number): number {
  if (!Number.isFinite(seconds)) return MIN_DURATION_SECONDS;
  return Math.min(Math.max(Math.round(seconds), MIN_DURATION_SECONDS), maxSeconds);
}
