// Times typed on the command line: an RFC 3339 date-time, `now`, or a time from now such as `+30m` (or `-1h` for the past).
import { AppError } from '../../shared/app-error.ts';
import { parseDuration } from './duration-input.ts';

const RFC3339 = /^\d{4}-\d{2}-\d{2}[Tt ]\d{2}:\d{2}(?::\d{2}(?:\.\d{1,9})?)?(?:[Zz]|[+-]\d{2}:\d{2})$/;
const LOCAL_DATE_TIME = /^\d{4}-\d{2}-\d{2}(?:[Tt ]\d{2}:\d{2}(?::\d{2}(?:\.\d{1,9})?)?)?$/;

/** V8 rolls 2026-02-30 over to March; a typo should be an error instead. */
function isCalendarDate(text: string): boolean {
  const [year = 0, month = 0, day = 0] = text.slice(0, 10).split('-').map(Number);
  const date = new Date(Date.UTC(year, month - 1, day));
  return date.getUTCMonth() === month - 1 && date.getUTCDate() === day;
}

function notATime(text: string, option: string, hint: string): AppError {
  return new AppError('invalid_input', `${option} "${text.slice(0, 60)}" is not a time: ${hint}`);
}

/**
 * Parses a time and answers it as RFC 3339 in UTC.
 * @example parseTimeInput('+30m', '--start', Date.parse('2026-11-25T14:00:00Z')) // '2026-11-25T14:30:00.000Z'
 */
export function parseTimeInput(text: string, option: string, nowMs: number): string {
  const trimmed = text.trim();
  if (trimmed.toLowerCase() === 'now') return new Date(nowMs).toISOString();
  const sign = trimmed[0];
  if (sign === '+' || sign === '-') {
    const seconds = parseDuration(trimmed.slice(1), option);
    return new Date(nowMs + (sign === '+' ? 1 : -1) * seconds * 1000).toISOString();
  }
  if (LOCAL_DATE_TIME.test(trimmed)) {
    throw notATime(text, option, `add a time zone, such as ${trimmed.length === 10 ? `${trimmed}T09:00:00Z` : `${trimmed}Z`} or +02:00 at the end`);
  }
  const ms = RFC3339.test(trimmed) && isCalendarDate(trimmed) ? Date.parse(trimmed.replace(' ', 'T')) : Number.NaN;
  if (Number.isNaN(ms)) {
    throw notATime(text, option, 'give an RFC 3339 date-time such as 2026-11-25T14:00:00Z, or a time from now such as +30m');
  }
  return new Date(ms).toISOString();
}
