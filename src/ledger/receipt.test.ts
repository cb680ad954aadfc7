import assert from 'node:assert/strict';
import { test } from 'node:test';
import { isAppError } from '../shared/app-error.ts';
import { formatCheckpoint } from './checkpoint.ts';
import { leafHash } from './hash.ts';
import { referenceInclusionProof, referenceRoot } from './merkle-reference.ts';
import { formatReceipt, parseReceipt, verifyReceipt } from './receipt.ts';
import { createSigner, createVerifier, generateSignerKey, signNote } from './signed-note.ts';

const invalid = (e: unknown): boolean => isAppError(e, 'invalid_input');
const entries = Array.from({ length: 300 }, (_, i) => new TextEncoder().encode(`entry ${i}`));
const leaves = entries.map(leafHash);
const key = generateSignerKey('audit.example.com/writ');
const signer = createSigner(key.signerKey);
const verifier = createVerifier(key.verifierKey);
const checkpointNote = signNote(formatCheckpoint({ origin: signer.name, size: 300, rootHash: referenceRoot(leaves), extensions: [] }), [signer]);

function receiptFor(index: number, extra?: Uint8Array): string {
  const proof = referenceInclusionProof(index, leaves);
  return formatReceipt(extra === undefined ? { index, proof, checkpointNote } : { index, proof, checkpointNote, extra });
}

test('a receipt has the tlog-proof@v1 layout and round-trips', () => {
  const text = receiptFor(123);
  const proof = referenceInclusionProof(123, leaves);
  const expected = ['c2sp.org/tlog-proof@v1', 'index 123', ...proof.map((h) => Buffer.from(h).toString('base64')), ''].join('\n');
  assert.equal(text, `${expected}\n${checkpointNote}`);
  const parsed = parseReceipt(text);
  assert.equal(parsed.index, 123);
  assert.equal(parsed.checkpointNote, checkpointNote);
  assert.equal(parsed.extra, undefined);
  assert.deepEqual(parsed.proof.map((h) => Buffer.from(h)), proof.map((h) => Buffer.from(h)));
  const withExtra = receiptFor(0, Uint8Array.of(1, 2, 3));
  assert.ok(withExtra.startsWith('c2sp.org/tlog-proof@v1\nextra AQID\nindex 0\n'));
  assert.deepEqual(parseReceipt(withExtra).extra, Buffer.from([1, 2, 3]));
  assert.ok(!receiptFor(0, new Uint8Array(0)).includes('extra'));
});

test('a receipt verifies for its entry and no other', () => {
  for (const index of [0, 1, 123, 255, 256, 299]) {
    const result = verifyReceipt(receiptFor(index), entries[index] ?? new Uint8Array(), [verifier]);
    assert.equal(result.index, index);
    assert.equal(result.checkpoint.size, 300);
  }
  assert.throws(() => verifyReceipt(receiptFor(5), entries[6] ?? new Uint8Array(), [verifier]), /does not place this entry at index 5/);
  assert.throws(() => verifyReceipt(receiptFor(5), entries[5] ?? new Uint8Array(), [createVerifier(generateSignerKey('audit.example.com/writ').verifierKey)]), invalid);
  const wrongIndex = receiptFor(5).replace('index 5\n', 'index 4\n');
  assert.throws(() => verifyReceipt(wrongIndex, entries[5] ?? new Uint8Array(), [verifier]), invalid);
  const outside = formatReceipt({ index: 300, proof: [], checkpointNote });
  assert.throws(() => verifyReceipt(outside, entries[0] ?? new Uint8Array(), [verifier]), /outside the checkpoint's tree/);
});

test('a checkpoint signed only by a key not named as its origin is refused', () => {
  const witness = createSigner(generateSignerKey('witness.example').signerKey);
  const note = signNote(formatCheckpoint({ origin: signer.name, size: 300, rootHash: referenceRoot(leaves), extensions: [] }), [witness]);
  const text = formatReceipt({ index: 1, proof: referenceInclusionProof(1, leaves), checkpointNote: note });
  assert.throws(() => verifyReceipt(text, entries[1] ?? new Uint8Array(), [createVerifier(witness.verifierKey)]), /not signed by that log's key/);
  const cosigned = signNote(formatCheckpoint({ origin: signer.name, size: 300, rootHash: referenceRoot(leaves), extensions: [] }), [signer, witness]);
  const both = formatReceipt({ index: 1, proof: referenceInclusionProof(1, leaves), checkpointNote: cosigned });
  assert.equal(verifyReceipt(both, entries[1] ?? new Uint8Array(), [createVerifier(witness.verifierKey), verifier]).index, 1);
});

test('malformed receipts are rejected', () => {
  const good = receiptFor(123);
  const lines = good.split('\n');
  const bad = [
    good.replace('c2sp.org/tlog-proof@v1', 'c2sp.org/tlog-proof@v2'),
    good.replace('index 123', 'index 0123'),
    good.replace('index 123', 'index -1'),
    good.replace('index 123', 'index  123'),
    good.replace('index 123\n', ''),
    good.replace('index 123\n', 'index 123\nextra AQID\n'),
    good.replace('c2sp.org/tlog-proof@v1\n', 'c2sp.org/tlog-proof@v1\nextra \n'),
    good.replace(lines[2] ?? '', (lines[2] ?? '').slice(0, -4)),
    good.replace(lines[2] ?? '', `${lines[2] ?? ''} `),
    lines.slice(0, 11).join('\n'),
    `${lines.slice(0, 11).join('\n')}\n\n`,
    '',
  ];
  for (const text of bad) assert.throws(() => parseReceipt(text), invalid, JSON.stringify(text.slice(0, 80)));
  const tooLong = ['c2sp.org/tlog-proof@v1', 'index 0', ...Array.from({ length: 65 }, () => lines[2] ?? ''), '', checkpointNote].join('\n');
  assert.throws(() => parseReceipt(tooLong), invalid);
  assert.throws(() => formatReceipt({ index: -1, proof: [], checkpointNote }), invalid);
  assert.throws(() => formatReceipt({ index: 0, proof: [new Uint8Array(31)], checkpointNote }), invalid);
  assert.throws(() => formatReceipt({ index: 0, proof: [], checkpointNote: '' }), invalid);
});
