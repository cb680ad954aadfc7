// Tests for the adapter between the policy engine and the request workflow's AccessPolicy port.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { AccessActor, RequestAsk } from './access-policy.ts';
import type { AccessRequest, RequestId } from './access-types.ts';
import { createAccessPolicy } from './policy-access-adapter.ts';
import { createPolicyEngine } from './policy-engine.ts';
import { parsePolicyFile } from './policy-file.ts';
import { engineTestYaml } from './policy-fixtures.ts';

const policy = createAccessPolicy(createPolicyEngine(parsePolicyFile(engineTestYaml).document), 7);
const alice: AccessActor = { userId: 'u-alice', username: 'alice', roles: ['user'], groups: ['engineers'] };
const ask: RequestAsk = {
  requester: alice,
  resourceId: 'pg-prod',
  level: 'read-write',
  durationSeconds: 1800,
  reason: 'incident 12',
  ticket: 'OPS-12',
  breakGlass: false,
  nowMs: Date.UTC(2025, 0, 6, 20, 0),
};

function pendingRequest(): AccessRequest {
  const verdict = policy.decideRequest(ask);
  assert.ok(verdict.kind === 'needs-approval');
  return {
    id: 'req-1' as RequestId,
    subject: { kind: 'access' },
    requesterId: alice.userId,
    requesterName: alice.username,
    resourceId: ask.resourceId,
    level: ask.level,
    durationSeconds: ask.durationSeconds,
    reason: ask.reason,
    ticket: ask.ticket,
    startAtMs: undefined,
    breakGlass: false,
    autoApprovedBy: undefined,
    workflow: verdict.workflow,
    status: 'pending',
    decisions: [],
    createdAtMs: ask.nowMs,
    expiresAtMs: ask.nowMs + verdict.pendingTtlSeconds * 1000,
    decidedAtMs: undefined,
    grantId: undefined,
    version: 1,
  };
}

test('a request verdict carries the workflow snapshot of the governing policy', () => {
  assert.equal(policy.version, 7);
  const request = pendingRequest();
  assert.deepEqual(request.workflow, {
    policy: 'prod-databases',
    stages: [
      { name: 'team-lead', groups: ['payments-leads'], users: [], count: 1 },
      { name: 'security', groups: ['security'], users: ['sven'], count: 2 },
    ],
    onDenial: 'deny',
    selfApproval: false,
    maxDurationSeconds: 4 * 3600,
  });
});

test('break-glass asks go to the break-glass decision', () => {
  const verdict = policy.decideRequest({ ...ask, breakGlass: true });
  assert.ok(verdict.kind === 'break-glass');
  assert.deepEqual(verdict.notify, ['security']);
  assert.equal(verdict.workflow.maxDurationSeconds, 3600);
  assert.equal(policy.decideRequest({ ...ask, breakGlass: true, reason: undefined }).kind, 'deny');
});

test('reviews are decided by stage index, by username; the requester is refused', () => {
  const request = pendingRequest();
  const lena: AccessActor = { userId: 'u-lena', username: 'lena', roles: ['user'], groups: ['payments-leads'] };
  assert.deepEqual(policy.decideReview({ reviewer: lena, request, stage: 0, nowMs: ask.nowMs }), { kind: 'allow', selfApproval: false });
  assert.equal(policy.decideReview({ reviewer: lena, request, stage: 1, nowMs: ask.nowMs }).kind, 'deny');
  assert.equal(policy.decideReview({ reviewer: lena, request, stage: 5, nowMs: ask.nowMs }).kind, 'deny');
  const admin: AccessActor = { ...alice, roles: ['admin', 'user'], groups: ['payments-leads'] };
  const self = policy.decideReview({ reviewer: admin, request, stage: 0, nowMs: ask.nowMs });
  assert.ok(self.kind === 'deny');
  assert.match(self.reason, /cannot approve their own request/);
});

test('resources are shown without credentials', () => {
  assert.deepEqual(policy.resource('pg-prod'), {
    id: 'pg-prod',
    kind: 'postgres',
    name: 'Payments production',
    labels: { env: 'prod', team: 'payments' },
    levels: ['read-only', 'read-write'],
  });
  assert.equal(policy.resource('nope'), undefined);
  assert.deepEqual(policy.resources().map((resource) => resource.id), ['pg-prod', 'pg-dev', 'pg-staging']);
});
