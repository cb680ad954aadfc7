// Tests for review decisions: stage approvers, multi-stage, self-approval forbidden or allowed and flagged.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { ReviewInput } from './policy-decisions.ts';
import { createPolicyEngine } from './policy-engine.ts';
import { parsePolicyFile } from './policy-file.ts';
import { engineTestYaml } from './policy-fixtures.ts';

const engine = createPolicyEngine(parsePolicyFile(engineTestYaml).document);
const prodRequest: ReviewInput['request'] = { id: 'r-1', requester: 'alice', policy: 'prod-databases', resourceId: 'pg-prod', level: 'read-write' };
const devRequest: ReviewInput['request'] = { id: 'r-2', requester: 'alice', policy: 'dev-databases', resourceId: 'pg-dev', level: 'read-only' };

test('a member of the stage group may review that stage', () => {
  const decision = engine.decideReview({ reviewer: { user: 'lena', groups: ['payments-leads'] }, request: prodRequest, stage: 'team-lead' });
  assert.deepEqual(decision, { kind: 'allow', policy: 'prod-databases', stage: 'team-lead', flags: [] });
});

test('multi-stage: each stage has its own approvers', () => {
  const lead = { user: 'lena', groups: ['payments-leads'] };
  const security = { user: 'sid', groups: ['security'] };
  assert.equal(engine.decideReview({ reviewer: security, request: prodRequest, stage: 'security' }).kind, 'allow');
  assert.equal(engine.decideReview({ reviewer: { user: 'sven', groups: [] }, request: prodRequest, stage: 'security' }).kind, 'allow', 'named user');
  const wrongStage = engine.decideReview({ reviewer: lead, request: prodRequest, stage: 'security' });
  assert.ok(wrongStage.kind === 'deny');
  assert.match(wrongStage.reasons.join(), /"lena" is not an approver of stage security of policy prod-databases \(approvers: group security, user sven\)/);
  assert.equal(engine.decideReview({ reviewer: security, request: prodRequest, stage: 'team-lead' }).kind, 'deny');
});

test('self-approval is forbidden by default, even for a member of the approver group', () => {
  const decision = engine.decideReview({ reviewer: { user: 'alice', groups: ['engineers', 'payments-leads'] }, request: prodRequest, stage: 'team-lead' });
  assert.ok(decision.kind === 'deny');
  assert.match(decision.reasons.join(), /"alice" cannot approve their own request \(policy prod-databases forbids self-approval\)/);
});

test('where the policy allows self-approval, it is allowed and flagged', () => {
  const decision = engine.decideReview({ reviewer: { user: 'alice', groups: [] }, request: devRequest, stage: 'lead' });
  assert.deepEqual(decision, { kind: 'allow', policy: 'dev-databases', stage: 'lead', flags: ['self-approval'] });
  const other = engine.decideReview({ reviewer: { user: 'dana', groups: [] }, request: devRequest, stage: 'lead' });
  assert.deepEqual(other, { kind: 'allow', policy: 'dev-databases', stage: 'lead', flags: [] });
});

test('allowing self-approval does not make the requester an approver', () => {
  const request = { ...devRequest, requester: 'bob' };
  assert.equal(engine.decideReview({ reviewer: { user: 'bob', groups: [] }, request, stage: 'lead' }).kind, 'deny');
});

test('a request under a policy or stage no longer in force cannot be reviewed', () => {
  const gone = engine.decideReview({ reviewer: { user: 'lena', groups: ['payments-leads'] }, request: { ...prodRequest, policy: 'old-policy' }, stage: 'team-lead' });
  assert.ok(gone.kind === 'deny');
  assert.match(gone.reasons.join(), /the request's policy "old-policy" is no longer in force/);
  const noStage = engine.decideReview({ reviewer: { user: 'lena', groups: ['payments-leads'] }, request: prodRequest, stage: 'legal' });
  assert.ok(noStage.kind === 'deny');
  assert.match(noStage.reasons.join(), /policy prod-databases has no approval stage "legal"/);
});
