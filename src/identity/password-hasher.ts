// Password hashing with argon2id, and a dummy verification so an unknown user costs the same time as a known one.
import { randomBytes } from 'node:crypto';
import { hash, parseOptions, verify } from '@node-rs/argon2';

export interface Argon2Params {
  readonly memoryKiB: number;
  readonly timeCost: number;
  readonly parallelism: number;
}

/** OWASP Password Storage Cheat Sheet: argon2id, m=19456 KiB (19 MiB), t=2, p=1. */
export const owaspArgon2Params: Argon2Params = { memoryKiB: 19_456, timeCost: 2, parallelism: 1 };

export interface PasswordHasher {
  /** A PHC string (`$argon2id$v=19$m=…`) with a fresh salt. */
  hash(password: string): Promise<string>;
  /** True when `password` matches `phc`; false for a malformed hash. */
  verify(phc: string, password: string): Promise<boolean>;
  /** Spends the time of one verification and answers false: for unknown users and users without a password. */
  verifyDummy(password: string): Promise<false>;
  /** True when `phc` was made with other parameters than this hasher's (rehash on the next sign-in). */
  needsRehash(phc: string): boolean;
}

/** NFC first, so the same password typed on two systems hashes the same. */
function normalise(password: string): string {
  return password.normalize('NFC');
}

/**
 * Creates an argon2id hasher with the given cost.
 * @example const hasher = createArgon2PasswordHasher(owaspArgon2Params); await hasher.verify(await hasher.hash('pw'), 'pw') // true
 */
export function createArgon2PasswordHasher(params: Argon2Params = owaspArgon2Params): PasswordHasher {
  // @node-rs/argon2 defaults to argon2id, version 0x13; its Algorithm enum is type-only (const enum), so it is left at the default.
  const options = { memoryCost: params.memoryKiB, timeCost: params.timeCost, parallelism: params.parallelism };
  let dummy: Promise<string> | undefined;
  const hashPassword = async (password: string): Promise<string> => {
    const phc = await hash(normalise(password), options);
    if (!phc.startsWith('$argon2id$')) throw new Error('argon2 did not produce an argon2id hash');
    return phc;
  };
  const verifyPassword = async (phc: string, password: string): Promise<boolean> => {
    try {
      return await verify(phc, normalise(password));
    } catch {
      return false;
    }
  };
  return {
    hash: hashPassword,
    verify: verifyPassword,
    async verifyDummy(password) {
      dummy ??= hashPassword(randomBytes(24).toString('base64url'));
      await verifyPassword(await dummy, password);
      return false;
    },
    needsRehash(phc) {
      try {
        const used = parseOptions(phc);
        return used.memoryCost !== params.memoryKiB || used.timeCost !== params.timeCost || used.parallelism !== params.parallelism;
      } catch {
        return true;
      }
    },
  };
}
