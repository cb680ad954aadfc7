// The log's Ed25519 signing key: from the operator (WRIT_LOG_KEY), or generated once into the data directory with mode 0600.
import { chmodSync, existsSync, linkSync, mkdirSync, readFileSync, statSync, unlinkSync, writeFileSync } from 'node:fs';
import { hostname } from 'node:os';
import { join } from 'node:path';
import { AppError } from '../shared/app-error.ts';
import { createSigner, generateSignerKey, type NoteSigner } from '../ledger/signed-note.ts';

export const SIGNING_KEY_FILE = 'log-signing.key';

function defaultOrigin(): string {
  const host = hostname().toLowerCase().replace(/[^a-z0-9.-]/g, '-') || 'localhost';
  return `${host}/writ`;
}

function checkOrigin(signer: NoteSigner, origin: string | undefined, source: string): NoteSigner {
  if (origin !== undefined && origin !== signer.name) {
    throw new AppError(
      'key_mismatch',
      `the log origin is configured as "${origin}" but ${source} is named "${signer.name}": the origin must equal the key name`,
    );
  }
  return signer;
}

function readKeyFile(path: string): string {
  const mode = statSync(path).mode & 0o777;
  if ((mode & 0o077) !== 0) chmodSync(path, 0o600);
  return readFileSync(path, 'utf8').trim();
}

/**
 * Loads the signer: the operator's key if given, else the key file in `dataDir`, else a new key named `origin`.
 * @example loadSigner({ dataDir: '.writ', origin: 'audit.example.com/writ', operatorKey: undefined }).name
 */
export function loadSigner(options: { dataDir: string; origin: string | undefined; operatorKey: string | undefined }): NoteSigner {
  if (options.operatorKey !== undefined) {
    return checkOrigin(createSigner(options.operatorKey), options.origin, 'WRIT_LOG_KEY');
  }
  const path = join(options.dataDir, SIGNING_KEY_FILE);
  if (existsSync(path)) return checkOrigin(createSigner(readKeyFile(path)), options.origin, 'the key file in the data directory');
  mkdirSync(options.dataDir, { recursive: true, mode: 0o700 });
  const { signerKey } = generateSignerKey(options.origin ?? defaultOrigin());
  // Written aside, then linked into place: another process sees either no key or the whole key.
  const staging = `${path}.${process.pid}.tmp`;
  writeFileSync(staging, `${signerKey}\n`, { mode: 0o600 });
  try {
    linkSync(staging, path);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
    // Another process created it first: use that one, so both sign with one key.
    return checkOrigin(createSigner(readKeyFile(path)), options.origin, 'the key file in the data directory');
  } finally {
    unlinkSync(staging);
  }
  return createSigner(signerKey);
}
