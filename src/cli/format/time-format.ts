// Times for people: RFC 3339 to the second in UTC, and relative to now (`in 1h 20m`, `5m ago`).
import { formatDuration } from './duration-format.ts';

/**
 * A time to the second, in UTC: readable, sortable and exact enough to paste into --start.
 * @example formatTime('2026-11-25T14:00:00.000Z') // '2026-11-25T14:00:00Z'
 */
export function formatTime(iso: string): string {
  const ms = Date.parse(iso);
  return Number.isNaN(ms) ? iso : new Date(ms).toISOString().replace(/\.\d{3}Z$/, 'Z');
}

/**
 * How far a time is from now.
 * @example formatRelative('2026-11-25T15:20:00Z', Date.parse('2026-11-25T14:00:00Z')) // 'in 1h 20m'
 */
export function formatRelative(iso: string, nowMs: number): string {
  const ms = Date.parse(iso);
  if (Number.isNaN(ms)) return iso;
  const seconds = Math.round((ms - nowMs) / 1000);
  if (Math.abs(seconds) < 1) return 'now';
  return seconds > 0 ? `in ${formatDuration(seconds)}` : `${formatDuration(-seconds)} ago`;
}

/**
 * The exact time and how far it is.
 * @example formatWhen('2026-11-25T15:20:00Z', Date.parse('2026-11-25T14:00:00Z')) // '2026-11-25T15:20:00Z (in 1h 20m)'
 */
export function formatWhen(iso: string, nowMs: number): string {
  return `${formatTime(iso)} (${formatRelative(iso, nowMs)})`;
}
