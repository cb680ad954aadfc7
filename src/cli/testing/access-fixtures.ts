// Test helper: API answers (requests, grants, users) as the server would send them, with overridable fields.
import type { GrantView, RequestView } from '../../http/access-schemas.ts';

export function aRequest(overrides: Partial<RequestView> = {}): RequestView {
  return {
    id: 'req-1',
    kind: 'access',
    extendsGrantId: null,
    requester: { id: 'u-alice', username: 'alice' },
    resourceId: 'pg-prod',
    level: 'read-write',
    durationSeconds: 7200,
    reason: 'fix the invoice job',
    ticket: null,
    startAt: null,
    breakGlass: false,
    autoApprovedBy: null,
    policy: 'prod-databases',
    stages: [
      { name: 'team-lead', count: 1, approvals: 0, groups: ['db-leads'], users: [] },
      { name: 'dba', count: 2, approvals: 0, groups: ['dbas'], users: ['dana'] },
    ],
    currentStage: 0,
    status: 'pending',
    decisions: [],
    createdAt: '2026-11-25T13:50:00.000Z',
    expiresAt: '2026-11-26T13:50:00.000Z',
    decidedAt: null,
    grantId: null,
    ...overrides,
  };
}

export function aGrant(overrides: Partial<GrantView> = {}): GrantView {
  return {
    id: 'grant-1',
    requestId: 'req-1',
    user: { id: 'u-alice', username: 'alice' },
    resourceId: 'pg-prod',
    level: 'read-write',
    startsAt: '2026-11-25T14:00:00.000Z',
    endsAt: '2026-11-25T15:20:00.000Z',
    state: 'active',
    secondsLeft: 4800,
    breakGlass: false,
    endedAt: null,
    endReason: null,
    endedBy: null,
    ...overrides,
  };
}

export function aUser(overrides: Record<string, unknown> = {}): Record<string, unknown> {
  return {
    id: 'u-alice',
    username: 'alice',
    displayName: 'Alice Example',
    email: 'alice@example.com',
    kind: 'person',
    roles: ['user'],
    disabled: false,
    mustChangePassword: false,
    createdAt: '2026-11-01T09:00:00.000Z',
    updatedAt: '2026-11-01T09:00:00.000Z',
    ...overrides,
  };
}
