// Bounded zod field schemas shared by resources and policies, each with the message a policy author reads.
import { z } from 'zod';
import { MAX_POLICY_DURATION_SECONDS, formatDuration, parseDuration } from './policy-duration.ts';

/** The identity module's rules for usernames and group names (kept equal to them; policy files name both). */
const USERNAME_PATTERN = /^[a-z0-9._-]{1,64}$/;
const GROUP_NAME_PATTERN = /^[a-z0-9][a-z0-9-]{0,62}$/;
const SLUG = /^[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?$/;
const LABEL_KEY = /^[a-z0-9](?:[a-z0-9._/-]{0,61}[a-z0-9])?$/;
const LABEL_VALUE = /^[A-Za-z0-9](?:[A-Za-z0-9._-]{0,61}[A-Za-z0-9])?$/;
// eslint-disable-next-line no-control-regex
const NO_CONTROL_CHARACTERS = /^[^\u0000-\u001f\u007f]*$/;

/** A lower-case id: letters, digits and inner `-`, at most 63 characters (a DNS label). */
export const slug = z
  .string({ error: 'expected an id (lower-case letters, digits and "-")' })
  .regex(SLUG, { error: 'expected an id of lower-case letters, digits and inner "-", at most 63 characters' });

function uniqueNames(item: z.ZodType<string>, noun: string): z.ZodType<string[]> {
  return z
    .array(item, { error: `expected a list of ${noun} names` })
    .max(256, { error: 'expected at most 256 names' })
    .refine((names) => new Set(names).size === names.length, { error: `names a ${noun} twice` });
}

/** A username as the identity module accepts it (lower-case). */
export const userName = z
  .string({ error: 'expected a username' })
  .regex(USERNAME_PATTERN, { error: 'expected a username: 1 to 64 of a-z, 0-9, ".", "_", "-"' });

/** A group name as the identity module accepts it. */
export const groupName = z
  .string({ error: 'expected a group name' })
  .regex(GROUP_NAME_PATTERN, { error: 'expected a group name: lower-case letters, digits and "-", at most 63' });

/** A list of usernames, without repeats. */
export const userNames = uniqueNames(userName, 'user');

/** A list of group names, without repeats. */
export const groupNames = uniqueNames(groupName, 'group');

/** One line of text for people, bounded. */
export function text(maxLength: number): z.ZodString {
  return z
    .string({ error: 'expected text' })
    .min(1, { error: 'expected text, not an empty string' })
    .max(maxLength, { error: `expected at most ${maxLength} characters` });
}

/** Text that ends up in connection strings or Cedar: no control characters. */
export function plainText(maxLength: number): z.ZodString {
  return text(maxLength).regex(NO_CONTROL_CHARACTERS, { error: 'must not contain control characters' });
}

/** Labels: a few short key/value pairs (`env: prod`), in the style of Kubernetes labels. */
export const labels = z
  .record(
    z.string().regex(LABEL_KEY, { error: 'expected a label key of lower-case letters, digits, ".", "_", "/", "-"' }),
    z.string({ error: 'expected a label value (text)' }).regex(LABEL_VALUE, { error: 'expected a label value of letters, digits, ".", "_", "-", at most 63 characters' }),
    { error: 'expected a mapping of labels, like { env: prod }' },
  )
  .refine((record) => Object.keys(record).length <= 32, { error: 'expected at most 32 labels' });

/** A duration such as `30m`, `2h` or `1d`, at most 31 days; kept as written. */
export const duration = z
  .string({ error: 'expected a duration such as 30m, 2h or 1d' })
  .max(32, { error: 'expected a duration such as 30m, 2h or 1d' })
  .refine((value) => parseDuration(value) !== undefined, { error: 'expected a duration such as 30m, 2h or 1d' })
  .refine((value) => (parseDuration(value) ?? 0) <= MAX_POLICY_DURATION_SECONDS, {
    error: `expected a duration of at most ${formatDuration(MAX_POLICY_DURATION_SECONDS)}`,
  });

/** A whole number of at least one. */
export const positiveInteger = z
  .number({ error: 'expected a positive integer' })
  .int({ error: 'expected a positive integer' })
  .min(1, { error: 'expected a positive integer' })
  .max(1000, { error: 'expected at most 1000' });

/** True or false, nothing that merely looks like it. */
export const flag = z.boolean({ error: 'expected true or false' });
