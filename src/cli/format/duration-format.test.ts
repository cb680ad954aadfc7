import assert from 'node:assert/strict';
import { test } from 'node:test';
import { formatDuration } from './duration-format.ts';

test('shows the two largest units, rounding down', () => {
  assert.equal(formatDuration(4800), '1h 20m');
  assert.equal(formatDuration(7200), '2h');
  assert.equal(formatDuration(86_400 * 2 + 3 * 3600 + 59), '2d 3h');
  assert.equal(formatDuration(90), '1m 30s');
  assert.equal(formatDuration(45.9), '45s');
  assert.equal(formatDuration(0), '0s');
  assert.equal(formatDuration(-5), '0s');
});

test('does not skip a zero middle unit into a smaller one', () => {
  assert.equal(formatDuration(86_400 + 30), '1d');
});
