// Tests for `writ policy test`: the decision, break-glass, and who could approve each stage, changing nothing.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { AccessRequestInput } from './policy-decisions.ts';
import { createPolicyEngine } from './policy-engine.ts';
import { explainRequest } from './policy-explain.ts';
import { parsePolicyFile } from './policy-file.ts';
import { engineTestYaml } from './policy-fixtures.ts';

const engine = createPolicyEngine(parsePolicyFile(engineTestYaml).document);
const members: Record<string, readonly string[]> = {
  'payments-leads': ['lena', 'alice'],
  security: ['sid', 'sven'],
};
const membersOf = (group: string): readonly string[] => members[group] ?? [];
const ask: AccessRequestInput = {
  requester: { user: 'alice', groups: ['engineers', 'payments-leads'] },
  resourceId: 'pg-prod',
  level: 'read-write',
  durationSeconds: 7200,
  reason: 'migration',
  ticket: 'OPS-7',
  nowMs: Date.UTC(2025, 0, 6, 20, 0),
};

test('could alice request read-write on pg-prod for 2h, and who would approve?', () => {
  const explanation = explainRequest(engine, ask, { membersOf });
  assert.equal(explanation.decision.kind, 'needs-approval');
  assert.equal(explanation.breakGlass.kind, 'deny', 'break-glass allows at most 1h');
  assert.deepEqual(explanation.stages, [
    { name: 'team-lead', count: 1, groups: ['payments-leads'], users: [], approvers: [{ user: 'lena', flags: [] }], satisfiable: true },
    {
      name: 'security',
      count: 2,
      groups: ['security'],
      users: ['sven'],
      approvers: [
        { user: 'sid', flags: [] },
        { user: 'sven', flags: [] },
      ],
      satisfiable: true,
    },
  ]);
});

test('the requester is left out of the approvers, and a stage short of people says so', () => {
  const explanation = explainRequest(engine, ask, { membersOf: (group) => (group === 'payments-leads' ? ['alice'] : membersOf(group)) });
  const [teamLead] = explanation.stages;
  assert.ok(teamLead !== undefined);
  assert.deepEqual(teamLead.approvers, []);
  assert.equal(teamLead.satisfiable, false);
});

test('where self-approval is allowed the requester is listed, flagged', () => {
  const dev = { ...ask, resourceId: 'pg-dev', level: 'read-only' };
  const explanation = explainRequest(engine, dev, { membersOf });
  assert.deepEqual(explanation.stages[0]?.approvers, [
    { user: 'alice', flags: ['self-approval'] },
    { user: 'dana', flags: [] },
    { user: 'erin', flags: [] },
  ]);
});

test('without a membership lookup, stages list groups and users only', () => {
  const explanation = explainRequest(engine, ask);
  assert.deepEqual(explanation.stages.map((stage) => Object.keys(stage).sort()), [
    ['count', 'groups', 'name', 'users'],
    ['count', 'groups', 'name', 'users'],
  ]);
});

test('a denied or auto-approved request has no stages to show', () => {
  const denied = explainRequest(engine, { ...ask, durationSeconds: 86_400 }, { membersOf });
  assert.equal(denied.decision.kind, 'deny');
  assert.deepEqual(denied.stages, []);
  const onCall = explainRequest(engine, { ...ask, requester: { user: 'otto', groups: ['engineers', 'oncall'] }, durationSeconds: 1800 }, { membersOf });
  assert.equal(onCall.decision.kind, 'auto-approve');
  assert.equal(onCall.breakGlass.kind, 'break-glass');
  assert.deepEqual(onCall.stages, []);
});
