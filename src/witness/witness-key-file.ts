// The witness's Ed25519 key: generated once into its data directory (mode 0600, linked into place), then loaded.
import { existsSync, linkSync, mkdirSync, readFileSync, unlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { createCosigner } from '../ledger/cosignature.ts';
import type { Cosigner } from '../ledger/cosignature.ts';
import { generateSignerKey } from '../ledger/signed-note.ts';

export const WITNESS_KEY_FILE = 'witness-signing.key';

/**
 * Loads the witness cosigner from `dataDir`, creating a key named `name` at first start.
 * @example loadWitnessCosigner({ dataDir: '.writ-witness', name: 'witness.example.com/w1' }).verifierKey
 */
export function loadWitnessCosigner(options: { dataDir: string; name: string }): Cosigner {
  const path = join(options.dataDir, WITNESS_KEY_FILE);
  if (existsSync(path)) return createCosigner(readFileSync(path, 'utf8').trim());
  mkdirSync(options.dataDir, { recursive: true, mode: 0o700 });
  const { signerKey } = generateSignerKey(options.name);
  const staging = `${path}.${String(process.pid)}.tmp`;
  writeFileSync(staging, `${signerKey}\n`, { mode: 0o600 });
  try {
    linkSync(staging, path);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
    return createCosigner(readFileSync(path, 'utf8').trim());
  } finally {
    unlinkSync(staging);
  }
  return createCosigner(signerKey);
}
