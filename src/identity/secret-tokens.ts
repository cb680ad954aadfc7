// Random secrets and their SHA-256 digests: what sessions, CSRF tokens and API tokens store instead of the secret.
import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';

export const SECRET_BYTES = 32;
/** base64url of 32 bytes, without padding. */
export const SECRET_TEXT_LENGTH = 43;
const SECRET_PATTERN = /^[A-Za-z0-9_-]{43}$/;

/**
 * A fresh secret: 32 random bytes as base64url.
 * @example newSecret().length // 43
 */
export function newSecret(): string {
  return randomBytes(SECRET_BYTES).toString('base64url');
}

/** True for text shaped like a secret from `newSecret`. */
export function isSecretText(value: string): boolean {
  return SECRET_PATTERN.test(value);
}

/**
 * The SHA-256 digest of a secret's text; stored in place of the secret.
 * @example digestSecret('abc').length // 32
 */
export function digestSecret(secret: string): Uint8Array {
  return createHash('sha256').update(secret, 'utf8').digest();
}

/**
 * Compares a presented secret with a stored digest in constant time (both are 32-byte digests).
 * @example secretMatches(digestSecret(s), s) // true
 */
export function secretMatches(storedDigest: Uint8Array, presented: string): boolean {
  const presentedDigest = digestSecret(presented);
  if (storedDigest.byteLength !== presentedDigest.byteLength) return false;
  return timingSafeEqual(storedDigest, presentedDigest);
}
