import assert from 'node:assert/strict';
import { test } from 'node:test';
import { isAppError } from '../../shared/app-error.ts';
import { parseTimeInput } from './time-input.ts';

const now = Date.parse('2026-11-25T14:00:00Z');

test('reads RFC 3339 with Z or an offset, answered in UTC', () => {
  assert.equal(parseTimeInput('2026-11-25T16:30:00Z', '--start', now), '2026-11-25T16:30:00.000Z');
  assert.equal(parseTimeInput('2026-11-25T16:30:00+01:00', '--start', now), '2026-11-25T15:30:00.000Z');
  assert.equal(parseTimeInput('2026-11-25 16:30Z', '--start', now), '2026-11-25T16:30:00.000Z');
});

test('reads times relative to now, and now itself', () => {
  assert.equal(parseTimeInput('+30m', '--start', now), '2026-11-25T14:30:00.000Z');
  assert.equal(parseTimeInput('-1h', '--from', now), '2026-11-25T13:00:00.000Z');
  assert.equal(parseTimeInput('now', '--to', now), '2026-11-25T14:00:00.000Z');
});

test('asks for a time zone rather than guessing one', () => {
  assert.throws(() => parseTimeInput('2026-11-25T16:30', '--start', now), /add a time zone, such as 2026-11-25T16:30Z/);
  assert.throws(() => parseTimeInput('2026-11-25', '--start', now), /2026-11-25T09:00:00Z/);
});

test('refuses impossible dates and other text', () => {
  for (const bad of ['2026-02-30T10:00:00Z', '2026-13-01T00:00:00Z', 'tomorrow', '+soon', '']) {
    assert.throws(() => parseTimeInput(bad, '--start', now), (error: unknown) => isAppError(error, 'invalid_input') && error.message.startsWith('--start'), bad);
  }
});
