// Checks across a schema-valid policy file: unique ids and names, levels the kinds offer, resources that exist.
import type { Policy, PolicyDocument } from './policy-schema.ts';
import { formatProblemPath, type RawProblem } from './policy-problems.ts';
import { isLevelOfKind, knownLevels, resourceKinds } from './resource-kinds.ts';
import type { Resource } from './resource-schema.ts';

export interface CrossCheckResult {
  readonly errors: RawProblem[];
  readonly warnings: RawProblem[];
}

/**
 * Every cross-reference problem of `document` (errors) and likely mistakes that are not wrong (warnings).
 * @example crossCheckPolicyDocument(document).errors // [{ path: ['policies', 0, 'resources', 'ids', 0], message: 'no resource has the id "pg-x"' }]
 */
export function crossCheckPolicyDocument(document: PolicyDocument): CrossCheckResult {
  const result: CrossCheckResult = { errors: [], warnings: [] };
  checkUnique(document.resources.map((resource) => resource.id), ['resources'], 'id', 'resource id', result.errors);
  checkUnique(document.policies.map((policy) => policy.name), ['policies'], 'name', 'policy name', result.errors);
  document.resources.forEach((resource, index) => {
    checkResourceLevels(resource, index, result.errors);
  });
  const resourcesById = new Map(document.resources.map((resource) => [resource.id as string, resource]));
  document.policies.forEach((policy, index) => {
    checkPolicy(policy, ['policies', index], resourcesById, document.resources, result);
  });
  return result;
}

function checkUnique(values: readonly string[], listPath: readonly PropertyKey[], field: string, noun: string, errors: RawProblem[]): void {
  const firstIndex = new Map<string, number>();
  values.forEach((value, index) => {
    const first = firstIndex.get(value);
    if (first === undefined) firstIndex.set(value, index);
    else errors.push({ path: [...listPath, index, field], message: `duplicate ${noun} "${value}" (also at ${formatProblemPath([...listPath, first])})` });
  });
}

function checkResourceLevels(resource: Resource, index: number, errors: RawProblem[]): void {
  for (const level of Object.keys(resource.levels)) {
    if (isLevelOfKind(resource.kind, level)) continue;
    const offered = resourceKinds[resource.kind].levels.join(', ');
    errors.push({ path: ['resources', index, 'levels', level], message: `unknown level "${level}" for a ${resource.kind} resource (${resource.kind} offers ${offered})`, at: 'key' });
  }
}

function checkPolicy(
  policy: Policy,
  path: readonly PropertyKey[],
  resourcesById: ReadonlyMap<string, Resource>,
  resources: readonly Resource[],
  result: CrossCheckResult,
): void {
  const selected = selectedResources(policy, path, resourcesById, resources, result);
  policy.levels.forEach((level, index) => {
    if (!knownLevels.includes(level)) {
      result.errors.push({ path: [...path, 'levels', index], message: `unknown level "${level}" (levels are ${knownLevels.join(', ')})` });
    } else if (policy.resources.ids !== undefined && selected.length > 0 && !selected.some((resource) => Object.hasOwn(resource.levels, level))) {
      result.errors.push({ path: [...path, 'levels', index], message: `none of the policy's resources offers the level "${level}"` });
    }
  });
  checkUnique(policy.approval.stages.map((stage) => stage.name), [...path, 'approval', 'stages'], 'name', 'stage name', result.errors);
  policy.approval.stages.forEach((stage, index) => {
    if (stage.groups.length === 0 && stage.count > stage.users.length) {
      result.errors.push({ path: [...path, 'approval', 'stages', index, 'count'], message: `needs ${stage.count} approvals but names only ${stage.users.length} user(s) and no group` });
    }
  });
  policy.autoApprove.forEach((rule, index) => {
    rule.levels?.forEach((level, levelIndex) => {
      if (!policy.levels.includes(level)) {
        result.errors.push({ path: [...path, 'autoApprove', index, 'levels', levelIndex], message: `the level "${level}" is not one of this policy's levels (${policy.levels.join(', ')})` });
      }
    });
  });
  const ruleNames = policy.autoApprove.map((rule, index) => rule.name ?? `#${index}`);
  checkUnique(ruleNames, [...path, 'autoApprove'], 'name', 'auto-approval rule name', result.errors);
}

function selectedResources(
  policy: Policy,
  path: readonly PropertyKey[],
  resourcesById: ReadonlyMap<string, Resource>,
  resources: readonly Resource[],
  result: CrossCheckResult,
): Resource[] {
  const { ids, labels } = policy.resources;
  if (ids !== undefined) {
    return ids.flatMap((id, index) => {
      const resource = resourcesById.get(id);
      if (resource === undefined) result.errors.push({ path: [...path, 'resources', 'ids', index], message: `no resource has the id "${id}"` });
      return resource === undefined ? [] : [resource];
    });
  }
  const wanted = Object.entries(labels ?? {});
  const matching = resources.filter((resource) => wanted.every(([key, value]) => Object.hasOwn(resource.labels, key) && resource.labels[key] === value));
  if (matching.length === 0) result.warnings.push({ path: [...path, 'resources', 'labels'], message: 'no resource has these labels yet' });
  return matching;
}
