// Property tests of the request state machine: any sequence of reviews keeps the workflow's promises.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import fc from 'fast-check';
import { isAppError } from '../shared/app-error.ts';
import type { AccessRequest, RequestId } from './access-types.ts';
import { approvalsPerStage, cancelRequest, currentStage, expireRequest, reviewRequest, type Review } from './request-workflow.ts';

const NOW = 1_800_000_000_000;

function request(stageCounts: number[], onDenial: 'deny' | 'ignore', durationSeconds: number): AccessRequest {
  return {
    id: 'r1' as RequestId,
    subject: { kind: 'access' },
    requesterId: 'alice',
    requesterName: 'alice',
    resourceId: 'pg',
    level: 'read-only',
    durationSeconds,
    reason: 'why',
    ticket: undefined,
    startAtMs: undefined,
    breakGlass: false,
    autoApprovedBy: undefined,
    workflow: { policy: 'p', stages: stageCounts.map((count, i) => ({ name: `s${i}`, groups: [], users: [], count })), onDenial, selfApproval: false, maxDurationSeconds: 86_400 },
    status: 'pending',
    decisions: [],
    createdAtMs: NOW,
    expiresAtMs: NOW + 3_600_000,
    decidedAtMs: undefined,
    grantId: undefined,
    version: 1,
  };
}

const reviewArb = fc.record({
  reviewer: fc.integer({ min: 0, max: 6 }),
  verdict: fc.constantFrom('approve' as const, 'deny' as const),
  shorten: fc.option(fc.integer({ min: 1, max: 20_000 }), { nil: undefined }),
  delayMs: fc.option(fc.integer({ min: 0, max: 7_200_000 }), { nil: undefined }),
  elapsedMs: fc.integer({ min: 0, max: 600_000 }),
});

test('any sequence of reviews: approved exactly when every stage has its count, never longer than asked, never before approval', () => {
  fc.assert(
    fc.property(
      fc.array(fc.integer({ min: 1, max: 3 }), { minLength: 1, maxLength: 3 }),
      fc.constantFrom('deny' as const, 'ignore' as const),
      fc.integer({ min: 60, max: 14_400 }),
      fc.array(reviewArb, { maxLength: 12 }),
      (counts, onDenial, durationSeconds, reviews) => {
        let current = request(counts, onDenial, durationSeconds);
        let now = NOW;
        for (const r of reviews) {
          now += r.elapsedMs;
          const review: Review = {
            reviewerId: `rev${r.reviewer}`,
            reviewerName: `rev${r.reviewer}`,
            verdict: r.verdict,
            comment: 'because',
            durationSeconds: r.verdict === 'approve' ? r.shorten : undefined,
            startAtMs: r.verdict === 'approve' && r.delayMs !== undefined ? now + r.delayMs : undefined,
            selfApproval: false,
          };
          const before = current;
          let outcome;
          try {
            outcome = reviewRequest(current, review, now);
          } catch (error) {
            assert.ok(isAppError(error), String(error));
            assert.deepEqual(current, before, 'a refused review changes nothing');
            continue;
          }
          current = outcome.request;
          assert.equal(current.version, before.version + 1);
          assert.equal(new Set(current.decisions.map((d) => d.reviewerId)).size, current.decisions.length, 'each reviewer decides once');
          if (outcome.kind === 'approved') {
            assert.equal(currentStage(current), undefined);
            for (const [i, n] of approvalsPerStage(current).entries()) assert.ok(n >= (counts[i] ?? 0));
            assert.ok(outcome.durationSeconds <= durationSeconds);
            assert.ok(outcome.window.startsAtMs >= now);
            assert.equal(outcome.window.endsAtMs - outcome.window.startsAtMs, outcome.durationSeconds * 1000);
          }
          if (outcome.kind === 'denied') assert.equal(onDenial, 'deny');
          if (current.status !== 'pending') break;
        }
        if (current.status === 'pending') assert.notEqual(currentStage(current), undefined);
      },
    ),
    { numRuns: 500 },
  );
});

test('only a pending, unexpired request changes; only its requester cancels it', () => {
  const pending = request([1], 'deny', 3600);
  assert.equal(expireRequest(pending, pending.expiresAtMs - 1), undefined);
  const expired = expireRequest(pending, pending.expiresAtMs);
  assert.ok(expired !== undefined);
  assert.equal(expired.status, 'expired');
  assert.throws(() => cancelRequest(pending, 'bob', NOW), (e: unknown) => isAppError(e, 'forbidden'));
  const cancelled = cancelRequest(pending, 'alice', NOW);
  assert.equal(cancelled.status, 'cancelled');
  for (const done of [cancelled, expired]) {
    assert.throws(() => cancelRequest(done, 'alice', NOW), (e: unknown) => isAppError(e, 'conflict'));
    assert.equal(expireRequest(done, NOW + 10 ** 9), undefined);
  }
  assert.throws(
    () => reviewRequest(pending, { reviewerId: 'b', reviewerName: 'b', verdict: 'approve', comment: undefined, durationSeconds: undefined, startAtMs: undefined, selfApproval: false }, pending.expiresAtMs),
    (e: unknown) => isAppError(e, 'conflict') && /expired/.test(e.message),
  );
});
