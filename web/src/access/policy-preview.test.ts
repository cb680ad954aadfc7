// The request form's "who must approve" preview and duration bounds, from the policy test endpoint's answers.
import { describe, expect, test } from 'vitest';
import { API_MAX_DURATION_SECONDS, clampDuration, describeApproval, maxDurationOf, type PolicyTestAnswer } from './policy-preview.ts';

const needsApproval: PolicyTestAnswer = {
  decision: { kind: 'needs-approval', policy: 'dev-databases', maxDurationSeconds: 8 * 3600, durationSeconds: 3600 },
  breakGlass: { kind: 'deny' },
  stages: [
    { name: 'db-lead', count: 1, groups: ['db-leads'], users: [], approvers: [{ user: 'bob', flags: [] }, { user: 'dana', flags: [] }], satisfiable: true },
    { name: 'security', count: 2, groups: ['security'], users: [], approvers: [{ user: 'sam', flags: [] }], satisfiable: false },
  ],
};

describe('describeApproval', () => {
  test('names each stage, who can approve, and a stage nobody can complete', () => {
    const preview = describeApproval(needsApproval);
    expect(preview).toEqual({
      kind: 'approval',
      policy: 'dev-databases',
      blocked: true,
      stages: [
        { name: 'db-lead', summary: '1 approval from bob or dana', unsatisfiable: false },
        { name: 'security', summary: '2 approvals from sam', unsatisfiable: true },
      ],
    });
  });
  test('falls back to the groups when members are not listed', () => {
    const preview = describeApproval({ ...needsApproval, stages: [{ name: 'lead', count: 1, groups: ['leads'], users: ['root'] }] });
    expect(preview.kind === 'approval' && preview.stages[0]?.summary).toBe('1 approval from root or anyone in leads');
  });
  test('automatic approval and refusal say so', () => {
    expect(describeApproval({ ...needsApproval, decision: { kind: 'auto-approve', policy: 'p', rule: 'on-call', maxDurationSeconds: 3600, durationSeconds: 60 } })).toEqual({ kind: 'automatic', rule: 'on-call', policy: 'p' });
    expect(describeApproval({ ...needsApproval, decision: { kind: 'deny', reasons: ['not an engineer'] } })).toEqual({ kind: 'denied', reasons: ['not an engineer'] });
  });
});

describe('duration bounds', () => {
  test('the policy maximum bounds the duration; 60 s is the floor', () => {
    const max = maxDurationOf(needsApproval);
    expect(max).toBe(8 * 3600);
    expect(clampDuration(9 * 3600, max)).toBe(8 * 3600);
    expect(clampDuration(10, max)).toBe(60);
    expect(clampDuration(Number.NaN, max)).toBe(60);
    expect(clampDuration(5400.4, max)).toBe(5400);
  });
  test('without a policy answer, or when refused, only the API bound applies', () => {
    expect(maxDurationOf(undefined)).toBe(API_MAX_DURATION_SECONDS);
    expect(maxDurationOf({ ...needsApproval, decision: { kind: 'deny', reasons: ['no'] } })).toBe(API_MAX_DURATION_SECONDS);
  });
});
