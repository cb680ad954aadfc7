// An event's proof checked as the audit page does: verified, or the exact step that failed.
import { describe, expect, test } from 'vitest';
import { concatBytes, decodeBase64, encodeBase64 } from './bytes.ts';
import { checkEventProof, leafTilePath, type EventProofInput } from './event-proof-check.ts';
import { leafHash, merkleRoot } from './merkle-proof.ts';
import { COSIGNATURE_V1_TYPE, ED25519_TYPE, keyIdOf, parseVerifierKey, type VerifierKey } from './signed-note.ts';

const ORIGIN = 'test.example/log';
const encoder = new TextEncoder();

interface TestSigner { readonly key: VerifierKey; sign(message: Uint8Array): Promise<Uint8Array> }

async function signer(name: string, type: number): Promise<TestSigner> {
  const pair = await crypto.subtle.generateKey({ name: 'Ed25519' }, true, ['sign', 'verify']);
  const publicKey = new Uint8Array(await crypto.subtle.exportKey('raw', pair.publicKey));
  const parsed = await parseVerifierKey(`${name}+${await keyIdOf(name, type, publicKey)}+${encodeBase64(concatBytes(Uint8Array.of(type), publicKey))}`, type);
  if (!parsed.ok) throw new Error(parsed.reason);
  return { key: parsed.value, sign: async (message) => new Uint8Array(await crypto.subtle.sign({ name: 'Ed25519' }, pair.privateKey, concatBytes(message))) };
}

function line(s: TestSigner, payload: Uint8Array): string {
  const id = Uint8Array.from(s.key.keyId.match(/../g) ?? [], (h) => parseInt(h, 16));
  return `— ${s.key.name} ${encodeBase64(concatBytes(id, payload))}\n`;
}

const log = await signer(ORIGIN, ED25519_TYPE);
const witness = await signer('witness.example/w1', COSIGNATURE_V1_TYPE);
const entries = Array.from({ length: 5 }, (_, i) => encoder.encode(`{"id":"event-${i}","type":"app.thing.done"}`));
const leaves = await Promise.all(entries.map((e) => leafHash(e)));
const root = encodeBase64(await merkleRoot(leaves));
const text = `${ORIGIN}\n5\n${root}\n`;
const time = new Uint8Array(8);
new DataView(time.buffer).setBigUint64(0, 1_700_000_000n);
const cosignature = concatBytes(time, await witness.sign(encoder.encode(`cosignature/v1\ntime 1700000000\n${text}`)));
const note = `${text}\n${line(log, await log.sign(encoder.encode(text)))}${line(witness, cosignature)}`;

/** Index 2 of 5: sibling leaf 3, then the root of leaves 0-1, then leaf 4. */
async function answer(): Promise<EventProofInput> {
  const proof = [leaves[3], await merkleRoot(leaves.slice(0, 2)), leaves[4]].map((h) => encodeBase64(h ?? new Uint8Array()));
  return { eventId: 'event-2', index: 2, entry: encodeBase64(entries[2] ?? new Uint8Array()), inclusionProof: { leafIndex: 2, treeSize: 5, hashes: proof }, checkpoint: { size: 5, rootHash: root, note } };
}

function flipFirstByte(base64: string): string {
  const bytes = decodeBase64(base64) ?? new Uint8Array(32);
  bytes[0] = (bytes[0] ?? 0) ^ 0x01;
  return encodeBase64(bytes);
}

describe('checkEventProof', () => {
  test('verified, with the witness that cosigned and when', async () => {
    const check = await checkEventProof(await answer(), log.key, { witnessKeys: [witness.key], leafTile: concatBytes(...leaves) });
    expect(check).toMatchObject({ kind: 'verified', origin: ORIGIN, treeSize: 5, rootBase64: root, cosignatures: [{ name: 'witness.example/w1', timeSeconds: 1_700_000_000, status: 'verified' }] });
    const unchecked = await checkEventProof(await answer(), log.key);
    expect(unchecked.kind === 'verified' && unchecked.cosignatures[0]?.status).toBe('unchecked');
  });

  test('a flipped proof hash: the proof does not reach the root', async () => {
    const a = await answer();
    const hashes = a.inclusionProof?.hashes ?? [];
    const tampered = { ...a, inclusionProof: { leafIndex: 2, treeSize: 5, hashes: [hashes[0] ?? '', flipFirstByte(hashes[1] ?? ''), hashes[2] ?? ''] } };
    expect(await checkEventProof(tampered, log.key)).toMatchObject({ kind: 'failed', step: 'proof', reason: expect.stringMatching(/^proof does not reach the root/) as unknown });
  });

  test('other entry bytes, or a tile holding another leaf hash: leaf hash mismatch', async () => {
    const a = await answer();
    expect(await checkEventProof({ ...a, entry: encodeBase64(entries[3] ?? new Uint8Array()) }, log.key)).toMatchObject({ kind: 'failed', step: 'leaf' });
    const tile = concatBytes(...leaves);
    tile[2 * 32] = (tile[2 * 32] ?? 0) ^ 1;
    expect(await checkEventProof(a, log.key, { leafTile: tile })).toMatchObject({ kind: 'failed', step: 'leaf', reason: expect.stringMatching(/^leaf hash mismatch/) as unknown });
  });

  test("an answer whose root is not the note's: root differs from the checkpoint's", async () => {
    const a = await answer();
    expect(await checkEventProof({ ...a, checkpoint: { size: 5, rootHash: flipFirstByte(root), note } }, log.key)).toMatchObject({ kind: 'failed', step: 'checkpoint' });
  });

  test('a changed note, another key, a broken note: bad signature, unknown key, malformed note', async () => {
    const a = await answer();
    const other = await signer(ORIGIN, ED25519_TYPE);
    const withNote = (n: string): EventProofInput => ({ ...a, checkpoint: { size: 5, rootHash: root, note: n } });
    expect(await checkEventProof(withNote(note.replace('\n5\n', '\n6\n')), log.key)).toMatchObject({ kind: 'failed', step: 'signature' });
    expect(await checkEventProof(a, other.key)).toMatchObject({ kind: 'failed', step: 'key' });
    expect(await checkEventProof(withNote(text), log.key)).toMatchObject({ kind: 'failed', step: 'note' });
  });

  test('a pending event is neither verified nor failed', async () => {
    expect((await checkEventProof({ ...(await answer()), index: null, inclusionProof: null, checkpoint: null }, log.key)).kind).toBe('pending');
  });
});

test('tile paths: three-digit groups, partial tiles', () => {
  expect(leafTilePath(2, 5)).toBe('/log/tile/0/000.p/5');
  expect(leafTilePath(300, 1000)).toBe('/log/tile/0/001');
  expect(leafTilePath(1234067 * 256 + 5, 1234067 * 256 + 10)).toBe('/log/tile/0/x001/x234/067.p/10');
});
