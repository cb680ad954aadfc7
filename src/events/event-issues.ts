// Turns zod issues into one AppError('invalid_event') whose message names each field path and what to fix.
import type { z } from 'zod';
import { AppError } from '../shared/app-error.ts';
import { formatJsonPath } from './json-path.ts';

const SHOWN_ISSUES = 5;

/** A missing field says "required", not "received undefined". */
const eventParseParams: z.core.ParseContext<z.core.$ZodIssue> = {
  error: (issue) => ((issue.code === 'invalid_type' || issue.code === 'invalid_value') && issue.input === undefined ? 'required' : undefined),
};

/**
 * Parses with `schema`; on failure throws {@link invalidEvent}. The error map is only used to word a
 * failure: passing parse options costs zod its fast path, so a valid event is parsed without them.
 * @example parseEventPart(eventInputSchema, input) // the parsed envelope, or throws AppError('invalid_event')
 */
export function parseEventPart<T>(schema: z.ZodType<T>, value: unknown, prefix: readonly PropertyKey[] = []): T {
  const result = schema.safeParse(value);
  if (result.success) return result.data;
  const worded = schema.safeParse(value, eventParseParams);
  throw invalidEvent(worded.success ? result.error.issues : worded.error.issues, prefix);
}

export interface FieldIssue {
  readonly path: string;
  readonly message: string;
}

/**
 * One error for all issues; `prefix` is prepended to each issue path (e.g. `['data']`).
 * @example invalidEvent(result.error.issues) // AppError: invalid event: actor.kind: Invalid option: expected one of ...
 */
export function invalidEvent(issues: readonly z.core.$ZodIssue[], prefix: readonly PropertyKey[] = []): AppError {
  const fieldIssues: FieldIssue[] = issues.map((issue) => ({
    path: formatJsonPath([...prefix, ...issue.path]),
    message: issue.message,
  }));
  const shown = fieldIssues.slice(0, SHOWN_ISSUES).map((issue) => `${issue.path}: ${issue.message}`);
  const more = fieldIssues.length > SHOWN_ISSUES ? ` (and ${fieldIssues.length - SHOWN_ISSUES} more)` : '';
  return new AppError('invalid_event', `invalid event: ${shown.join('; ')}${more}`, { details: { issues: fieldIssues } });
}
