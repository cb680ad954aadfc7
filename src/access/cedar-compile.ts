// Compiles a validated policy document into a Cedar policy set (text with @id annotations) and its static entities.
import type { EntityJson } from '@cedar-policy/cedar-wasm/nodejs';
import { builtinPolicyIds, cedarPolicyId } from './cedar-policy-ids.ts';
import { cedarEntitySet, cedarPolicyText, cedarString, cedarUid, type CedarPolicySpec } from './cedar-text.ts';
import { parseDuration } from './policy-duration.ts';
import type { Policy, PolicyDocument } from './policy-schema.ts';
import { knownLevels } from './resource-kinds.ts';
import type { Resource } from './resource-schema.ts';

const ACCESS_ACTIONS = ['request', 'auto-approve', 'break-glass'] as const;

export interface CompiledPolicySet {
  /** Cedar policy id → its text (each starts with its `@id` annotation). */
  readonly policies: Readonly<Record<string, string>>;
  /** Action → the ids of the policies that can apply to it (Cedar evaluates every policy of a set, so each action gets its own). */
  readonly policyIdsByAction: ReadonlyMap<string, readonly string[]>;
  /** The whole set as one Cedar source text, in file order, for `writ policy show --cedar` and reviews. */
  readonly text: string;
  /** Resource entities (labels as tags, offered levels) by resource id. */
  readonly resourceEntities: ReadonlyMap<string, EntityJson>;
  readonly levelEntities: readonly EntityJson[];
}

/**
 * The Cedar form of `document`: per YAML policy a `request` permit, one `auto-approve` permit per rule,
 * a `break-glass` permit where allowed, a `review` permit per stage and the `request-check` permits that
 * explain a denial; plus the built-in forbids (a level the resource does not offer; self-approval).
 * @example compilePolicyDocument(document).policies['prod-databases/request'] // '@id("prod-databases/request")\npermit (...'
 */
export function compilePolicyDocument(document: PolicyDocument): CompiledPolicySet {
  const specs: CedarPolicySpec[] = [...builtinSpecs(document), ...document.policies.flatMap(policySpecs)];
  const policies: Record<string, string> = {};
  const policyIdsByAction = new Map<string, string[]>();
  for (const spec of specs) {
    policies[spec.id] = cedarPolicyText(spec);
    for (const action of typeof spec.action === 'string' ? [spec.action] : spec.action) {
      policyIdsByAction.set(action, [...(policyIdsByAction.get(action) ?? []), spec.id]);
    }
  }
  return {
    policies,
    policyIdsByAction,
    text: `${Object.values(policies).join('\n\n')}\n`,
    resourceEntities: new Map(document.resources.map((resource) => [resource.id as string, resourceEntity(resource)])),
    levelEntities: knownLevels.map((level) => ({ uid: cedarUid('Level', level), attrs: {}, parents: [] })),
  };
}

function resourceEntity(resource: Resource): EntityJson {
  return {
    uid: cedarUid('Resource', resource.id),
    attrs: { kind: resource.kind, levels: Object.keys(resource.levels).map((level) => ({ __entity: cedarUid('Level', level) })) },
    parents: [],
    tags: { ...resource.labels },
  };
}

function builtinSpecs(document: PolicyDocument): CedarPolicySpec[] {
  const selfApprovers = document.policies.filter((policy) => policy.approval.selfApproval).map((policy) => cedarString(policy.name));
  return [
    {
      id: builtinPolicyIds.levelOffered,
      effect: 'forbid',
      action: ACCESS_ACTIONS,
      principalType: 'User',
      resourceType: 'Resource',
      when: ['true'],
      unless: ['resource.levels.contains(context.level)'],
    },
    {
      id: builtinPolicyIds.selfApproval,
      effect: 'forbid',
      action: 'review',
      principalType: 'User',
      resourceType: 'Request',
      when: ['resource.requester == principal'],
      unless: selfApprovers.length === 0 ? [] : [`[${selfApprovers.join(', ')}].contains(resource.policy)`],
    },
  ];
}

function seconds(duration: string): number {
  return parseDuration(duration) ?? 0;
}

/** Who may ask: any of the groups, or one of the users. */
function principalCondition(groups: readonly string[], users: readonly string[]): string {
  const parts = [
    ...(groups.length > 0 ? [`principal in ${cedarEntitySet('Group', groups)}`] : []),
    ...(users.length > 0 ? [`${cedarEntitySet('User', users)}.contains(principal)`] : []),
  ];
  return parts.length === 1 ? (parts[0] ?? 'false') : `(${parts.join(' || ')})`;
}

function resourceCondition(policy: Policy): string {
  if (policy.resources.ids !== undefined) return `resource in ${cedarEntitySet('Resource', policy.resources.ids)}`;
  return Object.entries(policy.resources.labels ?? {})
    .map(([key, value]) => `(resource.hasTag(${cedarString(key)}) && resource.getTag(${cedarString(key)}) == ${cedarString(value)})`)
    .join(' && ');
}

function levelCondition(levels: readonly string[]): string {
  return `${cedarEntitySet('Level', levels)}.contains(context.level)`;
}

/** Who, what and which level: the part of a policy that decides whether it is the one that applies. */
function scopeConditions(policy: Policy): string[] {
  return [principalCondition(policy.requesters.groups, policy.requesters.users), resourceCondition(policy), levelCondition(policy.levels)];
}

function durationCondition(maxSeconds: number): string {
  return `context.durationSeconds <= ${maxSeconds}`;
}

function reasonConditions(policy: Policy): string[] {
  return policy.reason.required ? ['context.hasReason'] : [];
}

function ticketConditions(policy: Policy): string[] {
  return policy.reason.ticketPattern === undefined ? [] : [`context.ticketOk.contains(${cedarString(policy.name)})`];
}

function requestConditions(policy: Policy): string[] {
  return [...scopeConditions(policy), durationCondition(seconds(policy.maxDuration)), ...reasonConditions(policy), ...ticketConditions(policy)];
}

function accessSpec(id: string, action: string, when: readonly string[]): CedarPolicySpec {
  return { id, effect: 'permit', action, principalType: 'User', resourceType: 'Resource', when };
}

function policySpecs(policy: Policy): CedarPolicySpec[] {
  return [
    accessSpec(cedarPolicyId(policy.name, 'request'), 'request', requestConditions(policy)),
    ...policy.autoApprove.map((rule, index) => {
      const id = cedarPolicyId(policy.name, 'auto-approve', String(index));
      const when = [
        ...requestConditions(policy),
        ...(rule.levels === undefined ? [] : [levelCondition(rule.levels)]),
        ...(rule.requesterGroups === undefined ? [] : [principalCondition(rule.requesterGroups, [])]),
        ...(rule.workingHours === undefined ? [] : [`context.inWorkingHours.contains(${cedarString(id)})`]),
        ...(rule.maxDuration === undefined ? [] : [durationCondition(seconds(rule.maxDuration))]),
      ];
      return accessSpec(id, 'auto-approve', when);
    }),
    ...breakGlassSpecs(policy),
    ...policy.approval.stages.map((stage) => ({
      id: cedarPolicyId(policy.name, 'review', stage.name),
      effect: 'permit' as const,
      action: 'review',
      principalType: 'User' as const,
      resourceType: 'Request' as const,
      when: [`resource.policy == ${cedarString(policy.name)}`, `context.stage == ${cedarString(stage.name)}`, principalCondition(stage.groups, stage.users)],
    })),
    ...checkSpecs(policy),
  ];
}

function breakGlassMaxSeconds(policy: Policy): number {
  return seconds(policy.breakGlass.maxDuration ?? policy.maxDuration);
}

function breakGlassSpecs(policy: Policy): CedarPolicySpec[] {
  if (!policy.breakGlass.allowed) return [];
  const when = [...scopeConditions(policy), 'context.hasReason', durationCondition(breakGlassMaxSeconds(policy))];
  return [accessSpec(cedarPolicyId(policy.name, 'break-glass'), 'break-glass', when)];
}

/** `request-check` permits: each tests one condition within the policy's scope, so a denial can say which failed. */
function checkSpecs(policy: Policy): CedarPolicySpec[] {
  const scope = scopeConditions(policy);
  const check = (rule: Parameters<typeof cedarPolicyId>[1], extra: readonly string[]): CedarPolicySpec =>
    accessSpec(cedarPolicyId(policy.name, rule), 'request-check', [...scope, ...extra]);
  return [
    check('check-scope', []),
    check('check-duration', [durationCondition(seconds(policy.maxDuration))]),
    ...(policy.reason.required ? [check('check-reason', ['context.hasReason'])] : []),
    ...(policy.reason.ticketPattern === undefined ? [] : [check('check-ticket', ticketConditions(policy))]),
    ...(policy.breakGlass.allowed
      ? [check('check-break-glass', []), check('check-break-glass-duration', [durationCondition(breakGlassMaxSeconds(policy))])]
      : []),
  ];
}

/** A Cedar entity reference for a level, as the context carries it. */
export function levelReference(level: string): { __entity: { type: string; id: string } } {
  return { __entity: cedarUid('Level', level) };
}
