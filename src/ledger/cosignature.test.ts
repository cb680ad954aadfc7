// Tests of cosignature/v1: round trip, tampering, key IDs, verifier keys and malformed lines.
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { test } from 'node:test';
import { isAppError } from '../shared/app-error.ts';
import {
  cosignatureKeyId,
  cosignatureMessage,
  cosignCheckpoint,
  createCosigner,
  formatCosignatureVerifierKey,
  parseCosignatureVerifierKey,
  verifyCosignature,
} from './cosignature.ts';
import { generateSignerKey } from './signed-note.ts';

const TEXT = 'audit.example.com/writ\n3\nlPvQ3YNvUDAWkubQ6t5yjuGexSv/8WBu2AfIV11aqhk=\n';
const TIME = 1_700_000_000;
const cosigner = createCosigner(generateSignerKey('witness.example.com/w1').signerKey);
const verifier = parseCosignatureVerifierKey(cosigner.verifierKey);

function lineBytes(line: string): Buffer {
  return Buffer.from(line.slice(line.lastIndexOf(' ') + 1, -1), 'base64');
}

function withBytes(line: string, bytes: Uint8Array): string {
  return `${line.slice(0, line.lastIndexOf(' ') + 1)}${Buffer.from(bytes).toString('base64')}\n`;
}

test('a cosignature verifies and reports its time', () => {
  const line = cosignCheckpoint(cosigner, TEXT, TIME);
  assert.match(line, /^— witness\.example\.com\/w1 [A-Za-z0-9+/]+=*\n$/);
  assert.deepEqual(verifyCosignature(verifier, TEXT, line), { ok: true, timeSeconds: TIME });
  assert.deepEqual(verifyCosignature(verifier, TEXT, line.slice(0, -1)), { ok: true, timeSeconds: TIME });
});

test('the line holds key ID, big-endian time and a 64-byte signature', () => {
  const bytes = lineBytes(cosignCheckpoint(cosigner, TEXT, TIME));
  assert.equal(bytes.length, 76);
  assert.equal(bytes.readUInt32BE(0), cosigner.keyId);
  assert.equal(bytes.readBigUInt64BE(4), BigInt(TIME));
});

test('the signed message is the cosignature/v1 header followed by the checkpoint', () => {
  assert.equal(Buffer.from(cosignatureMessage(TEXT, 42)).toString(), `cosignature/v1\ntime 42\n${TEXT}`);
});

test('a changed checkpoint, time or key is rejected', () => {
  const line = cosignCheckpoint(cosigner, TEXT, TIME);
  const changed = TEXT.replace('\n3\n', '\n4\n');
  assert.equal(verifyCosignature(verifier, changed, line).ok, false);
  const bytes = lineBytes(line);
  bytes.writeBigUInt64BE(BigInt(TIME + 1), 4);
  assert.deepEqual(verifyCosignature(verifier, TEXT, withBytes(line, bytes)), { ok: false, reason: 'the signature does not verify' });
  const other = createCosigner(generateSignerKey('witness.example.com/w1').signerKey);
  const otherLine = cosignCheckpoint(other, TEXT, TIME);
  assert.equal(verifyCosignature(verifier, TEXT, otherLine).ok, false);
  const forged = lineBytes(otherLine);
  forged.writeUInt32BE(verifier.keyId, 0);
  assert.deepEqual(verifyCosignature(verifier, TEXT, withBytes(otherLine, forged)), { ok: false, reason: 'the signature does not verify' });
});

test('a flipped signature bit is rejected', () => {
  const line = cosignCheckpoint(cosigner, TEXT, TIME);
  const bytes = lineBytes(line);
  bytes[20] = (bytes[20] ?? 0) ^ 1;
  assert.equal(verifyCosignature(verifier, TEXT, withBytes(line, bytes)).ok, false);
});

test('the key ID hashes name, newline, 0x04 and the public key', () => {
  const key = Buffer.alloc(32, 7);
  const expected = createHash('sha256').update('w.example/x\n').update(Uint8Array.of(4)).update(key).digest().readUInt32BE(0);
  assert.equal(cosignatureKeyId('w.example/x', key), expected);
  const ed25519Id = createHash('sha256').update('w.example/x\n').update(Uint8Array.of(1)).update(key).digest().readUInt32BE(0);
  assert.notEqual(cosignatureKeyId('w.example/x', key), ed25519Id);
});

test('verifier keys carry the 0x04 type and round-trip', () => {
  const [name, id, ...rest] = cosigner.verifierKey.split('+');
  const encoded = rest.join('+');
  assert.equal(name, 'witness.example.com/w1');
  assert.equal(id, cosigner.keyId.toString(16).padStart(8, '0'));
  const bytes = Buffer.from(encoded, 'base64');
  assert.equal(bytes[0], 4);
  assert.equal(formatCosignatureVerifierKey('witness.example.com/w1', bytes.subarray(1)), cosigner.verifierKey);
  assert.equal(verifier.keyId, cosigner.keyId);
  assert.equal(verifier.name, cosigner.name);
});

test('malformed verifier keys are refused', () => {
  const publicKey = Buffer.from(cosigner.verifierKey.split('+').slice(2).join('+'), 'base64').subarray(1);
  const ed25519Style = `${cosigner.name}+${cosigner.verifierKey.split('+')[1] ?? ''}+${Buffer.concat([Uint8Array.of(1), publicKey]).toString('base64')}`;
  const wrongId = cosigner.verifierKey.replace(/\+[0-9a-f]{8}\+/, '+00000000+');
  for (const key of ['', 'no-plus', 'a+b', ed25519Style, wrongId, `bad name+${cosigner.verifierKey.split('+').slice(1).join('+')}`]) {
    assert.throws(() => parseCosignatureVerifierKey(key), (e: unknown) => isAppError(e, 'invalid_input'), key);
  }
});

test('malformed lines are rejected with a reason', () => {
  const line = cosignCheckpoint(cosigner, TEXT, TIME);
  const bytes = lineBytes(line);
  const cases = [
    '',
    line.slice(2),
    '— witness.example.com/w1',
    line.replace('witness.example.com/w1', 'witness.example.com/w2'),
    withBytes(line, bytes.subarray(0, 75)),
    withBytes(line, Buffer.concat([bytes, Uint8Array.of(0)])),
    line.replace(/=?\n$/, '!\n'),
  ];
  for (const bad of cases) {
    const result = verifyCosignature(verifier, TEXT, bad);
    assert.equal(result.ok, false, bad);
  }
  const huge = Buffer.from(bytes);
  huge.writeBigUInt64BE(2n ** 63n, 4);
  assert.deepEqual(verifyCosignature(verifier, TEXT, withBytes(line, huge)), { ok: false, reason: 'the timestamp is beyond 2^53-1' });
});

test('only checkpoints are cosigned, at non-negative integer times', () => {
  assert.throws(() => cosignCheckpoint(cosigner, 'not a checkpoint\n', TIME), (e: unknown) => isAppError(e, 'invalid_input'));
  assert.throws(() => cosignCheckpoint(cosigner, TEXT, -1), (e: unknown) => isAppError(e, 'invalid_input'));
  assert.throws(() => cosignCheckpoint(cosigner, TEXT, 1.5), (e: unknown) => isAppError(e, 'invalid_input'));
  const line = cosignCheckpoint(cosigner, TEXT, TIME);
  assert.equal(verifyCosignature(verifier, 'not a checkpoint\n', line).ok, false);
});
