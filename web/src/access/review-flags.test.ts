// Flags a reviewer sees: break-glass, outside working hours (reviewer's time), first request for the resource, extension.
import { expect, test } from 'vitest';
import { isOutsideWorkingHours, reviewFlags } from './review-flags.ts';

const weekdayNoon = new Date(2026, 10, 25, 12, 0).toISOString();
const saturday = new Date(2026, 10, 28, 12, 0).toISOString();
const lateEvening = new Date(2026, 10, 25, 19, 30).toISOString();

test('working hours are Monday to Friday, 08:00 to 19:00 local time', () => {
  expect(isOutsideWorkingHours(new Date(weekdayNoon))).toBe(false);
  expect(isOutsideWorkingHours(new Date(saturday))).toBe(true);
  expect(isOutsideWorkingHours(new Date(lateEvening))).toBe(true);
  expect(isOutsideWorkingHours(new Date(2026, 10, 25, 7, 59))).toBe(true);
  expect(isOutsideWorkingHours(new Date(2026, 10, 25, 8, 0))).toBe(false);
});

test('an ordinary request has no flags; each reason adds one', () => {
  expect(reviewFlags({ breakGlass: false, createdAt: weekdayNoon, kind: 'access', firstForResource: false })).toEqual([]);
  const labels = reviewFlags({ breakGlass: true, createdAt: saturday, kind: 'extension', firstForResource: true }).map((f) => f.label);
  expect(labels).toEqual(['break-glass', 'outside working hours', 'first request for this resource', 'extension']);
});
