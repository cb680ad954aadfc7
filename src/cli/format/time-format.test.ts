import assert from 'node:assert/strict';
import { test } from 'node:test';
import { formatRelative, formatTime, formatWhen } from './time-format.ts';

const now = Date.parse('2026-11-25T14:00:00Z');

test('formats times to the second in UTC', () => {
  assert.equal(formatTime('2026-11-25T15:20:00.123Z'), '2026-11-25T15:20:00Z');
  assert.equal(formatTime('2026-11-25T16:20:00+01:00'), '2026-11-25T15:20:00Z');
  assert.equal(formatTime('not a time'), 'not a time');
});

test('says how far a time is from now', () => {
  assert.equal(formatRelative('2026-11-25T15:20:00Z', now), 'in 1h 20m');
  assert.equal(formatRelative('2026-11-25T13:55:00Z', now), '5m ago');
  assert.equal(formatRelative('2026-11-25T14:00:00.200Z', now), 'now');
  assert.equal(formatWhen('2026-11-27T14:00:00Z', now), '2026-11-27T14:00:00Z (in 2d)');
});
