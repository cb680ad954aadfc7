// C2SP tlog-cosignature `cosignature/v1`: witness keys (signature type 0x04), cosigning and checking checkpoints.
import { createHash, createPublicKey, verify } from 'node:crypto';
import type { KeyObject } from 'node:crypto';
import { AppError } from '../shared/app-error.ts';
import { parseCheckpoint } from './checkpoint.ts';
import { createSigner, decodeBase64Strict, isValidKeyName } from './signed-note.ts';

/** Signs cosignature/v1 messages as one named witness key. */
export interface Cosigner {
  name: string;
  keyId: number;
  /** `<name>+<8 hex>+<base64(0x04 ‖ public key)>` */
  verifierKey: string;
  sign(message: Uint8Array): Uint8Array;
}

/** Checks cosignature/v1 signatures of one named witness key. */
export interface CosignatureVerifier {
  name: string;
  keyId: number;
  verifierKey: string;
  verify(message: Uint8Array, signature: Uint8Array): boolean;
}

export type CosignatureCheck = { ok: true; timeSeconds: number } | { ok: false; reason: string };

/** The signed-note signature type of cosignature/v1. */
export const COSIGNATURE_V1_TYPE = 0x04;
const PUBLIC_KEY_SIZE = 32;
const SIGNATURE_SIZE = 64;
const TIMESTAMP_SIZE = 8;
const LINE_BYTES = 4 + TIMESTAMP_SIZE + SIGNATURE_SIZE;
const SIGNATURE_PREFIX = '\u2014 ';
const SPKI_PREFIX = Buffer.from('302a300506032b6570032100', 'hex');
const encoder = new TextEncoder();

function hex8(keyId: number): string {
  return keyId.toString(16).padStart(8, '0');
}

/**
 * Key ID of a witness key: first 4 bytes (big-endian) of SHA-256(name ‖ 0x0A ‖ 0x04 ‖ public key).
 * @example cosignatureKeyId('witness.example.com/w1', publicKey) // 0x1a2b3c4d
 */
export function cosignatureKeyId(name: string, publicKey: Uint8Array): number {
  const digest = createHash('sha256').update(name, 'utf8').update(Uint8Array.of(0x0a, COSIGNATURE_V1_TYPE)).update(publicKey).digest();
  return digest.readUInt32BE(0);
}

/**
 * Formats a witness verifier key `<name>+<8 hex key ID>+<base64(0x04 ‖ public key)>`.
 * @example formatCosignatureVerifierKey('witness.example.com/w1', publicKey)
 */
export function formatCosignatureVerifierKey(name: string, publicKey: Uint8Array): string {
  if (!isValidKeyName(name)) throw new AppError('invalid_input', `witness name "${name.slice(0, 100)}" is invalid`);
  if (publicKey.length !== PUBLIC_KEY_SIZE) throw new AppError('invalid_input', `witness public key has ${publicKey.length} bytes, not ${PUBLIC_KEY_SIZE}`);
  const encoded = Buffer.concat([Uint8Array.of(COSIGNATURE_V1_TYPE), publicKey]).toString('base64');
  return `${name}+${hex8(cosignatureKeyId(name, publicKey))}+${encoded}`;
}

function ed25519PublicKey(name: string, key: Uint8Array): KeyObject {
  try {
    return createPublicKey({ key: Buffer.concat([SPKI_PREFIX, key]), format: 'der', type: 'spki' });
  } catch (cause) {
    throw new AppError('invalid_input', `witness verifier key for "${name}" is not a valid Ed25519 public key`, { cause });
  }
}

/**
 * Parses a witness verifier key, checking the name, the 0x04 type byte and the key ID.
 * @example parseCosignatureVerifierKey(cosigner.verifierKey).keyId === cosigner.keyId
 */
export function parseCosignatureVerifierKey(verifierKey: string): CosignatureVerifier {
  const bad = (why: string): AppError => new AppError('invalid_input', `witness verifier key "${verifierKey.slice(0, 120)}" ${why}`);
  const first = verifierKey.indexOf('+');
  const second = first < 0 ? -1 : verifierKey.indexOf('+', first + 1);
  if (second < 0) throw bad('must have the form <name>+<key ID>+<base64 key>');
  const name = verifierKey.slice(0, first);
  const id = verifierKey.slice(first + 1, second);
  if (!isValidKeyName(name)) throw bad('has an invalid name');
  if (!/^[0-9a-f]{8}$/.test(id)) throw bad('has a key ID that is not 8 lowercase hex digits');
  const bytes = decodeBase64Strict(verifierKey.slice(second + 1));
  if (bytes?.length !== 1 + PUBLIC_KEY_SIZE || bytes[0] !== COSIGNATURE_V1_TYPE) {
    throw bad('must end with base64 of 0x04 and a 32-byte Ed25519 key');
  }
  const key = bytes.subarray(1);
  const keyId = cosignatureKeyId(name, key);
  if (hex8(keyId) !== id) throw bad(`has key ID ${id}, but its key hashes to ${hex8(keyId)}`);
  const publicKey = ed25519PublicKey(name, key);
  return {
    name,
    keyId,
    verifierKey,
    verify: (message, signature) => signature.length === SIGNATURE_SIZE && verify(null, message, publicKey, signature),
  };
}

/**
 * Creates a witness cosigner from an Ed25519 signer key string (`PRIVATE+KEY+<name>+<id>+<base64(0x01 ‖ seed)>`,
 * as signed-note writes them); the witness key ID and verifier key use type 0x04.
 * @example createCosigner(generateSignerKey('witness.example.com/w1').signerKey).verifierKey
 */
export function createCosigner(signerKey: string): Cosigner {
  const signer = createSigner(signerKey);
  const encoded = signer.verifierKey.slice(signer.verifierKey.indexOf('+', signer.name.length + 1) + 1);
  const publicKey = decodeBase64Strict(encoded)?.subarray(1);
  if (publicKey === undefined) throw new AppError('internal', 'signer verifier key did not decode');
  const verifierKey = formatCosignatureVerifierKey(signer.name, publicKey);
  return { name: signer.name, keyId: cosignatureKeyId(signer.name, publicKey), verifierKey, sign: (m) => signer.sign(m) };
}

function isTime(timeSeconds: number): boolean {
  return Number.isSafeInteger(timeSeconds) && timeSeconds >= 0;
}

/**
 * The signed message: "cosignature/v1\ntime <seconds>\n" followed by the checkpoint note text.
 * @example cosignatureMessage('example.com/log\n5\nAbc…=\n', 1700000000)
 */
export function cosignatureMessage(checkpointText: string, timeSeconds: number): Uint8Array {
  return encoder.encode(`cosignature/v1\ntime ${String(timeSeconds)}\n${checkpointText}`);
}

/**
 * Cosigns checkpoint note text (without signatures) at `timeSeconds`; returns `— <name> <base64>\n`.
 * @example cosignCheckpoint(cosigner, openNote(note, logVerifiers).text, 1700000000)
 */
export function cosignCheckpoint(cosigner: Cosigner, checkpointText: string, timeSeconds: number): string {
  if (!isTime(timeSeconds)) throw new AppError('invalid_input', `cosignature time ${String(timeSeconds)} is not a non-negative safe integer`);
  parseCheckpoint(checkpointText);
  const bytes = Buffer.alloc(LINE_BYTES);
  bytes.writeUInt32BE(cosigner.keyId >>> 0, 0);
  bytes.writeBigUInt64BE(BigInt(timeSeconds), 4);
  const signature = cosigner.sign(cosignatureMessage(checkpointText, timeSeconds));
  if (signature.length !== SIGNATURE_SIZE) throw new AppError('internal', `cosigner returned ${signature.length} signature bytes`);
  bytes.set(signature, 4 + TIMESTAMP_SIZE);
  return `${SIGNATURE_PREFIX}${cosigner.name} ${bytes.toString('base64')}\n`;
}

/**
 * Checks one cosignature line (with or without its final newline) over checkpoint note text.
 * @example verifyCosignature(parseCosignatureVerifierKey(vkey), text, line) // { ok: true, timeSeconds: 1700000000 }
 */
export function verifyCosignature(verifier: CosignatureVerifier, checkpointText: string, line: string): CosignatureCheck {
  const body = line.endsWith('\n') ? line.slice(0, -1) : line;
  if (!body.startsWith(SIGNATURE_PREFIX)) return { ok: false, reason: 'the line does not start with "— "' };
  const rest = body.slice(SIGNATURE_PREFIX.length);
  const space = rest.indexOf(' ');
  if (space < 0) return { ok: false, reason: 'the line has no space between name and signature' };
  const name = rest.slice(0, space);
  if (name !== verifier.name) return { ok: false, reason: `the line is signed by "${name.slice(0, 100)}", not "${verifier.name}"` };
  const bytes = decodeBase64Strict(rest.slice(space + 1));
  if (bytes?.length !== LINE_BYTES) return { ok: false, reason: `the signature is not base64 of ${LINE_BYTES} bytes` };
  const view = Buffer.from(bytes);
  const keyId = view.readUInt32BE(0);
  if (keyId !== verifier.keyId) return { ok: false, reason: `key ID ${hex8(keyId)} is not ${hex8(verifier.keyId)}` };
  const time = view.readBigUInt64BE(4);
  if (time > BigInt(Number.MAX_SAFE_INTEGER)) return { ok: false, reason: 'the timestamp is beyond 2^53-1' };
  const timeSeconds = Number(time);
  try {
    parseCheckpoint(checkpointText);
  } catch {
    return { ok: false, reason: 'the cosigned text is not a checkpoint' };
  }
  const message = cosignatureMessage(checkpointText, timeSeconds);
  if (!verifier.verify(message, view.subarray(4 + TIMESTAMP_SIZE))) return { ok: false, reason: 'the signature does not verify' };
  return { ok: true, timeSeconds };
}
