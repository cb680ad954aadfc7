// The browser's Merkle checks against FORMATS.md's vectors from Go's sumdb/tlog.
import { describe, expect, test } from 'vitest';
import { decodeBase64, encodeBase64 } from './bytes.ts';
import { leafHash, merkleRoot, rootFromInclusionProof } from './merkle-proof.ts';

const ROOTS: Record<number, string> = {
  1: 'dziFphNIniTOLPdhmdakI/BC5LvxLX7s7pEu8nbGVwE=',
  2: 'WkdmL9ijF9lgSaP59HxV3GfKZgUbqjaD27GbL+CaB7A=',
  3: 'lPvQ3YNvUDAWkubQ6t5yjuGexSv/8WBu2AfIV11aqhk=',
  4: 'l5nzB1F+9RfCIF35tndivzR1ayAJn7ffzOdrzr0nOy4=',
  5: 'fKo0Xb2JKmZFTWxlEuo8PqPw0+whvj/C4jdXBf049nI=',
  7: 'mMl/C6MXXNCLAx3QhLncTmSbZNGijm6mlGRlAxc6tYc=',
  8: 'tpcyzlyRQWLKmsz69OldP5h01ogFQ3CIqv8YSk25Z3M=',
  255: 'z2Z5PmMp3/JC6zzuCm82rT46GW3MVzoex3XhAr6GPxw=',
  256: '2mWW2VNp9f7zIquOTg2jsLUCNqqcijsdJG90Ecni4y4=',
  257: 'XB/f6DU1gCLyOS3keNvgU/wTDP4dOggoeakM9r8Uv34=',
  1000: 'NGxrnLicS3b6ydyyDNqG46AcCldBfBOQKOrNRTj96Vs=',
};

const PROOF_123_OF_1000 = [
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
].map((text) => decodeBase64(text) ?? new Uint8Array());

const leaves = await Promise.all(Array.from({ length: 1000 }, (_, i) => leafHash(new TextEncoder().encode(`entry ${i}`))));

describe('roots of the "entry <i>" trees', () => {
  for (const [size, root] of Object.entries(ROOTS)) {
    test(`size ${size}`, async () => {
      expect(encodeBase64(await merkleRoot(leaves.slice(0, Number(size))))).toBe(root);
    });
  }
  test('the empty tree is SHA-256 of nothing', async () => {
    expect(encodeBase64(await merkleRoot([]))).toBe('47DEQpj8HBSa+/TImW+5JCeuQeRkm5NMpJWZG3hSuFU=');
  });
});

describe('inclusion proofs', () => {
  const leaf123 = leaves[123] ?? new Uint8Array();
  test('index 123 of 1000 leads to the root of 1000', async () => {
    const reached = await rootFromInclusionProof(123, 1000, leaf123, PROOF_123_OF_1000);
    expect(reached.ok && encodeBase64(reached.root)).toBe(ROOTS[1000]);
  });
  test('a flipped byte, another leaf, another index, a missing or extra hash lead elsewhere or nowhere', async () => {
    const flipped = PROOF_123_OF_1000.map((h) => h.slice());
    const third = flipped[3] ?? new Uint8Array(32);
    third[0] = (third[0] ?? 0) ^ 1;
    const roots = await Promise.all([
      rootFromInclusionProof(123, 1000, leaf123, flipped),
      rootFromInclusionProof(123, 1000, leaves[124] ?? new Uint8Array(), PROOF_123_OF_1000),
      rootFromInclusionProof(122, 1000, leaf123, PROOF_123_OF_1000),
    ]);
    for (const reached of roots) expect(reached.ok && encodeBase64(reached.root)).not.toBe(ROOTS[1000]);
    expect((await rootFromInclusionProof(123, 1000, leaf123, PROOF_123_OF_1000.slice(1))).ok).toBe(false);
    expect((await rootFromInclusionProof(123, 1000, leaf123, [...PROOF_123_OF_1000, leaf123])).ok).toBe(false);
    expect((await rootFromInclusionProof(1000, 1000, leaf123, PROOF_123_OF_1000)).ok).toBe(false);
  });
  test('every leaf of a 7-leaf tree, with proofs built from the tree', async () => {
    const seven = leaves.slice(0, 7);
    for (let index = 0; index < 7; index += 1) {
      const proof = await proofOf(seven, index);
      const reached = await rootFromInclusionProof(index, 7, seven[index] ?? new Uint8Array(), proof);
      expect(reached.ok && encodeBase64(reached.root)).toBe(ROOTS[7]);
    }
  });
});

/** RFC 9162 PATH(m, D[n]), for the test only. */
async function proofOf(tree: readonly Uint8Array[], index: number): Promise<Uint8Array[]> {
  if (tree.length <= 1) return [];
  let k = 1;
  while (k * 2 < tree.length) k *= 2;
  return index < k ? [...(await proofOf(tree.slice(0, k), index)), await merkleRoot(tree.slice(k))] : [...(await proofOf(tree.slice(k), index - k)), await merkleRoot(tree.slice(0, k))];
}
