// The policy engine of one policy version: compiled to Cedar once, then answers request, break-glass and review decisions.
import { AppError } from '../shared/app-error.ts';
import { createCedarAuthorizer, type CedarAnswer, type CedarAuthorizer } from './cedar-authorizer.ts';
import { compilePolicyDocument, levelReference, type CompiledPolicySet } from './cedar-compile.ts';
import { parseCedarPolicyId, type CedarRule } from './cedar-policy-ids.ts';
import { cedarUid } from './cedar-text.ts';
import type { AccessRequestInput, BreakGlassDecision, RequestDecision, ReviewDecision, ReviewInput } from './policy-decisions.ts';
import { breakGlassDenialReasons, levelNotOffered, requestDenialReasons, reviewDenialReasons } from './policy-denials.ts';
import { policyDigest, type PolicyDigest } from './policy-digest.ts';
import { parseDuration } from './policy-duration.ts';
import { accessContext, hasReason, prepareContextInputs, principalEntities, type ContextInputs } from './policy-request-context.ts';
import type { Policy, PolicyDocument, StageName } from './policy-schema.ts';
import type { LevelName, Resource } from './resource-schema.ts';

/** Ten years: longer than any policy allows, short enough to stay an exact integer everywhere. */
const MAX_ASKED_SECONDS = 10 * 366 * 86_400;
const CACHED_ENGINES = 16;

export interface PolicyEngine {
  readonly digest: PolicyDigest;
  readonly document: PolicyDocument;
  /** The compiled Cedar policy set as text, for `writ policy show --cedar`. */
  readonly cedarText: string;
  decideRequest(input: AccessRequestInput): RequestDecision;
  decideBreakGlass(input: AccessRequestInput): BreakGlassDecision;
  decideReview(input: ReviewInput): ReviewDecision;
  findPolicy(name: string): Policy | undefined;
  findResource(id: string): Resource | undefined;
}

const engines = new Map<string, PolicyEngine>();

/**
 * The engine for `document`, built once per policy version (digest) and reused: building compiles and
 * validates the Cedar set; deciding costs a Cedar call or two.
 * @example createPolicyEngine(document).decideRequest({ requester: { user: 'alice', groups: ['engineers'] }, resourceId: 'pg-prod', level: 'read-only', durationSeconds: 3600, reason: 'incident', nowMs: clock.nowMs() })
 */
export function createPolicyEngine(document: PolicyDocument): PolicyEngine {
  const digest = policyDigest(document);
  const cached = engines.get(digest);
  if (cached !== undefined) return cached;
  const engine = buildEngine(document, digest);
  if (engines.size >= CACHED_ENGINES) engines.delete(engines.keys().next().value ?? '');
  engines.set(digest, engine);
  return engine;
}

interface EngineParts {
  readonly document: PolicyDocument;
  readonly compiled: CompiledPolicySet;
  readonly cedar: CedarAuthorizer;
  readonly contextInputs: ContextInputs;
  readonly policies: ReadonlyMap<string, { readonly policy: Policy; readonly index: number }>;
  readonly resources: ReadonlyMap<string, Resource>;
}

function buildEngine(document: PolicyDocument, digest: PolicyDigest): PolicyEngine {
  const compiled = compilePolicyDocument(document);
  const parts: EngineParts = {
    document,
    compiled,
    cedar: createCedarAuthorizer(`writ-policy-${digest}`, compiled),
    contextInputs: prepareContextInputs(document),
    policies: new Map(document.policies.map((policy, index) => [policy.name as string, { policy, index }])),
    resources: new Map(document.resources.map((resource) => [resource.id as string, resource])),
  };
  return {
    digest,
    document,
    cedarText: compiled.text,
    decideRequest: (input) => decideRequest(parts, input),
    decideBreakGlass: (input) => decideBreakGlass(parts, input),
    decideReview: (input) => decideReview(parts, input),
    findPolicy: (name) => parts.policies.get(name)?.policy,
    findResource: (id) => parts.resources.get(id),
  };
}

function checkInput(input: AccessRequestInput): void {
  const seconds = input.durationSeconds;
  if (!Number.isSafeInteger(seconds) || seconds < 1 || seconds > MAX_ASKED_SECONDS) {
    throw new AppError('invalid_input', `the duration must be a whole number of seconds from 1 to ${MAX_ASKED_SECONDS}; got ${String(seconds)}`);
  }
  if (!Number.isFinite(input.nowMs)) throw new AppError('invalid_input', 'the time of the decision is not a valid time');
}

function askCedar(parts: EngineParts, action: string, input: AccessRequestInput, resource: Resource): CedarAnswer {
  return parts.cedar.authorize({
    principal: cedarUid('User', input.requester.user),
    action,
    resource: cedarUid('Resource', resource.id),
    context: accessContext(input, parts.contextInputs),
    entities: [...principalEntities(input.requester), ...entityOf(parts, resource)],
  });
}

function entityOf(parts: EngineParts, resource: Resource): NonNullable<ReturnType<CompiledPolicySet['resourceEntities']['get']>>[] {
  const entity = parts.compiled.resourceEntities.get(resource.id);
  return entity === undefined ? [] : [entity];
}

/** YAML policies behind the satisfied Cedar permits of `rule`, in file order, with the Cedar detail (rule index). */
function matched(parts: EngineParts, answer: CedarAnswer, rule: CedarRule): { policy: Policy; detail: string | undefined }[] {
  return answer.policyIds
    .map((id) => parseCedarPolicyId(id))
    .filter((ref) => ref !== undefined && ref.rule === rule)
    .flatMap((ref) => {
      const entry = ref === undefined ? undefined : parts.policies.get(ref.policy);
      return entry === undefined ? [] : [{ ...entry, detail: ref?.detail }];
    })
    .sort((left, right) => left.index - right.index || Number(left.detail ?? 0) - Number(right.detail ?? 0))
    .map(({ policy, detail }) => ({ policy, detail }));
}

function unknownResource(input: AccessRequestInput): { kind: 'deny'; reasons: string[] } {
  return { kind: 'deny', reasons: [`there is no resource ${JSON.stringify(input.resourceId.slice(0, 64))}`] };
}

function denyRequest(parts: EngineParts, input: AccessRequestInput, resource: Resource, answer: CedarAnswer, breakGlass: boolean): { kind: 'deny'; reasons: string[] } {
  const notOffered = levelNotOffered(answer.policyIds, resource, input.level);
  if (notOffered !== undefined) return { kind: 'deny', reasons: [notOffered] };
  const checks = askCedar(parts, 'request-check', input, resource).policyIds;
  const reasons = breakGlass
    ? breakGlassDenialReasons(input, parts.document.policies, checks, hasReason(input))
    : requestDenialReasons(input, parts.document.policies, checks);
  return { kind: 'deny', reasons };
}

function seconds(duration: string): number {
  return parseDuration(duration) ?? 0;
}

function decideRequest(parts: EngineParts, input: AccessRequestInput): RequestDecision {
  checkInput(input);
  const resource = parts.resources.get(input.resourceId);
  if (resource === undefined) return unknownResource(input);
  const answer = askCedar(parts, 'request', input, resource);
  const matches = answer.decision === 'allow' ? matched(parts, answer, 'request') : [];
  const chosen = matches[0]?.policy;
  if (chosen === undefined) return denyRequest(parts, input, resource, answer, false);
  const granting = {
    policy: chosen.name,
    matchedPolicies: matches.map((match) => match.policy.name),
    resourceId: resource.id,
    level: input.level as LevelName,
    durationSeconds: input.durationSeconds,
    maxDurationSeconds: seconds(chosen.maxDuration),
  };
  const rule = chosen.autoApprove.length === 0 ? undefined : autoApprovalRule(parts, input, resource, chosen);
  if (rule !== undefined) return { kind: 'auto-approve', ...granting, rule };
  return {
    kind: 'needs-approval',
    ...granting,
    stages: chosen.approval.stages,
    onDenial: chosen.approval.onDenial,
    selfApproval: chosen.approval.selfApproval ? 'allowed-flagged' : 'forbidden',
    pendingTtlSeconds: seconds(chosen.pendingTtl),
  };
}

/** The first auto-approval rule of the governing policy that Cedar allows, by its name or index. */
function autoApprovalRule(parts: EngineParts, input: AccessRequestInput, resource: Resource, policy: Policy): string | undefined {
  const answer = askCedar(parts, 'auto-approve', input, resource);
  if (answer.decision !== 'allow') return undefined;
  const first = matched(parts, answer, 'auto-approve').find((match) => match.policy.name === policy.name);
  if (first === undefined) return undefined;
  const index = Number(first.detail);
  return policy.autoApprove[index]?.name ?? `autoApprove[${index}]`;
}

function decideBreakGlass(parts: EngineParts, input: AccessRequestInput): BreakGlassDecision {
  checkInput(input);
  const resource = parts.resources.get(input.resourceId);
  if (resource === undefined) return unknownResource(input);
  const answer = askCedar(parts, 'break-glass', input, resource);
  const matches = answer.decision === 'allow' ? matched(parts, answer, 'break-glass') : [];
  const chosen = matches[0]?.policy;
  if (chosen === undefined) return denyRequest(parts, input, resource, answer, true);
  return {
    kind: 'break-glass',
    policy: chosen.name,
    matchedPolicies: matches.map((match) => match.policy.name),
    resourceId: resource.id,
    level: input.level as LevelName,
    durationSeconds: input.durationSeconds,
    maxDurationSeconds: seconds(chosen.breakGlass.maxDuration ?? chosen.maxDuration),
    notify: chosen.breakGlass.notify,
  };
}

function decideReview(parts: EngineParts, input: ReviewInput): ReviewDecision {
  const { request } = input;
  const answer = parts.cedar.authorize({
    principal: cedarUid('User', input.reviewer.user),
    action: 'review',
    resource: cedarUid('Request', request.id),
    context: { stage: input.stage },
    entities: [
      ...principalEntities(input.reviewer),
      {
        uid: cedarUid('Request', request.id),
        attrs: {
          requester: { __entity: cedarUid('User', request.requester) },
          policy: request.policy,
          resource: { __entity: cedarUid('Resource', request.resourceId) },
          level: levelReference(request.level),
        },
        parents: [],
      },
    ],
  });
  const policy = parts.policies.get(request.policy)?.policy;
  if (answer.decision !== 'allow' || policy === undefined) return { kind: 'deny', reasons: reviewDenialReasons(input, policy, answer.policyIds) };
  const flags = input.reviewer.user === request.requester ? (['self-approval'] as const) : [];
  return { kind: 'allow', policy: policy.name, stage: input.stage as StageName, flags };
}
