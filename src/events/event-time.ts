// Event times: strict RFC 3339 in, one form out (UTC, milliseconds, `Z`), so equal instants are equal text.

export type TimeResult = { readonly ok: true; readonly time: string } | { readonly ok: false; readonly reason: string };

const CANONICAL = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z$/;
const RFC3339 = /^(\d{4})-(\d{2})-(\d{2})[Tt](\d{2}):(\d{2}):(\d{2})(?:\.(\d{1,9}))?(?:[Zz]|([+-])(\d{2}):(\d{2}))$/;
const MIN_MS = 0; // 1970-01-01T00:00:00.000Z
const MAX_MS = Date.UTC(9999, 11, 31, 23, 59, 59, 999);
const EXAMPLE = 'such as "2026-11-25T19:57:28.123Z"';

let lastMs = Number.NaN;
let lastText = '';

/**
 * The canonical text of a millisecond timestamp (remembered for the last one: events come in bursts).
 * @example formatEventTime(0) // '1970-01-01T00:00:00.000Z'
 */
export function formatEventTime(ms: number): string {
  if (ms !== lastMs) {
    lastText = new Date(ms).toISOString();
    lastMs = ms;
  }
  return lastText;
}

/**
 * Checks an RFC 3339 date-time strictly (real calendar dates, offsets at most ±23:59, no leap second)
 * and normalises it to UTC with exactly three fraction digits; digits past milliseconds are cut off.
 * @example normaliseEventTime('2026-11-25T20:57:28.1+01:00') // { ok: true, time: '2026-11-25T19:57:28.100Z' }
 */
export function normaliseEventTime(text: string): TimeResult {
  if (CANONICAL.test(text)) {
    const ms = Date.parse(text);
    if (ms >= MIN_MS && ms <= MAX_MS && formatEventTime(ms) === text) return { ok: true, time: text };
  }
  const match = RFC3339.exec(text);
  if (match === null) return { ok: false, reason: `expected an RFC 3339 date-time in UTC ${EXAMPLE}` };
  const [year, month, day, hour, minute, second] = match.slice(1, 7).map(Number) as [number, number, number, number, number, number];
  const fraction = match[7] ?? '';
  if (month < 1 || month > 12 || day < 1 || day > daysInMonth(year, month)) return { ok: false, reason: `no such date: ${text.slice(0, 10)}` };
  if (hour > 23 || minute > 59) return { ok: false, reason: `no such time of day: ${text.slice(11, 16)}` };
  if (second > 59) return { ok: false, reason: 'seconds run from 00 to 59 (leap seconds are not accepted)' };
  const offset = offsetMinutes(match[8], match[9], match[10]);
  if (offset === undefined) return { ok: false, reason: 'the UTC offset must be between -23:59 and +23:59' };
  const millis = Number(fraction.padEnd(3, '0').slice(0, 3));
  const ms = utcMs(year, month, day, hour, minute, second, millis) - offset * 60_000;
  if (ms < MIN_MS || ms > MAX_MS) return { ok: false, reason: 'the time must fall between 1970 and 9999' };
  return { ok: true, time: formatEventTime(ms) };
}

function offsetMinutes(sign: string | undefined, hours: string | undefined, minutes: string | undefined): number | undefined {
  if (sign === undefined) return 0;
  const h = Number(hours);
  const m = Number(minutes);
  if (h > 23 || m > 59) return undefined;
  return (sign === '-' ? -1 : 1) * (h * 60 + m);
}

function daysInMonth(year: number, month: number): number {
  if (month === 2) return (year % 4 === 0 && year % 100 !== 0) || year % 400 === 0 ? 29 : 28;
  return [4, 6, 9, 11].includes(month) ? 30 : 31;
}

function utcMs(year: number, month: number, day: number, hour: number, minute: number, second: number, millis: number): number {
  const date = new Date(Date.UTC(2000, month - 1, day, hour, minute, second, millis));
  date.setUTCFullYear(year); // Date.UTC reads years 0–99 as 1900–1999
  return date.getTime();
}
