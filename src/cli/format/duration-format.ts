// Durations for people: the two largest units, such as `1h 20m` or `2d 3h`.

const UNITS: readonly (readonly [string, number])[] = [
  ['d', 86_400],
  ['h', 3600],
  ['m', 60],
  ['s', 1],
];

/**
 * Formats whole seconds with at most two units, rounding down.
 * @example formatDuration(4800) // '1h 20m'
 */
export function formatDuration(seconds: number): string {
  let left = Math.max(0, Math.floor(seconds));
  if (left === 0) return '0s';
  const parts: string[] = [];
  for (const [unit, size] of UNITS) {
    if (left >= size && parts.length < 2) {
      parts.push(`${Math.floor(left / size)}${unit}`);
      left %= size;
    } else if (parts.length > 0) {
      break;
    }
  }
  return parts.join(' ');
}
