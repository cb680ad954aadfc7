// Salted commitments to personal data: the ledger keeps the hash, the plaintext can be erased later.
import { createHash, randomFillSync, timingSafeEqual } from 'node:crypto';

export const SALT_BYTES = 32;
const POOL_BYTES = 4096;

/**
 * A CSPRNG source that draws from the system in 4 KiB batches; every call returns fresh, copied bytes.
 * @example createPooledRandomBytes()(32).length // 32
 */
export function createPooledRandomBytes(): (n: number) => Uint8Array {
  const pool = new Uint8Array(POOL_BYTES);
  let offset = POOL_BYTES;
  return (n) => {
    if (n > POOL_BYTES) return randomFillSync(new Uint8Array(n));
    if (offset + n > POOL_BYTES) {
      randomFillSync(pool);
      offset = 0;
    }
    const bytes = pool.slice(offset, offset + n); // a copy: the pool is refilled later
    pool.fill(0, offset, offset + n);
    offset += n;
    return bytes;
  };
}

/**
 * base64(SHA-256(salt ‖ value)): binds the entry to the personal part without revealing it.
 * @example personalCommitment(salt, canonicalBytes({ actor: { name: 'Alice' } })) // 'q1w2...=' (44 characters)
 */
export function personalCommitment(salt: Uint8Array, value: Uint8Array): string {
  return createHash('sha256').update(salt).update(value).digest('base64');
}

/**
 * True when `commitment` was made from this salt and value; compared in constant time.
 * @example isPersonalCommitment(entry.personalCommitment, salt, value) // true
 */
export function isPersonalCommitment(commitment: string, salt: Uint8Array, value: Uint8Array): boolean {
  const expected = Buffer.from(commitment, 'base64');
  const actual = createHash('sha256').update(salt).update(value).digest();
  return expected.length === actual.length && timingSafeEqual(expected, actual);
}
