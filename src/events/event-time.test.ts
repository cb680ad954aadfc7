import assert from 'node:assert/strict';
import { test } from 'node:test';
import { formatEventTime, normaliseEventTime } from './event-time.ts';

test('RFC 3339 times are normalised to UTC with milliseconds', () => {
  const cases: [string, string][] = [
    ['2026-11-25T19:57:28.123Z', '2026-11-25T19:57:28.123Z'],
    ['2026-11-25T19:57:28Z', '2026-11-25T19:57:28.000Z'],
    ['2026-11-25t19:57:28.5z', '2026-11-25T19:57:28.500Z'],
    ['2026-11-25T19:57:28.123456789Z', '2026-11-25T19:57:28.123Z'],
    ['2026-11-25T20:57:28.123+01:00', '2026-11-25T19:57:28.123Z'],
    ['2026-11-25T00:30:00-05:30', '2026-11-25T06:00:00.000Z'],
    ['2028-02-29T23:59:59.999+00:00', '2028-02-29T23:59:59.999Z'],
    ['1970-01-01T01:00:00+01:00', '1970-01-01T00:00:00.000Z'],
  ];
  for (const [input, expected] of cases) assert.deepEqual(normaliseEventTime(input), { ok: true, time: expected }, input);
});

test('anything else is refused with a reason', () => {
  const cases: [string, RegExp][] = [
    ['2026-11-25 19:57:28Z', /RFC 3339/],
    ['2026-11-25T19:57:28', /RFC 3339/],
    ['2026-11-25', /RFC 3339/],
    ['1764100648123', /RFC 3339/],
    ['2026-11-25T19:57:28.Z', /RFC 3339/],
    ['+02026-11-25T19:57:28Z', /RFC 3339/],
    ['2026-02-29T00:00:00Z', /no such date: 2026-02-29/],
    ['2026-13-01T00:00:00Z', /no such date/],
    ['2026-04-31T00:00:00Z', /no such date/],
    ['2026-11-25T24:00:00Z', /no such time of day/],
    ['2026-11-25T23:60:00Z', /no such time of day/],
    ['2026-12-31T23:59:60Z', /leap seconds/],
    ['2026-11-25T19:57:28+24:00', /UTC offset/],
    ['1969-12-31T23:59:59.999Z', /between 1970 and 9999/],
    ['9999-12-31T23:59:59-01:00', /between 1970 and 9999/],
  ];
  for (const [input, reason] of cases) {
    const result = normaliseEventTime(input);
    assert.ok(!result.ok && reason.test(result.reason), `${input}: ${JSON.stringify(result)}`);
  }
});

test('formatEventTime gives the same text for the same instant', () => {
  assert.equal(formatEventTime(0), '1970-01-01T00:00:00.000Z');
  assert.equal(formatEventTime(Date.UTC(2026, 10, 25, 19, 57, 28, 123)), '2026-11-25T19:57:28.123Z');
  assert.equal(formatEventTime(Date.UTC(2026, 10, 25, 19, 57, 28, 123)), '2026-11-25T19:57:28.123Z');
});
