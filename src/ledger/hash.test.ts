import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { test } from 'node:test';
import { isAppError } from '../shared/app-error.ts';
import { emptyRoot, HASH_SIZE, hashesEqual, isHash, leafHash, nodeHash, nodeHashOfPair } from './hash.ts';

const sha256 = (...parts: Uint8Array[]): Buffer => {
  const h = createHash('sha256');
  for (const part of parts) h.update(part);
  return h.digest();
};

test('leaf, node and empty hashes follow RFC 6962 domain separation', () => {
  const entry = new TextEncoder().encode('entry 0');
  assert.deepEqual(Buffer.from(leafHash(entry)), sha256(Uint8Array.of(0), entry));
  assert.equal(Buffer.from(leafHash(entry)).toString('base64'), 'dziFphNIniTOLPdhmdakI/BC5LvxLX7s7pEu8nbGVwE=');
  const a = leafHash(Uint8Array.of(1));
  const b = leafHash(Uint8Array.of(2));
  assert.deepEqual(Buffer.from(nodeHash(a, b)), sha256(Uint8Array.of(1), a, b));
  assert.equal(Buffer.from(emptyRoot()).toString('hex'), 'e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855');
  assert.equal(leafHash(new Uint8Array(0)).length, HASH_SIZE);
});

test('nodeHash refuses hashes that are not 32 bytes', () => {
  assert.throws(() => nodeHash(new Uint8Array(31), new Uint8Array(32)), (e) => isAppError(e, 'invalid_input'));
});

test('hashesEqual compares bytes, including different lengths', () => {
  const a = leafHash(Uint8Array.of(1));
  assert.ok(hashesEqual(a, Uint8Array.from(a)));
  assert.ok(!hashesEqual(a, leafHash(Uint8Array.of(2))));
  assert.ok(!hashesEqual(a, a.subarray(1)));
  assert.ok(isHash(a));
  assert.ok(!isHash(a.subarray(1)));
  assert.ok(!isHash('x'));
});

test('nodeHashOfPair hashes two adjacent hashes as nodeHash does, and refuses other lengths', () => {
  const [a, b] = [leafHash(Uint8Array.of(1)), leafHash(Uint8Array.of(2))];
  const pair = new Uint8Array(64);
  pair.set(a);
  pair.set(b, 32);
  assert.ok(hashesEqual(nodeHashOfPair(pair), nodeHash(a, b)));
  assert.throws(() => nodeHashOfPair(pair.subarray(1)), (e) => isAppError(e, 'invalid_input'));
});
