// Durations and time left in words people read at a glance ("2 h 05 min", "45 s", "ended").

/** @example formatDuration(5400) // "1 h 30 min" */
export function formatDuration(seconds: number): string {
  const s = Math.max(0, Math.floor(seconds));
  if (s < 60) return `${s} s`;
  const days = Math.floor(s / 86_400);
  const hours = Math.floor((s % 86_400) / 3600);
  const minutes = Math.floor((s % 3600) / 60);
  if (days > 0) return hours === 0 ? `${days} d` : `${days} d ${hours} h`;
  if (hours > 0) return minutes === 0 ? `${hours} h` : `${hours} h ${String(minutes).padStart(2, '0')} min`;
  return `${minutes} min`;
}

/** @example formatTimeLeft(0) // "ended"; formatTimeLeft(59) // "59 s left" */
export function formatTimeLeft(secondsLeft: number): string {
  return secondsLeft <= 0 ? 'ended' : `${formatDuration(secondsLeft)} left`;
}

/**
 * Seconds left now, from the server's `secondsLeft` when the answer arrived: immune to a wrong clock in the browser.
 * @example secondsLeftNow(600, fetchedAtMs, fetchedAtMs + 61_000) // 539
 */
export function secondsLeftNow(secondsLeftAtFetch: number, fetchedAtMs: number, nowMs: number): number {
  return Math.max(0, secondsLeftAtFetch - Math.floor(Math.max(0, nowMs - fetchedAtMs) / 1000));
}

/** A date-time as the reader's locale shows it, or "now" for none. */
export function formatWhen(iso: string | null | undefined): string {
  if (iso === null || iso === undefined) return 'now';
  const date = new Date(iso);
  return Number.isNaN(date.getTime()) ? iso : date.toLocaleString(undefined, { dateStyle: 'medium', timeStyle: 'short' });
}
