// Words a Cedar denial for people: from the ids of the forbids and `request-check` permits Cedar reports, say what failed.
import { builtinPolicyIds, parseCedarPolicyId, type CedarRule } from './cedar-policy-ids.ts';
import type { AccessRequestInput, ReviewInput } from './policy-decisions.ts';
import { formatDuration, parseDuration } from './policy-duration.ts';
import type { Policy } from './policy-schema.ts';
import type { Resource } from './resource-schema.ts';

/** Which checks each YAML policy passed, from the ids Cedar reported for `request-check`. */
function passedChecks(checkIds: readonly string[]): Map<string, Set<CedarRule>> {
  const passed = new Map<string, Set<CedarRule>>();
  for (const id of checkIds) {
    const ref = parseCedarPolicyId(id);
    if (ref === undefined) continue;
    const rules = passed.get(ref.policy) ?? new Set<CedarRule>();
    rules.add(ref.rule);
    passed.set(ref.policy, rules);
  }
  return passed;
}

function quote(value: string): string {
  return JSON.stringify(value.length > 64 ? `${value.slice(0, 64)}…` : value);
}

/**
 * The reason a resource does not offer a level, when Cedar's built-in forbid said so.
 * @example levelNotOffered(['writ/level-offered'], resource, 'admin') // 'pg-prod does not offer "admin" (it offers read-only, read-write)'
 */
export function levelNotOffered(forbidIds: readonly string[], resource: Resource, level: string): string | undefined {
  if (!forbidIds.includes(builtinPolicyIds.levelOffered)) return undefined;
  return `${resource.id} does not offer ${quote(level)} (it offers ${Object.keys(resource.levels).join(', ')})`;
}

function noPolicy(input: AccessRequestInput, what: string): string {
  return `no policy lets ${quote(input.requester.user)} ${what} ${quote(input.level)} on ${quote(input.resourceId)}`;
}

/**
 * Why a request was denied, per policy in scope (file order): duration over the maximum, missing reason, ticket.
 * @example requestDenialReasons(input, policies, checkIds) // ['policy prod-databases allows at most 4h; 8h was asked']
 */
export function requestDenialReasons(input: AccessRequestInput, policies: readonly Policy[], checkIds: readonly string[]): string[] {
  const passed = passedChecks(checkIds);
  const inScope = policies.filter((policy) => passed.get(policy.name)?.has('check-scope') === true);
  if (inScope.length === 0) return [noPolicy(input, 'request')];
  return inScope.flatMap((policy) => {
    const checks = passed.get(policy.name) ?? new Set<CedarRule>();
    const reasons: string[] = [];
    if (!checks.has('check-duration')) {
      reasons.push(`policy ${policy.name} allows at most ${policy.maxDuration}; ${formatDuration(input.durationSeconds)} was asked`);
    }
    if (policy.reason.required && !checks.has('check-reason')) reasons.push(`policy ${policy.name} requires a reason`);
    const pattern = policy.reason.ticketPattern;
    if (pattern !== undefined && !checks.has('check-ticket')) {
      const got = input.ticket === undefined ? 'none was given' : `${quote(input.ticket)} does not match`;
      reasons.push(`policy ${policy.name} requires a ticket matching ${pattern}; ${got}`);
    }
    return reasons.length > 0 ? reasons : [`policy ${policy.name} does not allow this request`];
  });
}

/**
 * Why break-glass was refused: no policy in scope, none allowing break-glass, no reason, or too long.
 * @example breakGlassDenialReasons(input, policies, checkIds) // ['break-glass needs a reason']
 */
export function breakGlassDenialReasons(input: AccessRequestInput, policies: readonly Policy[], checkIds: readonly string[], reasonGiven: boolean): string[] {
  const passed = passedChecks(checkIds);
  const inScope = policies.filter((policy) => passed.get(policy.name)?.has('check-scope') === true);
  if (inScope.length === 0) return [noPolicy(input, 'use break-glass for')];
  const allowing = inScope.filter((policy) => passed.get(policy.name)?.has('check-break-glass') === true);
  if (allowing.length === 0) return inScope.map((policy) => `policy ${policy.name} does not allow break-glass`);
  const reasons = reasonGiven ? [] : ['break-glass needs a reason'];
  for (const policy of allowing) {
    if (passed.get(policy.name)?.has('check-break-glass-duration') === true) continue;
    const maxSeconds = parseDuration(policy.breakGlass.maxDuration ?? policy.maxDuration) ?? 0;
    reasons.push(`break-glass under policy ${policy.name} lasts at most ${formatDuration(maxSeconds)}; ${formatDuration(input.durationSeconds)} was asked`);
  }
  return reasons.length > 0 ? reasons : ['break-glass is not allowed for this request'];
}

/**
 * Why a reviewer may not decide a request at a stage.
 * @example reviewDenialReasons(input, policy, ['writ/self-approval']) // ['"alice" cannot approve their own request (policy prod-databases forbids self-approval)']
 */
export function reviewDenialReasons(input: ReviewInput, policy: Policy | undefined, forbidIds: readonly string[]): string[] {
  if (policy === undefined) return [`the request's policy ${quote(input.request.policy)} is no longer in force`];
  if (forbidIds.includes(builtinPolicyIds.selfApproval)) {
    return [`${quote(input.reviewer.user)} cannot approve their own request (policy ${policy.name} forbids self-approval)`];
  }
  const stage = policy.approval.stages.find((candidate) => candidate.name === input.stage);
  if (stage === undefined) return [`policy ${policy.name} has no approval stage ${quote(input.stage)}`];
  const who = [...stage.groups.map((group) => `group ${group}`), ...stage.users.map((user) => `user ${user}`)].join(', ');
  return [`${quote(input.reviewer.user)} is not an approver of stage ${stage.name} of policy ${policy.name} (approvers: ${who})`];
}
