// Durations as policy files write them (`30m`, `2h`, `1d`, `1h30m`) and their length in seconds.

const DURATION_PATTERN = /^(?:(\d{1,4})d)?(?:(\d{1,5})h)?(?:(\d{1,6})m)?(?:(\d{1,7})s)?$/;

/** The longest duration a policy may name: 31 days, the longest grant an event can record. */
export const MAX_POLICY_DURATION_SECONDS = 31 * 24 * 3600;

/**
 * The length of `text` in seconds, or undefined when it is not a duration of at least one second.
 * Units are written largest first, each at most once: d, h, m, s.
 * @example parseDuration('1h30m') // 5400
 */
export function parseDuration(text: string): number | undefined {
  const match = DURATION_PATTERN.exec(text);
  if (match === null || text === '') return undefined;
  const [days, hours, minutes, seconds] = [match[1], match[2], match[3], match[4]].map((part) => (part === undefined ? 0 : Number(part)));
  const total = (days ?? 0) * 86_400 + (hours ?? 0) * 3600 + (minutes ?? 0) * 60 + (seconds ?? 0);
  return total > 0 ? total : undefined;
}

/**
 * The shortest text for `seconds` in the units {@link parseDuration} reads.
 * @example formatDuration(5400) // '1h30m'
 */
export function formatDuration(seconds: number): string {
  if (!Number.isFinite(seconds) || seconds <= 0) return '0s';
  const whole = Math.round(seconds);
  const parts: [number, string][] = [
    [Math.floor(whole / 86_400), 'd'],
    [Math.floor((whole % 86_400) / 3600), 'h'],
    [Math.floor((whole % 3600) / 60), 'm'],
    [whole % 60, 's'],
  ];
  return parts
    .filter(([count]) => count > 0)
    .map(([count, unit]) => `${count}${unit}`)
    .join('');
}
