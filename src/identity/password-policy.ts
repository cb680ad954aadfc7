// The password policy as a pure decision: length bounds and a few refusals that name what to fix.
import { randomBytes } from 'node:crypto';
import { AppError } from '../shared/app-error.ts';

export interface PasswordPolicy {
  /** Counted in Unicode code points (NIST SP 800-63B). */
  readonly minLength: number;
  /** Bounds the work of hashing an attacker's input. */
  readonly maxLength: number;
}

export const defaultPasswordPolicy: PasswordPolicy = { minLength: 12, maxLength: 256 };

export type PasswordVerdict = { readonly kind: 'accepted' } | { readonly kind: 'rejected'; readonly problems: readonly string[] };

/** Passwords common enough that the length rule lets them through; a short list, checked case-insensitively. */
const commonPasswords = new Set([
  'password1234',
  'password12345',
  'passwordpassword',
  '123456789012',
  '1234567890123',
  'qwertyuiopasdf',
  'qwertyuiop123',
  'iloveyou1234',
  'administrator',
  'administrator1',
  'letmein12345',
  'changeme1234',
  'welcome12345',
]);

/**
 * Checks a new password; a rejection lists every problem in words a user can act on.
 * @example checkPassword('short', { username: 'alice' }) // { kind: 'rejected', problems: ['the password must be at least 12 characters long (it has 5)'] }
 */
export function checkPassword(password: string, context: { username: string }, policy: PasswordPolicy = defaultPasswordPolicy): PasswordVerdict {
  const problems: string[] = [];
  const length = Array.from(password).length;
  if (length < policy.minLength) problems.push(`the password must be at least ${policy.minLength} characters long (it has ${length})`);
  if (length > policy.maxLength) problems.push(`the password must be at most ${policy.maxLength} characters long (it has ${length})`);
  const lower = password.toLowerCase();
  if (context.username.length >= 3 && lower.includes(context.username.toLowerCase())) problems.push('the password must not contain the username');
  if (length > 0 && new Set(password).size === 1) problems.push('the password must not repeat a single character');
  if (commonPasswords.has(lower) || lower.startsWith('writ')) problems.push('the password is too common or too easy to guess: choose another');
  return problems.length === 0 ? { kind: 'accepted' } : { kind: 'rejected', problems };
}

/**
 * Throws `invalid_input` listing every problem of a new password.
 * @example requireAcceptablePassword(defaultPasswordPolicy, 'short', 'alice') // throws: the password must be at least 12 characters long (it has 5)
 */
export function requireAcceptablePassword(policy: PasswordPolicy, password: string, username: string): void {
  const verdict = checkPassword(password, { username }, policy);
  if (verdict.kind === 'rejected') {
    throw new AppError('invalid_input', verdict.problems.join('; '), { details: { field: 'password', problems: verdict.problems } });
  }
}

/**
 * A random password of 24 base64url characters (144 bits), for first start and resets.
 * @example generatePassword().length // 24
 */
export function generatePassword(): string {
  for (;;) {
    const password = randomBytes(18).toString('base64url');
    if (!password.toLowerCase().startsWith('writ')) return password;
  }
}
