// Tests for working hours: local time in a zone, across offsets and daylight saving time.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { isKnownTimeZone, isWithinWorkingHours, localTime, type WorkingHours } from './policy-working-hours.ts';

const berlin: WorkingHours = { days: ['mon', 'tue', 'wed', 'thu', 'fri'], from: '09:00', to: '18:00', timeZone: 'Europe/Berlin' };

test('winter: Berlin is UTC+1', () => {
  // Monday 6 January 2025
  assert.equal(isWithinWorkingHours(Date.UTC(2025, 0, 6, 7, 59), berlin), false); // 08:59 local
  assert.equal(isWithinWorkingHours(Date.UTC(2025, 0, 6, 8, 0), berlin), true); // 09:00 local
  assert.equal(isWithinWorkingHours(Date.UTC(2025, 0, 6, 16, 59), berlin), true); // 17:59 local
  assert.equal(isWithinWorkingHours(Date.UTC(2025, 0, 6, 17, 0), berlin), false); // 18:00 local, exclusive
});

test('summer: Berlin is UTC+2, so the same UTC time is an hour later locally', () => {
  // Monday 7 July 2025
  assert.equal(isWithinWorkingHours(Date.UTC(2025, 6, 7, 7, 0), berlin), true); // 09:00 local
  assert.equal(isWithinWorkingHours(Date.UTC(2025, 6, 7, 16, 0), berlin), false); // 18:00 local
});

test('the DST change: Sunday 30 March 2025 jumps 02:00 → 03:00; Monday 31 March is UTC+2', () => {
  assert.deepEqual(localTime(Date.UTC(2025, 2, 30, 0, 59), 'Europe/Berlin'), { day: 'sun', minutes: 119 });
  assert.deepEqual(localTime(Date.UTC(2025, 2, 30, 1, 0), 'Europe/Berlin'), { day: 'sun', minutes: 180 });
  assert.equal(isWithinWorkingHours(Date.UTC(2025, 2, 28, 7, 30), berlin), false); // Friday, 08:30 local (UTC+1)
  assert.equal(isWithinWorkingHours(Date.UTC(2025, 2, 31, 7, 30), berlin), true); // Monday, 09:30 local (UTC+2)
});

test('the day is the local day: late Friday in New York is Saturday in UTC', () => {
  const newYork: WorkingHours = { days: ['fri'], from: '18:00', to: '24:00', timeZone: 'America/New_York' };
  const fridayEvening = Date.UTC(2025, 0, 11, 2, 0); // Saturday 02:00 UTC = Friday 21:00 EST
  assert.deepEqual(localTime(fridayEvening, 'America/New_York'), { day: 'fri', minutes: 21 * 60 });
  assert.equal(isWithinWorkingHours(fridayEvening, newYork), true);
});

test('weekends are outside weekday hours', () => {
  assert.equal(isWithinWorkingHours(Date.UTC(2025, 0, 4, 10, 0), berlin), false); // Saturday
});

test('time zones are checked by name', () => {
  assert.equal(isKnownTimeZone('Europe/Berlin'), true);
  assert.equal(isKnownTimeZone('UTC'), true);
  assert.equal(isKnownTimeZone('Europe/Berlinn'), false);
  assert.equal(isKnownTimeZone(''), false);
});
