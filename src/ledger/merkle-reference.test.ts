import assert from 'node:assert/strict';
import { test } from 'node:test';
import { isAppError } from '../shared/app-error.ts';
import { emptyRoot, leafHash } from './hash.ts';
import type { Hash } from './hash.ts';
import {
  referenceConsistencyProof,
  referenceInclusionProof,
  referenceRoot,
  verifyConsistency,
  verifyInclusion,
} from './merkle-reference.ts';

// Cross-implementation vectors from FORMATS.md (computed with Go's golang.org/x/mod/sumdb/tlog).
const ROOTS: [number, string][] = [
  [1, 'dziFphNIniTOLPdhmdakI/BC5LvxLX7s7pEu8nbGVwE='],
  [2, 'WkdmL9ijF9lgSaP59HxV3GfKZgUbqjaD27GbL+CaB7A='],
  [3, 'lPvQ3YNvUDAWkubQ6t5yjuGexSv/8WBu2AfIV11aqhk='],
  [4, 'l5nzB1F+9RfCIF35tndivzR1ayAJn7ffzOdrzr0nOy4='],
  [5, 'fKo0Xb2JKmZFTWxlEuo8PqPw0+whvj/C4jdXBf049nI='],
  [7, 'mMl/C6MXXNCLAx3QhLncTmSbZNGijm6mlGRlAxc6tYc='],
  [8, 'tpcyzlyRQWLKmsz69OldP5h01ogFQ3CIqv8YSk25Z3M='],
  [255, 'z2Z5PmMp3/JC6zzuCm82rT46GW3MVzoex3XhAr6GPxw='],
  [256, '2mWW2VNp9f7zIquOTg2jsLUCNqqcijsdJG90Ecni4y4='],
  [257, 'XB/f6DU1gCLyOS3keNvgU/wTDP4dOggoeakM9r8Uv34='],
  [1000, 'NGxrnLicS3b6ydyyDNqG46AcCldBfBOQKOrNRTj96Vs='],
];
const INCLUSION_123_IN_1000 = [
  '63Kdxy/1GN7zDj0KU1n46FN5lp2I7iNy+McLgTT0OVc=',
  '2IRFIDpqC3pCXKC2EZUwuWYz8YaDURtQgL/x9x663nU=',
  'WEGcl+DDSp+wHdXJJF8zDeY3xoLMP87A9YSRuOBCWPI=',
  'BAYxVWNYOPuK8accVjw+70pJpaOHYKSTCxjFRK9uaQ8=',
  '4rxCUyLc664oMdmpyc58xE6vT5DuOBh1kprfSEy3N7c=',
  'x4dwZ8QXv4K1QSPq1mXWLusloym04g95M4t4KGsDExA=',
  'XLzAg+gACv0VcwjMo+tUlHo5GHjMA3NrD8Rxvc2cTBw=',
  'CwAYp5VoF7uxVS8pr5XTr7/7x3vezc1u1cmao1mHleA=',
  'r4NFhmVItaPNWPVlQ4PvcEzw6oGYJx0voXJ2X+pc1uM=',
  'MbDpyvXBXU6uPtVbNqv+HF0yEIcyYuzowhon/3oXKEQ=',
];
const CONSISTENCY_257_TO_1000 = [
  'och3qCTSUz777hlgt/L+QiRFD2nDsOPT6crMdZzizvM=',
  'Zzfq7PJKMKRDW+Ia/QZ10zhbqJndwwIq2D/EJrcmocg=',
  '2weeEv1ePZMy8exWWKzE6FpvDpAzz2A1iesE6ylmbLA=',
  '7A6bpI1GmR6NGFgFuj/BgvreGpnnWjMh7jpUpfFX/9Y=',
  'j5skCCcPLx74uhIGjb2eVcJW3MNaAyitOgRkyFHQZow=',
  'v0dikrucGz5rXeXt96RtXdQFP3sKvfT+qOw4RgGnaMA=',
  'ECgX8ArIi8hnsvXRdxY7vdP39aJQ6sl5CPVd7COPVeA=',
  '35gS6rZI52JFzolF1+xmLE+EjX3wtgiX2pjiJtt9/MM=',
  'X0lwc1GelAdJL11LxsgRPBuAYkJOTDaPqahSU7oHGMA=',
  '2mWW2VNp9f7zIquOTg2jsLUCNqqcijsdJG90Ecni4y4=',
  'MbDpyvXBXU6uPtVbNqv+HF0yEIcyYuzowhon/3oXKEQ=',
];

const leaves: Hash[] = Array.from({ length: 1000 }, (_, i) => leafHash(new TextEncoder().encode(`entry ${i}`)));
const b64 = (hashes: Hash[]): string[] => hashes.map((h) => Buffer.from(h).toString('base64'));
const fromB64 = (text: string): Hash => Buffer.from(text, 'base64');

test('reference roots match the Go vectors', () => {
  for (const [size, root] of ROOTS) assert.equal(b64([referenceRoot(leaves.slice(0, size))])[0], root, `size ${size}`);
  assert.deepEqual(referenceRoot([]), emptyRoot());
});

test('reference inclusion proof of 123 in 1000 matches the Go vector and verifies', () => {
  const proof = referenceInclusionProof(123, leaves);
  assert.deepEqual(b64(proof), INCLUSION_123_IN_1000);
  const root = referenceRoot(leaves);
  assert.ok(verifyInclusion(leaves[123] ?? emptyRoot(), 123, 1000, proof, root));
  assert.ok(!verifyInclusion(leaves[123] ?? emptyRoot(), 124, 1000, proof, root));
  // A size only shapes the path: 999 gives 123 the same path as 1000, so the signed checkpoint must bind the size.
  assert.ok(verifyInclusion(leaves[123] ?? emptyRoot(), 123, 999, proof, root));
  assert.ok(!verifyInclusion(leaves[123] ?? emptyRoot(), 123, 512, proof, root));
  assert.ok(!verifyInclusion(leaves[123] ?? emptyRoot(), 123, 1025, proof, root));
  assert.ok(!verifyInclusion(leaves[123] ?? emptyRoot(), 123, 1000, proof.slice(1), root));
  assert.ok(!verifyInclusion(leaves[123] ?? emptyRoot(), 123, 1000, [...proof, root], root));
});

test('reference consistency proof 257 → 1000 matches the Go vector and verifies', () => {
  const proof = referenceConsistencyProof(257, leaves);
  assert.deepEqual(b64(proof), CONSISTENCY_257_TO_1000);
  const oldRoot = fromB64(ROOTS.find(([s]) => s === 257)?.[1] ?? '');
  const newRoot = referenceRoot(leaves);
  assert.ok(verifyConsistency(257, 1000, oldRoot, newRoot, proof));
  assert.ok(!verifyConsistency(256, 1000, oldRoot, newRoot, proof));
  assert.ok(!verifyConsistency(257, 2048, oldRoot, newRoot, proof));
  assert.ok(!verifyConsistency(257, 511, oldRoot, newRoot, proof));
  assert.ok(!verifyConsistency(257, 1000, newRoot, newRoot, proof));
  assert.ok(!verifyConsistency(257, 1000, oldRoot, newRoot, proof.slice(0, -1)));
  assert.ok(!verifyConsistency(257, 1000, oldRoot, newRoot, [...proof, newRoot]));
});

test('every inclusion and consistency proof of a 70-leaf tree verifies, and nothing else does', () => {
  const tree = leaves.slice(0, 70);
  for (let size = 1; size <= tree.length; size++) {
    const part = tree.slice(0, size);
    const root = referenceRoot(part);
    for (let i = 0; i < size; i++) {
      const proof = referenceInclusionProof(i, part);
      assert.ok(verifyInclusion(part[i] ?? emptyRoot(), i, size, proof, root), `${i} in ${size}`);
      if (size > 1) assert.ok(!verifyInclusion(part[(i + 1) % size] ?? emptyRoot(), i, size, proof, root));
    }
    for (let old = 0; old <= size; old++) {
      const proof = referenceConsistencyProof(old, part);
      assert.ok(verifyConsistency(old, size, referenceRoot(part.slice(0, old)), root, proof), `${old} → ${size}`);
    }
  }
});

test('verifiers reject out-of-range and malformed arguments instead of throwing', () => {
  const root = referenceRoot(leaves.slice(0, 4));
  const leaf = leaves[0] ?? emptyRoot();
  const proof = referenceInclusionProof(0, leaves.slice(0, 4));
  for (const [index, size] of [[4, 4], [-1, 4], [0.5, 4], [0, 0], [0, Number.MAX_SAFE_INTEGER + 1], [Number.NaN, 4]] as const) {
    assert.ok(!verifyInclusion(leaf, index, size, proof, root), `${index} in ${size}`);
  }
  assert.ok(!verifyInclusion(leaf.subarray(1), 0, 4, proof, root));
  assert.ok(!verifyInclusion(leaf, 0, 4, proof.map((h) => h.subarray(1)), root));
  assert.ok(!verifyInclusion(leaf, 0, 1, [], root));
  assert.ok(verifyInclusion(leaf, 0, 1, [], leaf));
  assert.ok(!verifyConsistency(5, 4, root, root, []));
  assert.ok(!verifyConsistency(-1, 4, root, root, []));
  assert.ok(verifyConsistency(4, 4, root, root, []));
  assert.ok(!verifyConsistency(4, 4, root, root, [root]));
  assert.ok(!verifyConsistency(4, 4, root, leaf, []));
  assert.ok(verifyConsistency(0, 4, emptyRoot(), root, []));
  assert.ok(!verifyConsistency(0, 4, root, root, []));
  assert.ok(!verifyConsistency(0, 4, emptyRoot(), root, [root]));
  assert.ok(!verifyConsistency(2, 4, referenceRoot(leaves.slice(0, 2)), root, []));
});

test('reference proofs refuse indexes outside the tree', () => {
  assert.throws(() => referenceInclusionProof(4, leaves.slice(0, 4)), (e) => isAppError(e, 'invalid_input'));
  assert.throws(() => referenceConsistencyProof(5, leaves.slice(0, 4)), (e) => isAppError(e, 'invalid_input'));
});
