// Retention rules and the removal decision: strict validation with clear errors, first matching prefix wins, holds keep entries.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { loadConfig } from '../config/load-config.ts';
import { isAppError } from '../shared/app-error.ts';
import type { LegalHold } from './legal-holds.ts';
import { decideRemoval, indexRanges, type RetentionCandidate } from './retention-decision.ts';
import { cutoffTime, keepDaysFor, keepsEverything, latestCutoff, retentionSettingsSchema } from './retention-rules.ts';

const DAY_MS = 86_400_000;
const NOW = Date.UTC(2026, 10, 26, 12, 0, 0);

function configError(retention: unknown): string {
  try {
    loadConfig({}, { WRIT_RETENTION: typeof retention === 'string' ? retention : JSON.stringify(retention) }, undefined);
  } catch (error) {
    assert.ok(isAppError(error, 'config_invalid'));
    return error.message;
  }
  assert.fail('the configuration was accepted');
}

test('nothing configured keeps everything forever', () => {
  const config = loadConfig({}, {}, undefined);
  assert.deepEqual(config.retention.rules, []);
  assert.equal(config.retention.defaultKeepDays, 'forever');
  assert.equal(keepsEverything(config.retention), true);
  assert.equal(latestCutoff(config.retention, NOW), undefined);
});

test('the retention section is validated strictly and each error names the setting and what to fix', () => {
  assert.match(configError('{rules:'), /retention \(WRIT_RETENTION\): expected JSON/);
  assert.match(configError({ rules: [{ typePrefix: 'gateway.', keepDays: 0 }] }), /retention\.rules\.0\.keepDays.*1 to 36500, or "forever"/);
  assert.match(configError({ rules: [{ typePrefix: 'gateway.', keepDays: 'a year' }] }), /keepDays/);
  assert.match(configError({ rules: [{ typePrefix: 'Gateway*', keepDays: 10 }] }), /retention\.rules\.0\.typePrefix: expected an event type prefix/);
  assert.match(configError({ rules: [{ typePrefix: 'gateway.', keepDays: 10, extra: 1 }] }), /retention\.rules\.0: unknown setting "extra"/);
  assert.match(configError({ defaultKeepDays: 10, keep: true }), /retention \(WRIT_RETENTION\): unknown setting "keep"/);
  assert.match(
    configError({ rules: [{ typePrefix: 'gateway.', keepDays: 400 }, { typePrefix: 'gateway.session.', keepDays: 30 }] }),
    /rule 2 \("gateway\.session\."\) never applies: rule 1 \("gateway\."\) comes first/,
  );
  assert.match(configError({ rules: Array.from({ length: 65 }, (_, i) => ({ typePrefix: `app.t${i}.`, keepDays: 1 })) }), /at most 64 rules/);
  assert.match(configError({ runEveryHours: 0 }), /runEveryHours/);
});

test('the first rule whose prefix matches decides; the default covers the rest; retention records are kept forever', () => {
  const settings = retentionSettingsSchema.parse({
    rules: [
      { typePrefix: 'gateway.session.', keepDays: 30 },
      { typePrefix: 'gateway.', keepDays: 400 },
      { typePrefix: 'ledger.', keepDays: 'forever' },
    ],
    defaultKeepDays: 2557,
  });
  assert.equal(keepDaysFor(settings, 'gateway.session.started'), 30);
  assert.equal(keepDaysFor(settings, 'gateway.statement.executed'), 400);
  assert.equal(keepDaysFor(settings, 'access.request.created'), 2557);
  assert.equal(keepDaysFor(settings, 'ledger.subject.erased'), 'forever');
  const everything = retentionSettingsSchema.parse({ defaultKeepDays: 1 });
  assert.equal(keepDaysFor(everything, 'ledger.retention.ran'), 'forever');
  assert.equal(keepDaysFor(everything, 'ledger.hold.placed'), 'forever');
  assert.equal(keepDaysFor(everything, 'ledger.hold.released'), 'forever');
  assert.equal(latestCutoff(settings, NOW), cutoffTime(30, NOW));
  assert.equal(cutoffTime(400, Date.UTC(2026, 0, 1)), '2024-11-27T00:00:00.000Z');
});

function candidate(index: number, type: string, ageDays: number, more: Partial<RetentionCandidate> = {}): RetentionCandidate {
  return { index, eventId: `e${index}`, type, time: new Date(NOW - ageDays * DAY_MS).toISOString(), actorId: 'u-any', targets: [], ...more };
}

function hold(scope: LegalHold['scope'], released = false): LegalHold {
  return { id: `h-${scope.kind}`, scope, reason: 'r', placedBy: 'admin', placedAtMs: NOW, released: released ? { by: 'admin', atMs: NOW, reason: 'done' } : undefined };
}

test('the decision removes what is past its period and held by no active hold', () => {
  const settings = retentionSettingsSchema.parse({ rules: [{ typePrefix: 'gateway.', keepDays: 400 }], defaultKeepDays: 2557 });
  const candidates = [
    candidate(0, 'gateway.session.started', 401),
    candidate(1, 'gateway.session.started', 399),
    candidate(2, 'access.request.created', 401),
    candidate(3, 'access.request.created', 2558),
    candidate(4, 'gateway.session.started', 500, { actorId: 'u-held' }),
    candidate(5, 'gateway.session.started', 500, { targets: [{ kind: 'user', id: 'u-held' }] }),
    candidate(6, 'gateway.session.started', 500, { targets: [{ kind: 'resource', id: 'db-held' }] }),
    candidate(7, 'gateway.session.started', 450),
    candidate(8, 'gateway.session.started', 500, { targets: [{ kind: 'resource', id: 'db-other' }] }),
    candidate(9, 'gateway.session.started', 600, { actorId: 'u-released' }),
  ];
  const holds = [
    hold({ kind: 'subject', subjectId: 'u-held' }),
    hold({ kind: 'resource', resourceId: 'db-held' }),
    hold({ kind: 'time', from: new Date(NOW - 451 * DAY_MS).toISOString(), to: new Date(NOW - 449 * DAY_MS).toISOString() }),
    { ...hold({ kind: 'subject', subjectId: 'u-released' }, true), id: 'h-released' },
  ];
  const decision = decideRemoval(candidates, settings, holds, NOW);
  assert.deepEqual(decision.remove.map((c) => c.index), [0, 3, 8, 9]);
  assert.equal(decision.heldCount, 4);
  assert.deepEqual(decideRemoval(candidates, settings, [], NOW).remove.map((c) => c.index), [0, 3, 4, 5, 6, 7, 8, 9]);
});

test('index ranges', () => {
  assert.deepEqual(indexRanges([]), []);
  assert.deepEqual(indexRanges([3, 4, 5, 9, 11, 12]), [[3, 5], [9, 9], [11, 12]]);
});
