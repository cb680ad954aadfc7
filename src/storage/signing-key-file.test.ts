import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { generateSignerKey } from '../ledger/signed-note.ts';
import { isAppError } from '../shared/app-error.ts';
import { loadSigner, SIGNING_KEY_FILE } from './signing-key-file.ts';

function dataDir(): string {
  return join(mkdtempSync(join(tmpdir(), 'writ-key-')), 'data');
}

test('first start generates a key named after the origin, stored with mode 0600, and reuses it after', () => {
  const dir = dataDir();
  const first = loadSigner({ dataDir: dir, origin: 'audit.example.com/writ', operatorKey: undefined });
  assert.equal(first.name, 'audit.example.com/writ');
  const path = join(dir, SIGNING_KEY_FILE);
  assert.equal(statSync(path).mode & 0o777, 0o600);
  assert.match(readFileSync(path, 'utf8'), /^PRIVATE\+KEY\+audit\.example\.com\/writ\+[0-9a-f]{8}\+/);
  const again = loadSigner({ dataDir: dir, origin: undefined, operatorKey: undefined });
  assert.equal(again.verifierKey, first.verifierKey);
});

test('an operator key wins over the key file, and its name must equal the configured origin', () => {
  const { signerKey, verifierKey } = generateSignerKey('ops.example.com/log');
  const signer = loadSigner({ dataDir: dataDir(), origin: undefined, operatorKey: signerKey });
  assert.equal(signer.verifierKey, verifierKey);
  assert.throws(
    () => loadSigner({ dataDir: dataDir(), origin: 'other.example.com/log', operatorKey: signerKey }),
    (error) => isAppError(error, 'key_mismatch') && /origin must equal the key name/.test(error.message),
  );
  assert.throws(() => loadSigner({ dataDir: dataDir(), origin: undefined, operatorKey: 'not a key' }), (error) => isAppError(error));
});
