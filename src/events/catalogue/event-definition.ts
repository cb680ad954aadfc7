// One catalogue entry: a Writ event type, the version of its data schema, and that schema.
import { z } from 'zod';
import { EVENT_TYPE_PATTERN, eventIdSchema, eventTimeSchema } from '../event-schema.ts';

export interface EventDefinition {
  readonly type: string;
  /** Version of the `data` schema; stored in each entry as `v`. */
  readonly version: number;
  readonly description: string;
  readonly data: z.ZodType;
}

/**
 * Declares a Writ event type; the name must be dotted, lower-case and past tense.
 * @example defineEvent('auth.login.failed', 1, 'A sign-in was refused.', strictShape({ method: loginMethod }))
 */
export function defineEvent(type: string, version: number, description: string, data: z.ZodType): EventDefinition {
  if (!EVENT_TYPE_PATTERN.test(type) || type.startsWith('app.')) throw new Error(`catalogue: "${type}" is not a Writ event type name`);
  return Object.freeze({ type, version, description, data });
}

/** Field schemas the catalogue families share. */
export const fields = {
  id: z.string().min(1).max(128),
  uuid: eventIdSchema,
  time: eventTimeSchema,
  name: z.string().min(1).max(256),
  count: z.number().int().min(0).max(Number.MAX_SAFE_INTEGER),
  durationMs: z.number().min(0).max(Number.MAX_SAFE_INTEGER),
  sha256Base64: z.string().regex(/^[A-Za-z0-9+/]{43}=$/, 'expected a base64 SHA-256 digest (44 characters)'),
} as const;
