// Problems found in a policy file: located (file:line:column), worded for the author, gathered into one AppError.
import type { z } from 'zod';
import { formatJsonPath } from '../events/json-path.ts';
import { AppError } from '../shared/app-error.ts';

/** A problem before it is located: a field path and what is wrong there. */
export interface RawProblem {
  readonly path: readonly PropertyKey[];
  readonly message: string;
  /** Point at the key of the last path segment rather than its value (unknown or invalid keys). */
  readonly at?: 'key' | 'value';
}

/** A problem as people and tools read it. */
export interface PolicyProblem {
  readonly file: string;
  readonly line: number;
  readonly column: number;
  readonly path: string;
  readonly message: string;
}

const SHOWN_IN_MESSAGE = 20;
const KEPT_IN_DETAILS = 200;

/**
 * One problem as a line: `file:line:column: path: message`.
 * @example formatPolicyProblem({ file: 'writ.policy.yaml', line: 14, column: 7, path: 'policies[0].levels', message: 'expected a list' })
 * // 'writ.policy.yaml:14:7: policies[0].levels: expected a list'
 */
export function formatPolicyProblem(problem: PolicyProblem): string {
  return `${problem.file}:${problem.line}:${problem.column}: ${problem.path}: ${problem.message}`;
}

/**
 * The AppError('invalid_input') for a file with problems; `details.problems` lists them all (up to 200).
 * @example throw invalidPolicyFile('writ.policy.yaml', problems)
 */
export function invalidPolicyFile(file: string, problems: readonly PolicyProblem[]): AppError {
  const shown = problems.slice(0, SHOWN_IN_MESSAGE).map(formatPolicyProblem);
  const more = problems.length > SHOWN_IN_MESSAGE ? [`… and ${problems.length - SHOWN_IN_MESSAGE} more`] : [];
  const count = problems.length === 1 ? '1 problem' : `${problems.length} problems`;
  return new AppError('invalid_input', [`${file} has ${count}:`, ...shown, ...more].join('\n'), {
    details: { file, problems: problems.slice(0, KEPT_IN_DETAILS) },
  });
}

/**
 * The field path as the message shows it.
 * @example formatProblemPath(['policies', 0, 'name']) // 'policies[0].name'
 */
export function formatProblemPath(path: readonly PropertyKey[]): string {
  return formatJsonPath(path, '(document)');
}

/** How a value looks in a message: short, quoted when text. */
export function describeValue(value: unknown): string {
  if (value === null) return 'an empty value';
  if (Array.isArray(value)) return value.length === 1 ? 'a list of 1 item' : `a list of ${value.length} items`;
  if (typeof value === 'object') return 'a mapping';
  if (typeof value === 'string') return value.length > 60 ? `${JSON.stringify(value.slice(0, 60))}…` : JSON.stringify(value);
  return typeof value === 'number' || typeof value === 'boolean' || typeof value === 'bigint' ? String(value) : typeof value;
}

const TYPE_WORDS: Readonly<Record<string, string>> = { object: 'a mapping', array: 'a list', string: 'text', number: 'a number', boolean: 'true or false' };

/** Product wording for zod's default messages; field schemas set their own where it matters. */
export const policyParseParams: z.core.ParseContext<z.core.$ZodIssue> = {
  reportInput: true,
  error: (issue) => {
    const noun = issue.origin === 'array' ? 'items' : issue.origin === 'string' ? 'characters' : '';
    switch (issue.code) {
      case 'too_small':
        return `expected at least ${String(issue.minimum)}${noun === '' ? '' : ` ${noun}`}`;
      case 'too_big':
        return `expected at most ${String(issue.maximum)}${noun === '' ? '' : ` ${noun}`}`;
      case 'invalid_type':
        return `expected ${TYPE_WORDS[issue.expected] ?? issue.expected}`;
      case 'invalid_value':
        return `expected ${issue.values.map((value) => String(value)).join(' or ')}`;
      default:
        return undefined;
    }
  },
};

/**
 * Zod issues as raw problems: one per unknown key, "required" for a missing field, and the value quoted otherwise.
 * @example problemsFromIssues(result.error.issues) // [{ path: ['policies', 0, 'count'], message: 'expected a positive integer, got "two"' }]
 */
export function problemsFromIssues(issues: readonly z.core.$ZodIssue[]): RawProblem[] {
  return issues.flatMap((issue): RawProblem[] => {
    if (issue.code === 'unrecognized_keys') {
      return issue.keys.map((key) => ({ path: [...issue.path, key], message: `unknown field "${key}"`, at: 'key' }));
    }
    if (issue.code === 'invalid_key') {
      const inner = issue.issues[0]?.message ?? 'invalid';
      return [{ path: issue.path, message: `invalid key ${describeValue(issue.path.at(-1))}: ${inner}`, at: 'key' }];
    }
    if (issue.code === 'invalid_union' && issue.discriminator !== undefined && !('matches' in issue)) {
      const input: unknown = issue.input;
      const value = typeof input === 'object' && input !== null ? (input as Record<string, unknown>)[issue.discriminator] : undefined;
      const options = (issue.options ?? []).map(String).join(' or ');
      return [withInput(issue.path, `expected ${issue.discriminator} to be ${options}`, value)];
    }
    const input: unknown = 'input' in issue ? issue.input : undefined;
    // A rule over a whole mapping (e.g. "names at least one approver") reads better without "got a mapping".
    if (issue.code === 'custom' && typeof input === 'object' && input !== null) return [{ path: issue.path, message: issue.message }];
    return [withInput(issue.path, issue.message, input)];
  });
}

function withInput(path: readonly PropertyKey[], message: string, input: unknown): RawProblem {
  if (input === undefined) return { path, message: `required: ${message}` };
  return { path, message: `${message}, got ${describeValue(input)}` };
}
