// SCRAM-SHA-256 verifiers (RFC 5802, RFC 7677): what Writ stores instead of a gateway credential.
import { createHash, createHmac, pbkdf2Sync } from 'node:crypto';

/** PostgreSQL's own default iteration count for SCRAM-SHA-256. */
export const SCRAM_ITERATIONS = 4096;

/** The stored form of a SCRAM-SHA-256 secret: enough to check a proof, not enough to make one. */
export interface ScramVerifier {
  readonly salt: Buffer;
  readonly iterations: number;
  readonly storedKey: Buffer;
  readonly serverKey: Buffer;
}

/** HMAC-SHA-256 as RFC 5802 names it. */
export function hmacSha256(key: Buffer, data: Buffer | string): Buffer {
  return createHmac('sha256', key).update(data).digest();
}

export function sha256(data: Buffer | string): Buffer {
  return createHash('sha256').update(data).digest();
}

/**
 * SaltedPassword := Hi(Normalize(password), salt, i). Writ's credentials are ASCII (base64url), for which
 * SASLprep changes nothing, so no normalisation library is needed.
 */
export function saltedPassword(password: string, salt: Buffer, iterations: number): Buffer {
  return pbkdf2Sync(Buffer.from(password, 'utf8'), salt, iterations, 32, 'sha256');
}

/**
 * Derives the verifier of `password`.
 * @example createScramVerifier('pencil', Buffer.from('W22ZaJ0SNY7soEsUEjb6gQ==', 'base64'), 4096).storedKey
 */
export function createScramVerifier(password: string, salt: Buffer, iterations: number = SCRAM_ITERATIONS): ScramVerifier {
  const salted = saltedPassword(password, salt, iterations);
  const clientKey = hmacSha256(salted, 'Client Key');
  return { salt, iterations, storedKey: sha256(clientKey), serverKey: hmacSha256(salted, 'Server Key') };
}

/**
 * The salt of every gateway credential of one user for one resource. SCRAM sends the salt before the
 * client proves anything, so all credentials a user may present for a resource share it; each credential
 * is 256 random bits, so a public, deterministic salt gives a guesser nothing (ADR 0009).
 * @example gatewayCredentialSalt('u1', 'pg-prod').length // 16
 */
export function gatewayCredentialSalt(userId: string, resourceId: string): Buffer {
  return sha256(`writ gateway credential salt\u0000${userId}\u0000${resourceId}`).subarray(0, 16);
}
