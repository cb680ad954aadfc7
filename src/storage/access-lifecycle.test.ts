// The access lifecycle on both backends with an injected clock: request, review, grant, expiry, revoke, extend, break-glass.
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { runDueWork } from '../access/access-scheduler.ts';
import { endGrant } from '../access/grant-commands.ts';
import { breakGlass, cancelOwnRequest, createRequest, requestExtension, type NewRequest } from '../access/request-commands.ts';
import { decideRequest } from '../access/review-commands.ts';
import { grantState } from '../access/access-types.ts';
import { isAppError } from '../shared/app-error.ts';
import { actor, createAccessFixture, fixturePolicy, T0, type AccessFixture } from './testing/access-fixture.ts';
import { testBackends } from './testing/test-databases.ts';

const alice = actor('alice', ['engineers']);
const bob = actor('bob', ['leads']);
const carol = actor('carol', ['security']);
const root = actor('root', ['leads'], ['admin', 'user']);
const HOUR = 3600;

function ask(overrides: Partial<NewRequest> = {}): NewRequest {
  return { resourceId: 'pg-prod', level: 'read-write', durationSeconds: 2 * HOUR, reason: 'INC-42 payments stuck', ticket: undefined, startAtMs: undefined, ...overrides };
}

async function rejects(promise: Promise<unknown>, code: string, message?: RegExp): Promise<void> {
  await assert.rejects(promise, (error: unknown) => {
    assert.ok(isAppError(error), `expected an AppError, got ${String(error)}`);
    assert.equal(error.code, code, error.message);
    if (message !== undefined) assert.match(error.message, message);
    return true;
  });
}

async function withFixture(backend: 'sqlite' | 'postgres', run: (f: AccessFixture) => Promise<void>, policy = fixturePolicy()): Promise<void> {
  const fixture = await createAccessFixture(backend, policy);
  try {
    await run(fixture);
  } finally {
    await fixture.close();
  }
}

for (const backend of testBackends) {
  describe(`access lifecycle on ${backend}`, () => {
    test('the duration runs from approval, not from the request; the grant expires by itself', () => withFixture(backend, async (f) => {
      const { request } = await createRequest(f.deps, alice, ask());
      assert.equal(request.status, 'pending');
      f.deps.clock.advanceMs(30 * 60_000);
      const { grant } = await decideRequest(f.deps, bob, request.id, { verdict: 'approve', comment: 'ok', durationSeconds: undefined, startAtMs: undefined });
      assert.ok(grant !== undefined);
      assert.equal(grant.startsAtMs, T0 + 30 * 60_000);
      assert.equal(grant.endsAtMs, grant.startsAtMs + 2 * HOUR * 1000);
      assert.equal(grantState(grant, f.deps.clock.nowMs()), 'active');
      f.deps.clock.advanceMs(2 * HOUR * 1000);
      const run = await runDueWork(f.deps);
      assert.equal(run.endedGrants, 1);
      const ended = await f.deps.store.getGrant(grant.id);
      assert.equal(ended?.endReason, 'expired');
      assert.deepEqual(await f.eventTypes(), ['access.request.created', 'access.request.reviewed', 'access.request.approved', 'access.grant.created', 'access.grant.ended']);
    }));

    test('an approver may shorten the duration and move the start later; the grant waits for its start', () => withFixture(backend, async (f) => {
      const { request } = await createRequest(f.deps, alice, ask());
      const later = T0 + HOUR * 1000;
      const { grant } = await decideRequest(f.deps, bob, request.id, { verdict: 'approve', comment: undefined, durationSeconds: HOUR, startAtMs: later });
      assert.ok(grant !== undefined);
      assert.deepEqual([grant.startsAtMs, grant.endsAtMs], [later, later + HOUR * 1000]);
      assert.equal(grantState(grant, f.deps.clock.nowMs()), 'scheduled');
      f.deps.clock.advanceMs(HOUR * 1000);
      assert.equal((await runDueWork(f.deps)).startedGrants, 1);
      assert.ok((await f.eventTypes()).includes('access.grant.started'));
      await rejects(decideRequest(f.deps, bob, request.id, { verdict: 'approve', comment: undefined, durationSeconds: undefined, startAtMs: undefined }), 'conflict');
    }));

    test('an approver cannot lengthen; a denial needs a comment and denies', () => withFixture(backend, async (f) => {
      const { request } = await createRequest(f.deps, alice, ask());
      await rejects(decideRequest(f.deps, bob, request.id, { verdict: 'approve', comment: undefined, durationSeconds: 3 * HOUR, startAtMs: undefined }), 'invalid_input', /shorten/);
      await rejects(decideRequest(f.deps, bob, request.id, { verdict: 'deny', comment: undefined, durationSeconds: undefined, startAtMs: undefined }), 'invalid_input', /comment/);
      const denied = await decideRequest(f.deps, bob, request.id, { verdict: 'deny', comment: 'use the replica', durationSeconds: undefined, startAtMs: undefined });
      assert.equal(denied.request.status, 'denied');
      assert.equal(denied.grant, undefined);
    }));

    test('nobody approves their own request, admins included; the attempt is recorded as denied', () => withFixture(backend, async (f) => {
      const { request } = await createRequest(f.deps, root, ask());
      await rejects(decideRequest(f.deps, root, request.id, { verdict: 'approve', comment: undefined, durationSeconds: undefined, startAtMs: undefined }), 'forbidden', /self-approval/);
      await rejects(decideRequest(f.deps, carol, request.id, { verdict: 'approve', comment: undefined, durationSeconds: undefined, startAtMs: undefined }), 'forbidden');
      assert.equal((await f.deps.store.getRequest(request.id))?.status, 'pending');
      const types = await f.eventTypes();
      assert.deepEqual(types, ['access.request.created', 'access.request.reviewed', 'access.request.reviewed']);
    }));

    test('self-approval allowed by policy is flagged', () => withFixture(backend, async (f) => {
      const { request } = await createRequest(f.deps, root, ask());
      const { request: approved } = await decideRequest(f.deps, root, request.id, { verdict: 'approve', comment: undefined, durationSeconds: undefined, startAtMs: undefined });
      assert.equal(approved.status, 'approved');
      assert.equal(approved.decisions[0]?.selfApproval, true);
    }, fixturePolicy({ selfApproval: true })));

    test('two stages in order; each reviewer decides once', () => withFixture(backend, async (f) => {
      const { request } = await createRequest(f.deps, alice, ask());
      const first = await decideRequest(f.deps, bob, request.id, { verdict: 'approve', comment: undefined, durationSeconds: undefined, startAtMs: undefined });
      assert.equal(first.request.status, 'pending');
      await rejects(decideRequest(f.deps, bob, request.id, { verdict: 'approve', comment: undefined, durationSeconds: undefined, startAtMs: undefined }), 'forbidden');
      const reviewable = await f.deps.store.listRequests({ reviewableBy: { username: carol.username, groups: carol.groups }, limit: 10 });
      assert.deepEqual(reviewable.items.map((r) => r.id), [request.id]);
      const second = await decideRequest(f.deps, carol, request.id, { verdict: 'approve', comment: undefined, durationSeconds: undefined, startAtMs: undefined });
      assert.equal(second.request.status, 'approved');
    }, fixturePolicy({ stages: [{ name: 'leads', groups: ['leads'], users: [], count: 1 }, { name: 'security', groups: ['security'], users: [], count: 1 }] })));

    test('pending requests expire, also when the process was down at the time', () => withFixture(backend, async (f) => {
      const { request } = await createRequest(f.deps, alice, ask());
      f.deps.clock.advanceMs(5 * HOUR * 1000);
      await rejects(decideRequest(f.deps, bob, request.id, { verdict: 'approve', comment: undefined, durationSeconds: undefined, startAtMs: undefined }), 'conflict', /expired/);
      assert.equal((await runDueWork(f.deps)).expiredRequests, 1);
      assert.equal((await f.deps.store.getRequest(request.id))?.status, 'expired');
    }));

    test('the holder releases, an admin revokes with a reason, others cannot; revocation is immediate', () => withFixture(backend, async (f) => {
      const { request } = await createRequest(f.deps, alice, ask());
      const { grant } = await decideRequest(f.deps, bob, request.id, { verdict: 'approve', comment: undefined, durationSeconds: undefined, startAtMs: undefined });
      assert.ok(grant !== undefined);
      await rejects(endGrant(f.deps, carol, grant.id, 'no'), 'not_found');
      await rejects(endGrant(f.deps, root, grant.id, undefined), 'invalid_input', /reason/);
      const revoked = await endGrant(f.deps, root, grant.id, 'suspicious queries');
      assert.equal(revoked.endReason, 'revoked');
      assert.equal(grantState(revoked, f.deps.clock.nowMs()), 'ended');
      await rejects(endGrant(f.deps, alice, grant.id, undefined), 'conflict');
    }));

    test('an approved extension moves the end; cancelling withdraws a pending request', () => withFixture(backend, async (f) => {
      const { request } = await createRequest(f.deps, alice, ask());
      const { grant } = await decideRequest(f.deps, bob, request.id, { verdict: 'approve', comment: undefined, durationSeconds: undefined, startAtMs: undefined });
      assert.ok(grant !== undefined);
      const extension = await requestExtension(f.deps, alice, grant.id, { bySeconds: HOUR, reason: 'migration still running' });
      await decideRequest(f.deps, bob, extension.request.id, { verdict: 'approve', comment: undefined, durationSeconds: undefined, startAtMs: undefined });
      assert.equal((await f.deps.store.getGrant(grant.id))?.endsAtMs, grant.endsAtMs + HOUR * 1000);
      await rejects(requestExtension(f.deps, alice, grant.id, { bySeconds: 8 * HOUR, reason: 'more' }), 'forbidden', /longest/);
      const other = await createRequest(f.deps, alice, ask({ level: 'read-only' }));
      await rejects(cancelOwnRequest(f.deps, bob, other.request.id), 'not_found');
      assert.equal((await cancelOwnRequest(f.deps, alice, other.request.id)).status, 'cancelled');
    }));

    test('auto-approval and break-glass grant at once; break-glass is flagged and announced', () => withFixture(backend, async (f) => {
      const auto = await createRequest(f.deps, alice, ask({ level: 'read-only' }));
      assert.equal(auto.request.autoApprovedBy, 'fixture.auto');
      assert.equal(auto.grant?.startsAtMs, T0);
      const glass = await breakGlass(f.deps, alice, ask({ reason: 'prod down' }));
      assert.equal(glass.grant.breakGlass, true);
      assert.ok((await f.eventTypes()).includes('access.break_glass.used'));
    }, fixturePolicy({ autoApproveLevel: 'read-only', breakGlass: true })));

    test('a refused request is recorded and answered with the policy reason', () => withFixture(backend, async (f) => {
      await rejects(createRequest(f.deps, alice, ask({ durationSeconds: 24 * HOUR })), 'forbidden', /longest grant/);
      await rejects(breakGlass(f.deps, alice, ask()), 'forbidden', /break-glass/);
      assert.deepEqual(await f.eventTypes(), ['access.request.refused', 'access.request.refused']);
    }));

    test('when the ledger append fails inside a command, its state change is rolled back too', () => withFixture(backend, async (f) => {
      f.failNextAppend();
      await assert.rejects(createRequest(f.deps, alice, ask()), /injected ledger failure/);
      assert.equal((await f.deps.store.listRequests({ limit: 10 })).items.length, 0);
      const { request } = await createRequest(f.deps, alice, ask());
      f.failNextAppend();
      await assert.rejects(decideRequest(f.deps, bob, request.id, { verdict: 'approve', comment: undefined, durationSeconds: undefined, startAtMs: undefined }), /injected/);
      const after = await f.deps.store.getRequest(request.id);
      assert.deepEqual([after?.status, after?.decisions.length, after?.version], ['pending', 0, 1]);
      assert.equal((await f.deps.store.listGrants({ nowMs: f.deps.clock.nowMs(), limit: 10 })).items.length, 0);
    }));
  });
}
