// The access API: resources, requests (create, list, read, approve, deny, cancel), break-glass, grants (list, revoke, extend).
import type { FastifyRequest } from 'fastify';
import type { AccessDeps } from '../access/access-deps.ts';
import type { AccessActor } from '../access/access-policy.ts';
import type { GrantId, RequestId } from '../access/access-types.ts';
import { canSeeRequest, endGrant, isReviewerOf } from '../access/grant-commands.ts';
import { breakGlass, cancelOwnRequest, createRequest, requestExtension } from '../access/request-commands.ts';
import { decideRequest } from '../access/review-commands.ts';
import { AppError } from '../shared/app-error.ts';
import {
  approveBody,
  breakGlassBody,
  createRequestBody,
  denyBody,
  extendBody,
  grantListQuery,
  grantView,
  idParams,
  pageOf,
  requestListQuery,
  requestResult,
  requestView,
  resourceListQuery,
  resourceView,
  revokeBody,
  toGrantView,
  toRequestView,
} from './access-schemas.ts';
import type { ApiPrincipal, RouteNeeds } from './api-auth.ts';
import type { ApiRoutes } from './api-plugin.ts';

export interface AccessRouteDeps {
  readonly access: AccessDeps;
  /** The access engine's view of the caller (their groups come from identity). */
  actorOf(principal: ApiPrincipal, request: FastifyRequest): Promise<AccessActor>;
  /** Called after a command that changed stored times, so the scheduler re-reads them. */
  onChanged(): void;
}

/** Every signed-in user may use these routes (what they may do is the policy's call); a token needs one of the scopes. */
export const ACCESS_READ_SCOPES = ['requests:read', 'requests:write', 'reviews:write', 'grants:write'] as const;
const readers: RouteNeeds = { scopes: ACCESS_READ_SCOPES };
const requesters: RouteNeeds = { scopes: ['requests:write'] };
const reviewers: RouteNeeds = { scopes: ['reviews:write'] };
/** The holder releases with requests:write; an approver or administrator revokes with grants:write. */
const revokers: RouteNeeds = { scopes: ['grants:write', 'requests:write'] };

function toMs(text: string | undefined): number | undefined {
  return text === undefined ? undefined : Date.parse(text);
}

function principal(request: FastifyRequest): ApiPrincipal {
  if (request.principal === undefined) throw new AppError('unauthorized', 'this needs credentials');
  return request.principal;
}

function matchesLabels(labels: Readonly<Record<string, string>>, wanted: readonly string[]): boolean {
  return wanted.every((pair) => {
    const [key = '', value] = pair.split('=', 2);
    return value === undefined ? key in labels : labels[key] === value;
  });
}

/** True when the user has never held a grant on the resource: reviewers see it flagged. */
async function isFirstForResource(access: AccessDeps, userId: string, resourceId: string, nowMs: number): Promise<boolean> {
  const earlier = await access.store.listGrants({ userId, resourceId, nowMs, limit: 1 });
  return earlier.items.length === 0;
}

/** @example apiPlugin(app, { routes: [accessRoutes(deps)], ... }) */
export function accessRoutes(deps: AccessRouteDeps): ApiRoutes {
  const actor = (request: FastifyRequest): Promise<AccessActor> => deps.actorOf(principal(request), request);
  const now = (): number => deps.access.clock.nowMs();
  const changed = <T>(value: T): T => {
    deps.onChanged();
    return value;
  };
  const asResult = (r: { request: Parameters<typeof toRequestView>[0]; grant: Parameters<typeof toGrantView>[0] | undefined }) => ({
    request: toRequestView(r.request),
    grant: r.grant === undefined ? null : toGrantView(r.grant, now()),
  });

  return (api) => {
    api.get('/v1/resources', { auth: readers, schema: { tags: ['access'], summary: 'Resources one may ask for, searched by name and labels', querystring: resourceListQuery, response: { 200: pageOf(resourceView) } } }, (request) => {
      const q = request.query.q?.toLowerCase();
      const labels = request.query.label === undefined ? [] : [request.query.label].flat();
      const items = deps.access
        .policy()
        .resources()
        .filter((r) => (q === undefined || r.id.includes(q) || r.name.toLowerCase().includes(q)) && matchesLabels(r.labels, labels))
        .map((r) => ({ ...r, labels: { ...r.labels }, levels: [...r.levels] }));
      return { items, nextCursor: null };
    });

    api.post('/v1/requests', { auth: requesters, schema: { tags: ['access'], summary: 'Ask for access', body: createRequestBody, response: { 201: requestResult } } }, async (request, reply) => {
      const b = request.body;
      const result = await createRequest(deps.access, await actor(request), { resourceId: b.resourceId, level: b.level, durationSeconds: b.durationSeconds, reason: b.reason, ticket: b.ticket, startAtMs: toMs(b.startAt) });
      return reply.status(201).send(changed(asResult(result)));
    });

    api.post('/v1/break-glass', { auth: requesters, schema: { tags: ['access'], summary: 'Emergency access where policy allows it: granted at once, flagged', body: breakGlassBody, response: { 201: requestResult } } }, async (request, reply) => {
      const b = request.body;
      const result = await breakGlass(deps.access, await actor(request), { resourceId: b.resourceId, level: b.level, durationSeconds: b.durationSeconds, reason: b.reason, ticket: undefined, startAtMs: undefined });
      return reply.status(201).send(changed(asResult(result)));
    });

    api.get('/v1/requests', { auth: readers, schema: { tags: ['access'], summary: 'My requests, those waiting for my review, or all (admin, auditor)', querystring: requestListQuery, response: { 200: pageOf(requestView) } } }, async (request) => {
      const me = await actor(request);
      const { view, status, cursor, limit } = request.query;
      if (view === 'all' && !me.roles.includes('admin') && !me.roles.includes('auditor')) throw new AppError('forbidden', 'listing every request needs the admin or auditor role');
      const page = await deps.access.store.listRequests({
        ...(view === 'mine' ? { requesterId: me.userId } : {}),
        ...(view === 'to-review' ? { reviewableBy: { username: me.username, groups: me.groups } } : {}),
        ...(status === undefined ? {} : { status }),
        ...(cursor === undefined ? {} : { cursor }),
        limit,
      });
      if (view !== 'to-review') return { items: page.items.map(toRequestView), nextCursor: page.nextCursor ?? null };
      const reviewable = page.items.filter((r) => r.requesterId !== me.userId || r.workflow.selfApproval);
      const items = await Promise.all(reviewable.map(async (r) => ({ ...toRequestView(r), firstForResource: await isFirstForResource(deps.access, r.requesterId, r.resourceId, now()) })));
      return { items, nextCursor: page.nextCursor ?? null };
    });

    api.get('/v1/requests/:id', { auth: readers, schema: { tags: ['access'], summary: 'One request with its decisions', params: idParams, response: { 200: requestView } } }, async (request) => {
      const found = await deps.access.store.getRequest(request.params.id as RequestId);
      if (found === undefined || !canSeeRequest(await actor(request), found)) throw new AppError('not_found', `there is no request ${request.params.id} you may see`);
      return toRequestView(found);
    });

    api.post('/v1/requests/:id/approve', { auth: reviewers, schema: { tags: ['access'], summary: 'Approve at the current stage, optionally shorter or later', params: idParams, body: approveBody, response: { 200: requestResult } } }, async (request) => {
      const b = request.body;
      const result = await decideRequest(deps.access, await actor(request), request.params.id as RequestId, { verdict: 'approve', comment: b.comment, durationSeconds: b.durationSeconds, startAtMs: toMs(b.startAt) });
      return changed(asResult(result));
    });

    api.post('/v1/requests/:id/deny', { auth: reviewers, schema: { tags: ['access'], summary: 'Deny with a comment for the requester', params: idParams, body: denyBody, response: { 200: requestResult } } }, async (request) => {
      const result = await decideRequest(deps.access, await actor(request), request.params.id as RequestId, { verdict: 'deny', comment: request.body.comment, durationSeconds: undefined, startAtMs: undefined });
      return changed(asResult(result));
    });

    api.post('/v1/requests/:id/cancel', { auth: requesters, schema: { tags: ['access'], summary: 'Withdraw my pending request', params: idParams, response: { 200: requestView } } }, async (request) => {
      return changed(toRequestView(await cancelOwnRequest(deps.access, await actor(request), request.params.id as RequestId)));
    });

    api.get('/v1/grants', { auth: readers, schema: { tags: ['access'], summary: 'My grants, or all (admin, auditor)', querystring: grantListQuery, response: { 200: pageOf(grantView) } } }, async (request) => {
      const me = await actor(request);
      const { view, state, resourceId, cursor, limit } = request.query;
      if (view === 'all' && !me.roles.includes('admin') && !me.roles.includes('auditor')) throw new AppError('forbidden', 'listing every grant needs the admin or auditor role');
      const nowMs = now();
      const page = await deps.access.store.listGrants({
        ...(view === 'mine' ? { userId: me.userId } : {}),
        ...(state === undefined ? {} : { state }),
        ...(resourceId === undefined ? {} : { resourceId }),
        ...(cursor === undefined ? {} : { cursor }),
        nowMs,
        limit,
      });
      return { items: page.items.map((g) => toGrantView(g, nowMs)), nextCursor: page.nextCursor ?? null };
    });

    api.get('/v1/grants/:id', { auth: readers, schema: { tags: ['access'], summary: 'One grant', params: idParams, response: { 200: grantView } } }, async (request) => {
      const me = await actor(request);
      const grant = await deps.access.store.getGrant(request.params.id as GrantId);
      const origin = grant === undefined ? undefined : await deps.access.store.getRequest(grant.requestId);
      const visible = grant !== undefined && (grant.userId === me.userId || me.roles.includes('admin') || me.roles.includes('auditor') || (origin !== undefined && isReviewerOf(me, origin)));
      if (!visible) throw new AppError('not_found', `there is no grant ${request.params.id} you may see`);
      return toGrantView(grant, now());
    });

    api.post('/v1/grants/:id/revoke', { auth: revokers, schema: { tags: ['access'], summary: 'End a grant now: the holder releases it, an approver or admin revokes it', params: idParams, body: revokeBody, response: { 200: grantView } } }, async (request) => {
      const ended = await endGrant(deps.access, await actor(request), request.params.id as GrantId, request.body.reason);
      return changed(toGrantView(ended, now()));
    });

    api.post('/v1/grants/:id/extend', { auth: requesters, schema: { tags: ['access'], summary: 'Ask to move my grant’s end; the policy decides who approves', params: idParams, body: extendBody, response: { 201: requestResult } } }, async (request, reply) => {
      const result = await requestExtension(deps.access, await actor(request), request.params.id as GrantId, { bySeconds: request.body.bySeconds, reason: request.body.reason, ticket: request.body.ticket });
      return reply.status(201).send(changed(asResult(result)));
    });
  };
}
