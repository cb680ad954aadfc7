// Tests for request and break-glass decisions: every rule, evaluated by Cedar, with deny by default.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { isAppError } from '../shared/app-error.ts';
import type { AccessRequestInput, RequestDecision } from './policy-decisions.ts';
import { createPolicyEngine } from './policy-engine.ts';
import { parsePolicyFile } from './policy-file.ts';
import { engineTestYaml } from './policy-fixtures.ts';

const engine = createPolicyEngine(parsePolicyFile(engineTestYaml).document);
const MONDAY_NOON_UTC = Date.UTC(2025, 0, 6, 12, 0); // 13:00 in Berlin
const MONDAY_NIGHT_UTC = Date.UTC(2025, 0, 6, 20, 0); // 21:00 in Berlin

const ask: AccessRequestInput = {
  requester: { user: 'alice', groups: ['engineers'] },
  resourceId: 'pg-prod',
  level: 'read-write',
  durationSeconds: 2 * 3600,
  reason: 'fix the stuck payouts',
  ticket: 'OPS-42',
  nowMs: MONDAY_NIGHT_UTC,
};

function reasons(decision: RequestDecision | { kind: string; reasons?: readonly string[] }): string {
  assert.equal(decision.kind, 'deny', JSON.stringify(decision));
  return (decision.reasons ?? []).join('\n');
}

test('a request in scope needs approval, with the workflow of its policy', () => {
  const decision = engine.decideRequest(ask);
  assert.equal(decision.kind, 'needs-approval');
  assert.deepEqual(
    { ...decision, stages: decision.stages.map((stage) => stage.name) },
    {
      kind: 'needs-approval',
      policy: 'prod-databases',
      matchedPolicies: ['prod-databases'],
      resourceId: 'pg-prod',
      level: 'read-write',
      durationSeconds: 7200,
      maxDurationSeconds: 4 * 3600,
      stages: ['team-lead', 'security'],
      onDenial: 'deny',
      selfApproval: 'forbidden',
      pendingTtlSeconds: 12 * 3600,
    },
  );
  assert.deepEqual(decision.stages[0], { name: 'team-lead', groups: ['payments-leads'], users: [], count: 1 });
  assert.equal(decision.stages[1]?.count, 2);
});

test('deny by default: no policy names this person, resource or level', () => {
  assert.match(reasons(engine.decideRequest({ ...ask, requester: { user: 'mallory', groups: ['sales'] } })), /^no policy lets "mallory" request "read-write" on "pg-prod"$/);
  assert.match(reasons(engine.decideRequest({ ...ask, resourceId: 'pg-nowhere' })), /there is no resource "pg-nowhere"/);
  assert.match(reasons(engine.decideRequest({ ...ask, resourceId: 'pg-staging' })), /no policy lets "alice" request/);
  const empty = createPolicyEngine(parsePolicyFile('version: 1\n').document);
  assert.match(reasons(empty.decideRequest(ask)), /there is no resource/);
});

test('a user named directly may request without being in a group', () => {
  assert.equal(engine.decideRequest({ ...ask, requester: { user: 'zoe', groups: [] } }).kind, 'needs-approval');
});

test('a level the resource does not offer is denied by the built-in forbid', () => {
  assert.match(reasons(engine.decideRequest({ ...ask, resourceId: 'pg-dev' })), /pg-dev does not offer "read-write" \(it offers read-only\)/);
  assert.match(reasons(engine.decideRequest({ ...ask, level: 'superuser' })), /pg-prod does not offer "superuser"/);
});

test('a duration over the maximum is denied, naming the maximum', () => {
  assert.match(reasons(engine.decideRequest({ ...ask, durationSeconds: 5 * 3600 })), /policy prod-databases allows at most 4h; 5h was asked/);
  assert.equal(engine.decideRequest({ ...ask, durationSeconds: 4 * 3600 }).kind, 'needs-approval');
});

test('a missing reason is denied when the policy requires one', () => {
  assert.match(reasons(engine.decideRequest({ ...ask, reason: undefined })), /policy prod-databases requires a reason/);
  assert.match(reasons(engine.decideRequest({ ...ask, reason: '   ' })), /requires a reason/);
  const dev = { ...ask, resourceId: 'pg-dev', level: 'read-only', reason: undefined, ticket: undefined };
  assert.equal(engine.decideRequest(dev).kind, 'needs-approval', 'dev-databases does not require one');
});

test('a ticket that does not match is denied, quoting the pattern', () => {
  assert.match(reasons(engine.decideRequest({ ...ask, ticket: 'JIRA-1' })), /requires a ticket matching OPS-\[0-9\]\+; "JIRA-1" does not match/);
  assert.match(reasons(engine.decideRequest({ ...ask, ticket: undefined })), /requires a ticket matching OPS-\[0-9\]\+; none was given/);
  assert.match(reasons(engine.decideRequest({ ...ask, ticket: 'xOPS-1' })), /does not match/, 'the whole ticket must match');
});

test('all failing conditions are listed together', () => {
  const text = reasons(engine.decideRequest({ ...ask, durationSeconds: 86_400, reason: undefined, ticket: undefined }));
  assert.equal(text.split('\n').length, 3, text);
});

test('several matching policies: the first in file order governs; all are listed', () => {
  const both = { ...ask, requester: { user: 'sam', groups: ['engineers', 'sre'] }, level: 'read-only' };
  const decision = engine.decideRequest(both);
  assert.ok(decision.kind === 'needs-approval');
  assert.equal(decision.policy, 'prod-databases');
  assert.deepEqual(decision.matchedPolicies, ['prod-databases', 'prod-sre']);
  const sreOnly = engine.decideRequest({ ...both, ticket: undefined });
  assert.ok(sreOnly.kind === 'needs-approval');
  assert.equal(sreOnly.policy, 'prod-sre', 'prod-databases needs a ticket, prod-sre does not');
  assert.equal(sreOnly.maxDurationSeconds, 8 * 3600);
});

test('auto-approval during working hours in the policy time zone, for the level it names', () => {
  const readOnly = { ...ask, level: 'read-only' };
  const inHours = engine.decideRequest({ ...readOnly, nowMs: MONDAY_NOON_UTC });
  assert.ok(inHours.kind === 'auto-approve');
  assert.equal(inHours.rule, 'office-read-only');
  assert.equal(engine.decideRequest({ ...readOnly, nowMs: MONDAY_NIGHT_UTC }).kind, 'needs-approval');
  assert.equal(engine.decideRequest({ ...ask, nowMs: MONDAY_NOON_UTC }).kind, 'needs-approval', 'read-write is never auto-approved');
});

test('working hours follow daylight saving time: 07:30 UTC is 08:30 on Friday (CET) but 09:30 on Monday (CEST)', () => {
  const readOnly = { ...ask, level: 'read-only' };
  assert.equal(engine.decideRequest({ ...readOnly, nowMs: Date.UTC(2025, 2, 28, 7, 30) }).kind, 'needs-approval');
  assert.equal(engine.decideRequest({ ...readOnly, nowMs: Date.UTC(2025, 2, 31, 7, 30) }).kind, 'auto-approve');
});

test('on-call members are auto-approved, within the rule maximum', () => {
  const onCall = { ...ask, requester: { user: 'otto', groups: ['engineers', 'oncall'] }, durationSeconds: 3600 };
  const decision = engine.decideRequest(onCall);
  assert.ok(decision.kind === 'auto-approve');
  assert.equal(decision.rule, 'autoApprove[1]');
  assert.equal(engine.decideRequest({ ...onCall, durationSeconds: 7200 }).kind, 'needs-approval', 'longer than the rule allows');
  assert.match(reasons(engine.decideRequest({ ...onCall, ticket: undefined })), /requires a ticket/, 'auto-approval still needs the request to be allowed');
});

test('break-glass where allowed: immediate, with whom to notify', () => {
  const decision = engine.decideBreakGlass({ ...ask, ticket: undefined, durationSeconds: 1800 });
  assert.ok(decision.kind === 'break-glass');
  assert.deepEqual(decision.notify, ['security']);
  assert.equal(decision.maxDurationSeconds, 3600);
});

test('break-glass is refused without a reason, past its maximum, or where not allowed', () => {
  assert.match(reasons(engine.decideBreakGlass({ ...ask, reason: undefined, durationSeconds: 1800 })), /^break-glass needs a reason$/);
  assert.match(reasons(engine.decideBreakGlass({ ...ask, durationSeconds: 7200 })), /break-glass under policy prod-databases lasts at most 1h; 2h was asked/);
  const dev = { ...ask, resourceId: 'pg-dev', level: 'read-only' };
  assert.match(reasons(engine.decideBreakGlass(dev)), /policy dev-databases does not allow break-glass/);
  assert.match(reasons(engine.decideBreakGlass({ ...ask, requester: { user: 'mallory', groups: [] } })), /no policy lets "mallory" use break-glass/);
});

test('a duration that is not a positive whole number of seconds is bad input, not a decision', () => {
  for (const durationSeconds of [0, -1, 1.5, Number.NaN, Number.POSITIVE_INFINITY]) {
    assert.throws(() => engine.decideRequest({ ...ask, durationSeconds }), (error) => isAppError(error, 'invalid_input'));
  }
});

test('the engine is built once per policy version and reused', () => {
  const again = createPolicyEngine(parsePolicyFile(engineTestYaml).document);
  assert.equal(again, engine);
  assert.match(engine.cedarText, /@id\("prod-databases\/request"\)/);
  assert.equal(engine.findResource('pg-prod')?.name, 'Payments production');
  assert.equal(engine.findPolicy('prod-sre')?.maxDuration, '8h');
});
