// Durations typed on the command line (`90m`, `2h`, `1d`, `1h30m`) as whole seconds, with errors that show the accepted forms.
import { AppError } from '../../shared/app-error.ts';

const UNIT_SECONDS: Readonly<Record<string, number>> = { s: 1, m: 60, h: 3600, d: 86_400, w: 604_800 };
const WHOLE = /^(?:\d{1,6}[smhdw])+$/;
const PART = /(\d{1,6})([smhdw])/g;
/** Ten years: far beyond anything the server allows, small enough that no sum overflows. */
const MAX_SECONDS = 10 * 366 * 86_400;

/**
 * Parses a duration: one or more `<number><unit>` parts, units s, m, h, d, w.
 * @example parseDuration('1h30m', '--for') // 5400
 */
export function parseDuration(text: string, option: string): number {
  const compact = text.trim().toLowerCase();
  if (!WHOLE.test(compact)) {
    throw new AppError('invalid_input', `${option} "${text.slice(0, 40)}" is not a duration: write a number and a unit (s, m, h, d or w), such as 90m, 2h, 1d or 1h30m`);
  }
  let seconds = 0;
  for (const [, amount = '0', unit = 's'] of compact.matchAll(PART)) seconds += Number(amount) * (UNIT_SECONDS[unit] ?? 1);
  if (seconds === 0) throw new AppError('invalid_input', `${option} must be longer than zero`);
  if (seconds > MAX_SECONDS) throw new AppError('invalid_input', `${option} "${text.slice(0, 40)}" is too long: at most 10 years`);
  return seconds;
}
