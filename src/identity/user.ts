// Users of Writ: branded ids, built-in roles, and the rules for usernames and profile fields.
import { AppError } from '../shared/app-error.ts';
import { isUuid } from '../shared/ids.ts';

export type UserId = string & { readonly __brand: 'UserId' };

/** `admin` configures Writ, `auditor` reads the whole audit log, `user` is everyone. Approvers come from policy, not roles. */
export const roles = ['admin', 'auditor', 'user'] as const;
export type Role = (typeof roles)[number];

/** A person signs in with a password; a service (or AI agent) only uses API tokens. */
export const userKinds = ['person', 'service'] as const;
export type UserKind = (typeof userKinds)[number];

export const USERNAME_PATTERN = /^[a-z0-9._-]{1,64}$/;
export const MAX_DISPLAY_NAME_LENGTH = 256;
export const MAX_EMAIL_LENGTH = 320;

export interface User {
  readonly id: UserId;
  readonly username: string;
  readonly displayName: string;
  readonly email: string | undefined;
  readonly kind: UserKind;
  /** Always holds `user`; sorted in the order of `roles`. */
  readonly roles: readonly Role[];
  readonly disabled: boolean;
  readonly mustChangePassword: boolean;
  readonly createdAtMs: number;
  readonly updatedAtMs: number;
}

/** A user as stored, with the password hash only the identity core ever reads. */
export interface UserRecord extends User {
  /** PHC string of the argon2id hash; undefined when the user has no password (services). */
  readonly passwordHash: string | undefined;
}

/**
 * The user id of a UUID string, or undefined.
 * @example toUserId('0193f1e2-7c1a-7b3e-9f00-1c2d3e4f5a6b')
 */
export function toUserId(value: string): UserId | undefined {
  return isUuid(value) ? (value as UserId) : undefined;
}

/**
 * Checks a username: 1 to 64 of a–z, 0–9, `.`, `_`, `-`. Upper case is folded, not refused.
 * @example parseUsername('Alice') // 'alice'
 */
export function parseUsername(value: string): string {
  const username = value.trim().toLowerCase();
  if (!USERNAME_PATTERN.test(username)) {
    throw new AppError('invalid_input', `username "${value.slice(0, 80)}" must be 1 to 64 characters of a-z, 0-9, ".", "_" or "-"`, {
      details: { field: 'username' },
    });
  }
  return username;
}

/**
 * Checks a display name: 1 to 256 characters after trimming, no control characters.
 * @example parseDisplayName('  Alice Smith ') // 'Alice Smith'
 */
export function parseDisplayName(value: string): string {
  const name = value.trim();
  // eslint-disable-next-line no-control-regex
  if (name.length === 0 || name.length > MAX_DISPLAY_NAME_LENGTH || /[\u0000-\u001f\u007f]/.test(name)) {
    throw new AppError('invalid_input', `display name must be 1 to ${MAX_DISPLAY_NAME_LENGTH} characters without control characters`, {
      details: { field: 'displayName' },
    });
  }
  return name;
}

/**
 * Checks an e-mail address loosely (one `@`, no spaces, at most 320 characters); the domain is lower-cased.
 * @example parseEmail('Alice@Example.COM') // 'Alice@example.com'
 */
export function parseEmail(value: string): string {
  const email = value.trim();
  const at = email.lastIndexOf('@');
  if (email.length > MAX_EMAIL_LENGTH || !/^[^\s@]+@[^\s@]+\.[^\s@]+$/.test(email)) {
    throw new AppError('invalid_input', `e-mail address "${email.slice(0, 80)}" is not of the form name@example.com`, { details: { field: 'email' } });
  }
  return email.slice(0, at + 1) + email.slice(at + 1).toLowerCase();
}

/**
 * The role set as stored: `user` always present, no duplicates, in catalogue order.
 * @example normaliseRoles(['admin']) // ['admin', 'user']
 */
export function normaliseRoles(given: readonly Role[]): Role[] {
  const wanted = new Set<Role>([...given, 'user']);
  return roles.filter((role) => wanted.has(role));
}

/**
 * Checks role names from outside.
 * @example parseRoles(['auditor']) // ['auditor', 'user']
 */
export function parseRoles(given: readonly string[]): Role[] {
  for (const role of given) {
    if (!(roles as readonly string[]).includes(role)) {
      throw new AppError('invalid_input', `unknown role "${role.slice(0, 64)}" (known: ${roles.join(', ')})`, { details: { field: 'roles' } });
    }
  }
  return normaliseRoles(given as Role[]);
}

/**
 * The user without the password hash, for anything that leaves the identity core.
 * @example toPublicUser(record).passwordHash // undefined (no such field)
 */
export function toPublicUser(record: UserRecord): User {
  const { id, username, displayName, email, kind, roles: userRoles, disabled, mustChangePassword, createdAtMs, updatedAtMs } = record;
  return { id, username, displayName, email, kind, roles: userRoles, disabled, mustChangePassword, createdAtMs, updatedAtMs };
}
