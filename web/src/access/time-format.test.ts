// Time left and durations, as the Home and Grants pages show them.
import { describe, expect, test } from 'vitest';
import { formatDuration, formatTimeLeft, secondsLeftNow } from './time-format.ts';

describe('formatDuration', () => {
  test.each([
    [0, '0 s'],
    [59, '59 s'],
    [60, '1 min'],
    [3600, '1 h'],
    [5400, '1 h 30 min'],
    [7500, '2 h 05 min'],
    [86_400, '1 d'],
    [90_000, '1 d 1 h'],
  ])('%i s is "%s"', (seconds, text) => {
    expect(formatDuration(seconds)).toBe(text);
  });
});

describe('time left', () => {
  test('counts down from what the server said, whatever the browser clock says', () => {
    const fetchedAtMs = 1_000_000;
    expect(secondsLeftNow(600, fetchedAtMs, fetchedAtMs)).toBe(600);
    expect(secondsLeftNow(600, fetchedAtMs, fetchedAtMs + 61_500)).toBe(539);
    expect(secondsLeftNow(600, fetchedAtMs, fetchedAtMs + 3_600_000)).toBe(0);
    expect(secondsLeftNow(600, fetchedAtMs, fetchedAtMs - 5000)).toBe(600);
  });
  test('says "ended" at zero', () => {
    expect(formatTimeLeft(0)).toBe('ended');
    expect(formatTimeLeft(4000)).toBe('1 h 06 min left');
  });
});
