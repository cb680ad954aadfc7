// C2SP signed-note with Ed25519 keys: key strings (Go sumdb/note format), signing and opening notes.
import { createHash, createPrivateKey, createPublicKey, generateKeyPairSync, sign, verify } from 'node:crypto';
import type { KeyObject } from 'node:crypto';
import { AppError } from '../shared/app-error.ts';

/** Signs note text as one named Ed25519 key. */
export interface NoteSigner {
  name: string;
  keyId: number;
  verifierKey: string;
  sign(message: Uint8Array): Uint8Array;
}

/** Checks signatures of one named Ed25519 key. */
export interface NoteVerifier {
  name: string;
  keyId: number;
  verify(message: Uint8Array, signature: Uint8Array): boolean;
}

/** An opened note: its text, the known keys that signed it and the signature lines of unknown keys. */
export interface OpenedNote {
  text: string;
  verifiedBy: NoteVerifier[];
  unverified: { name: string; keyId: number }[];
}

const ED25519_TYPE = 0x01;
const PUBLIC_KEY_SIZE = 32;
const SIGNATURE_SIZE = 64;
const MAX_SIGNATURES = 100;
const SIGNATURE_PREFIX = '\u2014 ';
const SPKI_PREFIX = Buffer.from('302a300506032b6570032100', 'hex');
const PKCS8_PREFIX = Buffer.from('302e020100300506032b657004220420', 'hex');
const BASE64 = /^(?:[A-Za-z0-9+/]{4})*(?:[A-Za-z0-9+/]{2}==|[A-Za-z0-9+/]{3}=)?$/;
const encoder = new TextEncoder();

/**
 * Decodes standard padded base64 (RFC 4648 §4), refusing any other spelling of the same bytes.
 * @example decodeBase64Strict('AAE=') // Uint8Array [0, 1]; decodeBase64Strict('AAF=') → undefined
 */
export function decodeBase64Strict(text: string): Uint8Array | undefined {
  if (!BASE64.test(text)) return undefined;
  const bytes = Buffer.from(text, 'base64');
  return bytes.toString('base64') === text ? bytes : undefined;
}

/**
 * True when `text` holds an ASCII control character (below U+0020), other than newline when `allowNewline`.
 * @example containsControlCharacter('a\tb') // true
 */
export function containsControlCharacter(text: string, allowNewline = false): boolean {
  for (let i = 0; i < text.length; i++) {
    const code = text.charCodeAt(i);
    if (code < 0x20 && !(allowNewline && code === 0x0a)) return true;
  }
  return false;
}

/** True for a valid key name: non-empty, no '+', no Unicode spaces, no control characters, well-formed UTF-16. */
export function isValidKeyName(name: string): boolean {
  return name.length > 0 && !/[+\s\u0085\p{Z}\p{Cc}]|\p{Cs}/u.test(name);
}

function checkName(name: string): void {
  if (!isValidKeyName(name)) {
    throw new AppError('invalid_input', `key name "${name.slice(0, 100)}" is invalid: it must be non-empty, without spaces, '+' or control characters`);
  }
}

/** Key ID = first 4 bytes (big-endian) of SHA-256(name ‖ 0x0A ‖ 0x01 ‖ public key). */
function keyIdOf(name: string, publicKey: Uint8Array): number {
  const digest = createHash('sha256').update(name, 'utf8').update(Uint8Array.of(0x0a, ED25519_TYPE)).update(publicKey).digest();
  return digest.readUInt32BE(0);
}

function hex8(keyId: number): string {
  return keyId.toString(16).padStart(8, '0');
}

/** Splits at the first `count` '+' signs (the base64 key after them may itself contain '+'). */
function cutPlus(text: string, count: number): string[] | undefined {
  const parts: string[] = [];
  let rest = text;
  for (let i = 0; i < count; i++) {
    const at = rest.indexOf('+');
    if (at < 0) return undefined;
    parts.push(rest.slice(0, at));
    rest = rest.slice(at + 1);
  }
  return [...parts, rest];
}

/** Parses `<name>`, `<8 hex>`, `<base64(0x01 ‖ 32 bytes)>` (the fields after any PRIVATE+KEY+ prefix). */
function parseKeyFields(what: string, fields: string[]): { name: string; id: string; key: Uint8Array } {
  const [name = '', id = '', encoded = ''] = fields;
  checkName(name);
  if (!/^[0-9a-f]{8}$/.test(id)) throw new AppError('invalid_input', `${what} for "${name}" has key ID "${id.slice(0, 16)}", not 8 lowercase hex digits`);
  const bytes = decodeBase64Strict(encoded);
  if (bytes?.length !== 1 + PUBLIC_KEY_SIZE || bytes[0] !== ED25519_TYPE) {
    throw new AppError('invalid_input', `${what} for "${name}" must end with base64 of 0x01 and a 32-byte Ed25519 key`);
  }
  return { name, id, key: bytes.subarray(1) };
}

function checkKeyId(what: string, name: string, id: string, publicKey: Uint8Array): number {
  const keyId = keyIdOf(name, publicKey);
  if (hex8(keyId) !== id) throw new AppError('invalid_input', `${what} for "${name}" has key ID ${id}, but its key hashes to ${hex8(keyId)}`);
  return keyId;
}

function privateKeyFromSeed(seed: Uint8Array): KeyObject {
  return createPrivateKey({ key: Buffer.concat([PKCS8_PREFIX, seed]), format: 'der', type: 'pkcs8' });
}

function publicKeyBytes(key: KeyObject): Uint8Array {
  return createPublicKey(key).export({ format: 'der', type: 'spki' }).subarray(SPKI_PREFIX.length);
}

function encodeKey(key: Uint8Array): string {
  return Buffer.concat([Uint8Array.of(ED25519_TYPE), key]).toString('base64');
}

/**
 * Generates a fresh Ed25519 key named `name`, as Go sumdb/note signer and verifier key strings.
 * @example generateSignerKey('audit.example.com/writ') // { signerKey: 'PRIVATE+KEY+audit…', verifierKey: 'audit…+1a2b3c4d+A…' }
 */
export function generateSignerKey(name: string): { signerKey: string; verifierKey: string } {
  checkName(name);
  const { privateKey } = generateKeyPairSync('ed25519');
  const seed = privateKey.export({ format: 'der', type: 'pkcs8' }).subarray(PKCS8_PREFIX.length);
  const publicKey = publicKeyBytes(privateKey);
  const id = hex8(keyIdOf(name, publicKey));
  return { signerKey: `PRIVATE+KEY+${name}+${id}+${encodeKey(seed)}`, verifierKey: `${name}+${id}+${encodeKey(publicKey)}` };
}

/**
 * Creates a signer from a `PRIVATE+KEY+<name>+<8 hex>+<base64(0x01 ‖ seed)>` key string, checking name and key ID.
 * @example createSigner(signerKey).verifierKey // the matching verifier key string
 */
export function createSigner(signerKey: string): NoteSigner {
  const fields = cutPlus(signerKey, 4);
  if (fields?.[0] !== 'PRIVATE' || fields[1] !== 'KEY') {
    throw new AppError('invalid_input', 'signer key must have the form PRIVATE+KEY+<name>+<key ID>+<base64 key>');
  }
  const { name, id, key: seed } = parseKeyFields('signer key', fields.slice(2));
  const key = privateKeyFromSeed(seed);
  const publicKey = publicKeyBytes(key);
  const keyId = checkKeyId('signer key', name, id, publicKey);
  const verifierKey = `${name}+${id}+${encodeKey(publicKey)}`;
  return { name, keyId, verifierKey, sign: (message) => sign(null, message, key) };
}

/**
 * Creates a verifier from a `<name>+<8 hex>+<base64(0x01 ‖ public key)>` key string, checking name and key ID.
 * @example createVerifier('example.com/foo+530d903a+AekyeRrm56hApGFkyQR4ZCbV54Id2LKaANYcrnKv3U2k')
 */
export function createVerifier(verifierKey: string): NoteVerifier {
  const fields = cutPlus(verifierKey, 2);
  if (fields === undefined) throw new AppError('invalid_input', 'verifier key must have the form <name>+<key ID>+<base64 key>');
  const { name, id, key } = parseKeyFields('verifier key', fields);
  const keyId = checkKeyId('verifier key', name, id, key);
  let publicKey: KeyObject;
  try {
    publicKey = createPublicKey({ key: Buffer.concat([SPKI_PREFIX, key]), format: 'der', type: 'spki' });
  } catch (cause) {
    throw new AppError('invalid_input', `verifier key for "${name}" is not a valid Ed25519 public key`, { cause });
  }
  return {
    name,
    keyId,
    verify: (message, signature) => signature.length === SIGNATURE_SIZE && verify(null, message, publicKey, signature),
  };
}

/** Why `text` cannot be note text, or undefined when it can. */
function textProblem(text: string): string | undefined {
  if (!text.endsWith('\n')) return 'does not end with a newline';
  if (/\p{Cs}/u.test(text)) return 'is not valid Unicode (lone surrogate)';
  if (containsControlCharacter(text, true)) return 'contains a control character other than newline';
  return undefined;
}

/**
 * Signs `text` (ending in a newline) with every signer and returns the signed note.
 * @example signNote('audit.example.com/writ\n12\nAbc…=\n', [signer])
 */
export function signNote(text: string, signers: NoteSigner[]): string {
  const problem = textProblem(text);
  if (problem !== undefined) throw new AppError('invalid_input', `note text ${problem}`);
  if (signers.length === 0 || signers.length > MAX_SIGNATURES) throw new AppError('invalid_input', `a note needs 1 to ${MAX_SIGNATURES} signers, got ${signers.length}`);
  const message = encoder.encode(text);
  const seen = new Set<string>();
  const lines = signers.map((signer) => {
    checkName(signer.name);
    const key = `${signer.name}+${hex8(signer.keyId)}`;
    if (seen.has(key)) throw new AppError('invalid_input', `note signer ${key} is given twice`);
    seen.add(key);
    const id = Buffer.alloc(4);
    id.writeUInt32BE(signer.keyId >>> 0);
    return `${SIGNATURE_PREFIX}${signer.name} ${Buffer.concat([id, signer.sign(message)]).toString('base64')}\n`;
  });
  return `${text}\n${lines.join('')}`;
}

/** Splits a note into text and signature lines, or says why it is malformed. */
/**
 * Splits a signed note into its text (ending in a newline) and its signature lines (without newlines), checking only the form.
 * @example splitSignedNote(note).lines[0] // '— example.com/log AbCd…'
 */
export function splitSignedNote(note: string): { text: string; lines: string[] } {
  const malformed = (why: string): AppError => new AppError('invalid_input', `signed note is malformed: ${why}`);
  if (/\p{Cs}/u.test(note)) throw malformed('it is not valid Unicode');
  if (containsControlCharacter(note, true)) throw malformed('it contains a control character other than newline');
  const split = note.lastIndexOf('\n\n');
  if (split < 0) throw malformed('no blank line separates the text from the signatures');
  const signatures = note.slice(split + 2);
  if (signatures.length === 0 || !signatures.endsWith('\n')) throw malformed('the signature lines must follow the blank line, each ending in a newline');
  const lines = signatures.slice(0, -1).split('\n');
  if (lines.length > MAX_SIGNATURES) throw malformed(`it has more than ${MAX_SIGNATURES} signatures`);
  return { text: note.slice(0, split + 1), lines };
}

/** Parses `— <name> <base64(key ID ‖ signature)>`. */
function parseSignatureLine(line: string): { name: string; keyId: number; signature: Uint8Array } {
  const malformed = new AppError('invalid_input', `signed note is malformed: bad signature line "${line.slice(0, 120)}"`);
  if (!line.startsWith(SIGNATURE_PREFIX)) throw malformed;
  const body = line.slice(SIGNATURE_PREFIX.length);
  const space = body.indexOf(' ');
  const name = body.slice(0, space);
  const bytes = space > 0 ? decodeBase64Strict(body.slice(space + 1)) : undefined;
  if (!isValidKeyName(name) || bytes === undefined || bytes.length < 5) throw malformed;
  return { name, keyId: Buffer.from(bytes).readUInt32BE(0), signature: bytes.subarray(4) };
}

/**
 * Opens a signed note: checks every signature of a known key (name and key ID both match a verifier) and ignores
 * unknown ones. Throws AppError('invalid_input') if it is malformed, a known signature is bad or repeated, or no
 * known key signed it.
 * @example openNote(note, [createVerifier(verifierKey)]).text
 */
export function openNote(note: string, verifiers: NoteVerifier[]): OpenedNote {
  const { text, lines } = splitSignedNote(note);
  const message = encoder.encode(text);
  const verifiedBy: NoteVerifier[] = [];
  const unverified: { name: string; keyId: number }[] = [];
  const seen = new Set<string>();
  for (const line of lines) {
    const { name, keyId, signature } = parseSignatureLine(line);
    const key = `${name}+${hex8(keyId)}`;
    const verifier = verifiers.find((v) => v.name === name && v.keyId === keyId);
    if (verifier === undefined) {
      if (!seen.has(key)) unverified.push({ name, keyId });
    } else if (seen.has(key)) {
      throw new AppError('invalid_input', `signed note carries two signatures by ${key}`);
    } else if (!verifier.verify(message, signature)) {
      throw new AppError('invalid_input', `signed note has an invalid signature by ${key}`);
    } else {
      verifiedBy.push(verifier);
    }
    seen.add(key);
  }
  if (verifiedBy.length === 0) {
    const names = verifiers.map((v) => `${v.name}+${hex8(v.keyId)}`).join(', ');
    throw new AppError('invalid_input', `signed note carries no signature by a known key (known: ${names || 'none'})`);
  }
  return { text, verifiedBy, unverified };
}
