// Tests for policy durations: reading, writing and their round trip.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import fc from 'fast-check';
import { formatDuration, parseDuration } from './policy-duration.ts';

test('durations read in seconds', () => {
  assert.equal(parseDuration('30m'), 1800);
  assert.equal(parseDuration('2h'), 7200);
  assert.equal(parseDuration('1d'), 86_400);
  assert.equal(parseDuration('1h30m'), 5400);
  assert.equal(parseDuration('45s'), 45);
});

test('anything else is not a duration', () => {
  for (const text of ['', '0m', '2', 'h', '1m2h', '1h 30m', '-1h', '1.5h', '2H', '1w', '99999999d']) {
    assert.equal(parseDuration(text), undefined, text);
  }
});

test('formatDuration writes the shortest text and round-trips', () => {
  assert.equal(formatDuration(5400), '1h30m');
  assert.equal(formatDuration(86_400 + 60), '1d1m');
  fc.assert(
    fc.property(fc.integer({ min: 1, max: 31 * 86_400 }), (seconds) => {
      assert.equal(parseDuration(formatDuration(seconds)), seconds);
    }),
  );
});
