// A checkpoint note: verified with its key and body, refused when changed or signed by another key.
import { expect, test } from 'vitest';
import { concatBytes, encodeBase64 } from './bytes.ts';
import { checkCheckpoint } from './checkpoint-check.ts';
import { ED25519_TYPE, keyIdOf, parseVerifierKey, type VerifierKey } from './signed-note.ts';

const encoder = new TextEncoder();
const ROOT_5 = 'fKo0Xb2JKmZFTWxlEuo8PqPw0+whvj/C4jdXBf049nI=';

async function signedCheckpoint(name: string): Promise<{ key: VerifierKey; note: string }> {
  const pair = await crypto.subtle.generateKey({ name: 'Ed25519' }, true, ['sign', 'verify']);
  const publicKey = new Uint8Array(await crypto.subtle.exportKey('raw', pair.publicKey));
  const keyId = await keyIdOf(name, ED25519_TYPE, publicKey);
  const parsed = await parseVerifierKey(`${name}+${keyId}+${encodeBase64(concatBytes(Uint8Array.of(ED25519_TYPE), publicKey))}`);
  if (!parsed.ok) throw new Error(parsed.reason);
  const text = `${name}\n5\n${ROOT_5}\n`;
  const signature = new Uint8Array(await crypto.subtle.sign({ name: 'Ed25519' }, pair.privateKey, encoder.encode(text)));
  const id = Uint8Array.from(keyId.match(/../g) ?? [], (h) => parseInt(h, 16));
  return { key: parsed.value, note: `${text}\n— ${name} ${encodeBase64(concatBytes(id, signature))}\n` };
}

test('a signed checkpoint verifies with its origin, size and root', async () => {
  const { key, note } = await signedCheckpoint('log.example/a');
  expect(await checkCheckpoint(note, key, [])).toMatchObject({ kind: 'verified', body: { origin: 'log.example/a', size: 5, rootBase64: ROOT_5 }, cosignatures: [] });
});

test('a changed size, another key, a broken note: each refused with its reason', async () => {
  const { key, note } = await signedCheckpoint('log.example/a');
  const other = await signedCheckpoint('log.example/a');
  expect(await checkCheckpoint(note.replace('\n5\n', '\n6\n'), key, [])).toMatchObject({ kind: 'failed', reason: expect.stringMatching(/^bad signature/) as unknown });
  expect(await checkCheckpoint(other.note, key, [])).toMatchObject({ kind: 'failed', reason: expect.stringMatching(/^unknown key/) as unknown });
  expect(await checkCheckpoint('log.example/a\n5\n', key, [])).toMatchObject({ kind: 'failed', reason: expect.stringMatching(/^malformed note/) as unknown });
});
