// C2SP signed-note in the browser: verifier keys, the note's text and signature lines, Ed25519 checked with WebCrypto.
import { concatBytes, decodeBase64, hex, sha256 } from './bytes.ts';

/** The signature type bytes: Ed25519 note signatures, and witnesses' cosignature/v1. */
export const ED25519_TYPE = 0x01;
export const COSIGNATURE_V1_TYPE = 0x04;
const SIGNATURE_PREFIX = '\u2014 ';
const MAX_NOTE_LENGTH = 1 << 16;

export interface VerifierKey {
  readonly name: string;
  /** 8 lower-case hex digits. */
  readonly keyId: string;
  readonly type: number;
  readonly publicKey: Uint8Array;
  /** The key as given (`<name>+<key ID>+<base64(type ‖ key)>`). */
  readonly text: string;
}

export interface SignatureLine {
  readonly name: string;
  readonly keyId: string;
  /** What follows the key ID: the signature (a cosignature/v1 line: an 8-byte time, then the signature). */
  readonly payload: Uint8Array;
}

export type Parsed<T> = { readonly ok: true; readonly value: T } | { readonly ok: false; readonly reason: string };

const encoder = new TextEncoder();

function isKeyName(name: string): boolean {
  return name.length > 0 && !/[\s+]/u.test(name);
}

/** Key ID: the first 4 bytes of SHA-256(name ‖ 0x0A ‖ type ‖ public key), as 8 hex digits. */
export async function keyIdOf(name: string, type: number, publicKey: Uint8Array): Promise<string> {
  return hex((await sha256(encoder.encode(name), Uint8Array.of(0x0a, type), publicKey)).subarray(0, 4));
}

/**
 * Parses a verifier key of the given type, checking its form, length and key ID.
 * @example await parseVerifierKey('example.com/foo+530d903a+AekyeRrm56hApGFkyQR4ZCbV54Id2LKaANYcrnKv3U2k') // { ok: true, value }
 */
export async function parseVerifierKey(text: string, type = ED25519_TYPE): Promise<Parsed<VerifierKey>> {
  const trimmed = text.trim();
  // The base64 key may itself hold '+': only the first two separate fields.
  const first = trimmed.indexOf('+');
  const second = first < 0 ? -1 : trimmed.indexOf('+', first + 1);
  const name = trimmed.slice(0, first);
  const keyId = trimmed.slice(first + 1, second);
  const encoded = trimmed.slice(second + 1);
  if (second < 0 || !isKeyName(name)) return { ok: false, reason: 'a verifier key has the form <name>+<key ID>+<base64 key>' };
  if (!/^[0-9a-f]{8}$/.test(keyId)) return { ok: false, reason: `key ID "${keyId.slice(0, 16)}" is not 8 lower-case hex digits` };
  const bytes = decodeBase64(encoded);
  if (bytes?.length !== 33 || bytes[0] !== type) return { ok: false, reason: `the key must be base64 of 0x0${type} and a 32-byte Ed25519 public key` };
  const publicKey = bytes.subarray(1);
  const expected = await keyIdOf(name, type, publicKey);
  if (expected !== keyId) return { ok: false, reason: `key ID ${keyId} does not match the key (it hashes to ${expected})` };
  return { ok: true, value: { name, keyId, type, publicKey, text: trimmed } };
}

function hasControlCharacter(text: string): boolean {
  for (let i = 0; i < text.length; i += 1) {
    const code = text.charCodeAt(i);
    if ((code < 0x20 && code !== 0x0a) || code === 0x7f) return true;
  }
  return false;
}

/**
 * Splits a note into its signed text (up to and including the newline before the blank line) and its signature lines.
 * @example splitNote('hello\n\n— example.com/foo Uw2Q…=\n').value.text // 'hello\n'
 */
export function splitNote(note: string): Parsed<{ text: string; signatures: SignatureLine[] }> {
  if (note.length > MAX_NOTE_LENGTH) return { ok: false, reason: 'the note is too long' };
  if (hasControlCharacter(note)) return { ok: false, reason: 'the note contains a control character other than newline' };
  const split = note.lastIndexOf('\n\n');
  if (split < 0) return { ok: false, reason: 'no blank line separates the text from the signatures' };
  const block = note.slice(split + 2);
  if (block === '' || !block.endsWith('\n')) return { ok: false, reason: 'the signature lines must follow the blank line, each ending in a newline' };
  const signatures: SignatureLine[] = [];
  for (const line of block.slice(0, -1).split('\n')) {
    const parsed = parseSignatureLine(line);
    if (!parsed.ok) return parsed;
    signatures.push(parsed.value);
  }
  return { ok: true, value: { text: note.slice(0, split + 1), signatures } };
}

function parseSignatureLine(line: string): Parsed<SignatureLine> {
  const bad = { ok: false, reason: `bad signature line "${line.slice(0, 80)}"` } as const;
  if (!line.startsWith(SIGNATURE_PREFIX)) return bad;
  const body = line.slice(SIGNATURE_PREFIX.length);
  const space = body.indexOf(' ');
  const name = body.slice(0, space);
  const bytes = space > 0 ? decodeBase64(body.slice(space + 1)) : undefined;
  if (!isKeyName(name) || bytes === undefined || bytes.length < 5) return bad;
  return { ok: true, value: { name, keyId: hex(bytes.subarray(0, 4)), payload: bytes.subarray(4) } };
}

/** Ed25519 through WebCrypto; false for a key or signature WebCrypto will not take. */
export async function verifyEd25519(publicKey: Uint8Array, message: Uint8Array, signature: Uint8Array): Promise<boolean> {
  if (signature.length !== 64) return false;
  try {
    const key = await crypto.subtle.importKey('raw', concatBytes(publicKey), { name: 'Ed25519' }, false, ['verify']);
    return await crypto.subtle.verify({ name: 'Ed25519' }, key, concatBytes(signature), concatBytes(message));
  } catch {
    return false;
  }
}

export type NoteCheck =
  | { readonly kind: 'verified'; readonly text: string; readonly signatures: readonly SignatureLine[] }
  | { readonly kind: 'malformed'; readonly reason: string }
  | { readonly kind: 'unknown-key'; readonly reason: string }
  | { readonly kind: 'bad-signature'; readonly reason: string };

/**
 * Checks a note against one Ed25519 verifier key: other signature lines are ignored, as the spec says.
 * @example (await verifyNote(note, key)).kind // 'verified'
 */
export async function verifyNote(note: string, key: VerifierKey): Promise<NoteCheck> {
  const split = splitNote(note);
  if (!split.ok) return { kind: 'malformed', reason: split.reason };
  const mine = split.value.signatures.filter((s) => s.name === key.name && s.keyId === key.keyId);
  const label = `${key.name}+${key.keyId}`;
  if (mine.length === 0) {
    const names = split.value.signatures.map((s) => `${s.name}+${s.keyId}`).join(', ');
    return { kind: 'unknown-key', reason: `the note has no signature by ${label} (it is signed by ${names})` };
  }
  if (mine.length > 1) return { kind: 'malformed', reason: `the note carries two signatures by ${label}` };
  const [signature] = mine;
  if (signature === undefined || !(await verifyEd25519(key.publicKey, encoder.encode(split.value.text), signature.payload))) {
    return { kind: 'bad-signature', reason: `the signature by ${label} does not verify` };
  }
  return { kind: 'verified', text: split.value.text, signatures: split.value.signatures };
}
