// Small option parsers shared by commands: repeatable lists (`--scope a --scope b` or `--scope a,b`) and bounded counts.
import { AppError } from '../../shared/app-error.ts';

/**
 * A commander collector: every use of the option adds its comma-separated values.
 * @example .option('--scope <scope>', 'a scope (repeatable)', collectList, [])
 */
export function collectList(value: string, previous: string[]): string[] {
  return [...previous, ...value.split(',').map((v) => v.trim()).filter((v) => v !== '')];
}

/**
 * A whole number from 1 to `max` for an option such as --limit.
 * @example parseCount('50', '--limit', 200) // 50
 */
export function parseCount(text: string, option: string, max: number): number {
  const n = Number(text);
  if (!/^\d+$/.test(text.trim()) || !Number.isSafeInteger(n) || n < 1 || n > max) {
    throw new AppError('invalid_input', `${option} takes a whole number from 1 to ${max}, not "${text.slice(0, 40)}"`);
  }
  return n;
}

/** Checks a value against the accepted ones, naming them all. */
export function parseChoice<T extends string>(text: string, option: string, choices: readonly T[]): T {
  const found = choices.find((c) => c === text);
  if (found === undefined) throw new AppError('invalid_input', `${option} "${text.slice(0, 40)}" is not one of: ${choices.join(', ')}`);
  return found;
}
