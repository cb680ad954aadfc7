// Working hours in a time zone: is a moment inside them? Computed with Intl so DST and offsets follow the zone's rules.

export const weekdays = ['mon', 'tue', 'wed', 'thu', 'fri', 'sat', 'sun'] as const;
export type Weekday = (typeof weekdays)[number];

export interface WorkingHours {
  readonly days: readonly Weekday[];
  /** `HH:MM`, inclusive. */
  readonly from: string;
  /** `HH:MM` (or `24:00`), exclusive. */
  readonly to: string;
  /** An IANA time zone such as `Europe/Berlin`. */
  readonly timeZone: string;
}

const formatters = new Map<string, Intl.DateTimeFormat>();

/** One formatter per zone: creating one costs far more than using it. */
function formatterFor(timeZone: string): Intl.DateTimeFormat {
  let formatter = formatters.get(timeZone);
  if (formatter === undefined) {
    formatter = new Intl.DateTimeFormat('en-US', { timeZone, weekday: 'short', hour: '2-digit', minute: '2-digit', hourCycle: 'h23' });
    if (formatters.size < 256) formatters.set(timeZone, formatter);
  }
  return formatter;
}

/**
 * True for a time zone this runtime knows (IANA names such as `Europe/Berlin`, or `UTC`).
 * @example isKnownTimeZone('Europe/Berlin') // true
 */
export function isKnownTimeZone(timeZone: string): boolean {
  try {
    formatterFor(timeZone);
    return true;
  } catch {
    return false;
  }
}

/**
 * Minutes since midnight of `HH:MM` (00:00 to 24:00), or undefined.
 * @example minutesOfDay('09:30') // 570
 */
export function minutesOfDay(clock: string): number | undefined {
  const match = /^([01]\d|2[0-4]):([0-5]\d)$/.exec(clock);
  if (match === null) return undefined;
  const minutes = Number(match[1]) * 60 + Number(match[2]);
  return minutes <= 24 * 60 ? minutes : undefined;
}

/**
 * The weekday and minute of the day at `atMs` on the wall clocks of `timeZone`.
 * @example localTime(Date.UTC(2025, 0, 6, 8, 0), 'Europe/Berlin') // { day: 'mon', minutes: 540 }
 */
export function localTime(atMs: number, timeZone: string): { day: Weekday; minutes: number } {
  const parts = formatterFor(timeZone).formatToParts(atMs);
  const part = (type: Intl.DateTimeFormatPartTypes): string => parts.find((entry) => entry.type === type)?.value ?? '';
  const day = part('weekday').toLowerCase().slice(0, 3) as Weekday;
  return { day, minutes: Number(part('hour')) * 60 + Number(part('minute')) };
}

/**
 * True when `atMs` falls on one of the days, at or after `from` and before `to`, in the zone's local time.
 * @example isWithinWorkingHours(Date.UTC(2025, 0, 6, 8, 0), { days: ['mon'], from: '09:00', to: '18:00', timeZone: 'Europe/Berlin' }) // true
 */
export function isWithinWorkingHours(atMs: number, hours: WorkingHours): boolean {
  const { day, minutes } = localTime(atMs, hours.timeZone);
  const from = minutesOfDay(hours.from) ?? 0;
  const to = minutesOfDay(hours.to) ?? 0;
  return hours.days.includes(day) && minutes >= from && minutes < to;
}
