// The policy API: the version in force, its history with diffs, validation, applying, and "what if" tests.
import type { FastifyRequest } from 'fastify';
import { z } from 'zod';
import type { AccessDeps } from '../access/access-deps.ts';
import type { AccessActor } from '../access/access-policy.ts';
import { applyPolicy, type PolicyHolder } from '../access/apply-policy.ts';
import { diffPolicies } from '../access/policy-diff.ts';
import { explainRequest } from '../access/policy-explain.ts';
import { MAX_POLICY_FILE_BYTES, parsePolicyFile } from '../access/policy-file.ts';
import { AppError, isAppError } from '../shared/app-error.ts';
import { durationSecondsSchema, pageOf } from './access-schemas.ts';
import { ACCESS_READ_SCOPES } from './access-routes.ts';
import type { ApiPrincipal, RouteNeeds } from './api-auth.ts';
import type { ApiRoutes } from './api-plugin.ts';

export interface PolicyRouteDeps {
  readonly access: AccessDeps;
  readonly holder: PolicyHolder;
  actorOf(principal: ApiPrincipal, request: FastifyRequest): Promise<AccessActor>;
  /** Another user's name and groups, for admins testing on their behalf; undefined when unknown. */
  subjectOf(username: string): Promise<{ username: string; groups: string[] } | undefined>;
  /** Member user names of each group. */
  membersOf(groups: readonly string[]): Promise<Map<string, string[]>>;
}

const policyText = z.string().min(1).max(MAX_POLICY_FILE_BYTES);
const versionView = z.object({ version: z.number(), digest: z.string(), source: z.string(), appliedBy: z.string(), appliedAt: z.string() });
const versionWithText = versionView.extend({ text: z.string() });
const problem = z.object({ file: z.string(), line: z.number(), column: z.number(), path: z.string(), message: z.string() });
const testBody = z.strictObject({
  username: z.string().min(1).max(64).optional(),
  resourceId: z.string().min(1).max(64),
  level: z.string().min(1).max(64),
  durationSeconds: durationSecondsSchema,
  reason: z.string().max(1024).optional(),
  ticket: z.string().max(128).optional(),
  at: z.iso.datetime({ offset: true }).optional(),
});

/** The policy text names every group and resource: administrators and auditors (for tokens, with log:read). */
const readPolicy: RouteNeeds = { roles: ['admin', 'auditor'], scopes: ['log:read', 'policy:write'] };
const writePolicy: RouteNeeds = { roles: ['admin'], scopes: ['policy:write'] };
/** Planning a request: any signed-in user; a token with an access scope. */
const planners: RouteNeeds = { scopes: ACCESS_READ_SCOPES };

type StoredVersion = { version: number; digest: string; source: string; appliedBy: string; appliedAtMs: number; text: string };

function view(v: StoredVersion): z.infer<typeof versionView> {
  return { version: v.version, digest: v.digest, source: v.source, appliedBy: v.appliedBy, appliedAt: new Date(v.appliedAtMs).toISOString() };
}

function viewWithText(v: StoredVersion): z.infer<typeof versionWithText> {
  return { ...view(v), text: v.text };
}

function problemsOf(error: unknown): z.infer<typeof problem>[] {
  if (!isAppError(error, 'invalid_input')) throw error;
  const listed = error.details?.problems;
  return Array.isArray(listed) ? (listed as z.infer<typeof problem>[]) : [{ file: 'policy', line: 1, column: 1, path: '(document)', message: error.message }];
}

/** @example apiPlugin(app, { routes: [policyRoutes(deps)] }) */
export function policyRoutes(deps: PolicyRouteDeps): ApiRoutes {
  const principal = (request: FastifyRequest): ApiPrincipal => {
    if (request.principal === undefined) throw new AppError('unauthorized', 'this needs credentials');
    return request.principal;
  };
  return (api) => {
    api.get('/v1/policy', { auth: readPolicy, schema: { tags: ['policy'], summary: 'The policy version in force', response: { 200: versionWithText } } }, async () => {
      const latest = await deps.access.store.latestPolicy();
      if (latest === undefined) throw new AppError('not_found', 'no policy has been applied yet (writ policy apply FILE)');
      return viewWithText(latest);
    });

    api.get('/v1/policy/versions', { auth: readPolicy, schema: { tags: ['policy'], summary: 'Applied versions, newest first', querystring: z.strictObject({ cursor: z.string().max(64).optional(), limit: z.coerce.number().int().min(1).max(100).default(20) }), response: { 200: pageOf(versionView) } } }, async (request) => {
      const page = await deps.access.store.listPolicies(request.query.cursor, request.query.limit);
      return { items: page.items.map(view), nextCursor: page.nextCursor ?? null };
    });

    api.get('/v1/policy/versions/:version', { auth: readPolicy, schema: { tags: ['policy'], summary: 'One version with its diff from the one before', params: z.strictObject({ version: z.coerce.number().int().min(1) }), response: { 200: versionWithText.extend({ diff: z.string() }) } } }, async (request) => {
      const found = await deps.access.store.getPolicy(request.params.version);
      if (found === undefined) throw new AppError('not_found', `there is no policy version ${request.params.version}`);
      const previous = found.version > 1 ? await deps.access.store.getPolicy(found.version - 1) : undefined;
      return { ...viewWithText(found), diff: diffPolicies(previous?.text ?? '', found.text, { oldName: previous === undefined ? 'no policy' : `version ${previous.version}`, newName: `version ${found.version}` }).text };
    });

    api.post('/v1/policy/validate', { auth: writePolicy, schema: { tags: ['policy'], summary: 'Check a policy file without applying it', body: z.strictObject({ text: policyText, fileName: z.string().max(200).optional() }), response: { 200: z.object({ valid: z.boolean(), problems: z.array(problem), warnings: z.array(problem) }) } } }, (request) => {
      try {
        const parsed = parsePolicyFile(request.body.text, { fileName: request.body.fileName ?? 'writ.policy.yaml' });
        return { valid: true, problems: [], warnings: [...parsed.warnings] };
      } catch (error) {
        return { valid: false, problems: problemsOf(error), warnings: [] };
      }
    });

    api.put('/v1/policy', { auth: writePolicy, schema: { tags: ['policy'], summary: 'Apply a policy file (a new version when its content changed)', body: z.strictObject({ text: policyText, fileName: z.string().max(200).optional() }), response: { 200: z.object({ changed: z.boolean(), version: z.number(), digest: z.string(), diff: z.string(), warnings: z.array(problem) }) } } }, async (request) => {
      const p = principal(request);
      const result = await applyPolicy(deps.access, deps.holder, await deps.actorOf(p, request), { text: request.body.text, source: 'api', fileName: request.body.fileName ?? 'writ.policy.yaml' });
      return { ...result, warnings: [...result.warnings] };
    });

    api.post('/v1/policy/test', { auth: planners, schema: { tags: ['policy'], summary: 'Could this user request this, and who would approve? Changes nothing', body: testBody } }, async (request) => {
      const me = await deps.actorOf(principal(request), request);
      const b = request.body;
      const forOther = b.username !== undefined && b.username !== me.username;
      if (forOther && !me.roles.includes('admin') && !me.roles.includes('auditor')) throw new AppError('forbidden', 'testing on behalf of another user needs the admin or auditor role');
      const subject = forOther && b.username !== undefined ? await deps.subjectOf(b.username) : { username: me.username, groups: [...me.groups] };
      if (subject === undefined) throw new AppError('not_found', `there is no user "${b.username ?? ''}"`);
      const engine = deps.holder.engine();
      if (engine === undefined) return { decision: { kind: 'deny', reasons: ['no policy has been applied yet'] }, breakGlass: { kind: 'deny', reasons: ['no policy has been applied yet'] }, stages: [] };
      const policy = engine.document.policies.flatMap((p) => p.approval.stages.flatMap((s) => s.groups));
      const members = await deps.membersOf([...new Set(policy)]);
      return explainRequest(
        engine,
        { requester: { user: subject.username, groups: subject.groups }, resourceId: b.resourceId, level: b.level, durationSeconds: b.durationSeconds, reason: b.reason, ticket: b.ticket, nowMs: b.at === undefined ? deps.access.clock.nowMs() : Date.parse(b.at) },
        { membersOf: (group) => members.get(group) ?? [] },
      );
    });
  };
}
