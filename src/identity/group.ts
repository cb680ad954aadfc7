// Groups of users: a slug name that policies refer to, a description and members.
import { AppError } from '../shared/app-error.ts';

export type GroupId = string & { readonly __brand: 'GroupId' };

export const GROUP_NAME_PATTERN = /^[a-z0-9][a-z0-9-]{0,62}$/;
export const MAX_GROUP_DESCRIPTION_LENGTH = 1024;

export interface Group {
  readonly id: GroupId;
  /** Unique slug, e.g. `db-approvers`; policies name groups by it. */
  readonly name: string;
  readonly description: string;
  readonly createdAtMs: number;
}

/**
 * Checks a group name: a slug of 1 to 63 lower-case letters, digits and dashes, starting with a letter or digit.
 * @example parseGroupName('DB-Approvers') // 'db-approvers'
 */
export function parseGroupName(value: string): string {
  const name = value.trim().toLowerCase();
  if (!GROUP_NAME_PATTERN.test(name)) {
    throw new AppError('invalid_input', `group name "${value.slice(0, 80)}" must be a slug of 1 to 63 characters of a-z, 0-9 and "-", such as "db-approvers"`, {
      details: { field: 'name' },
    });
  }
  return name;
}

/**
 * Checks a group description: at most 1024 characters, trimmed; may be empty.
 * @example parseGroupDescription(' On-call DBAs ') // 'On-call DBAs'
 */
export function parseGroupDescription(value: string): string {
  const description = value.trim();
  if (description.length > MAX_GROUP_DESCRIPTION_LENGTH) {
    throw new AppError('invalid_input', `group description must be at most ${MAX_GROUP_DESCRIPTION_LENGTH} characters`, { details: { field: 'description' } });
  }
  return description;
}
