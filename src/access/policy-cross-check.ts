// Checks across a schema-valid policy file: unique ids and names, levels the kinds offer, resources that exist.
import type { Policy, PolicyDocument } from './policy-schema.ts';
import { formatProblemPath, type RawProblem } from './policy-problems.ts';
import { isLevelOfKind, knownLevels, resourceKinds } from './resource-kinds.ts';
import { levelEnforcement, type Resource } from './resource-schema.ts';

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
    checkReadOnlyRoles(resource, index, result.warnings);
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

/** Role names that are superusers on a stock PostgreSQL or a managed service (where "superuser" may be the closest it offers). */
const USUAL_SUPERUSERS = new Set(['postgres', 'rdsadmin', 'azure_superuser', 'cloudsqlsuperuser', 'supabase_admin']);

/**
 * Read-only must hold in the database too: a read-only level that connects as a superuser, or as the role a writing
 * level uses, leaves the database's own enforcement out. Writ refuses such a session at connect time when the server
 * says it is a superuser; these warnings say so before anyone asks for access.
 */
function checkReadOnlyRoles(resource: Resource, index: number, warnings: RawProblem[]): void {
  for (const [level, settings] of Object.entries(resource.levels)) {
    if (!levelEnforcement(resource, level).readOnly) continue;
    const path = ['resources', index, 'levels', level];
    if (settings.allowSuperuser === true) {
      warnings.push({ path: [...path, 'allowSuperuser'], message: 'this read-only level may run as a database superuser: the database will not keep its sessions read-only, and a superuser can run programs on the database host; give it a role that can only read' });
    } else if (USUAL_SUPERUSERS.has(settings.username.toLowerCase())) {
      warnings.push({ path: [...path, 'username'], message: `"${settings.username}" is usually a superuser: Writ refuses read-only sessions that run as one (allowSuperuser: true would accept the risk); give this level a role that can only read` });
    }
    const writer = Object.entries(resource.levels).find(([other, otherSettings]) => other !== level && !levelEnforcement(resource, other).readOnly && otherSettings.username === settings.username);
    if (writer !== undefined) {
      warnings.push({ path: [...path, 'username'], message: `the read-only level connects as "${settings.username}", the role the ${writer[0]} level writes with: give it a role that can only read` });
    }
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
