// RFC 9162 §2.1 in the browser: leaf and node hashes, the root an inclusion proof leads to, and a tree's root.
import { sha256 } from './bytes.ts';

const LEAF = Uint8Array.of(0x00);
const NODE = Uint8Array.of(0x01);

/** @example await leafHash(new TextEncoder().encode('entry 0')) */
export function leafHash(entry: Uint8Array): Promise<Uint8Array> {
  return sha256(LEAF, entry);
}

export function nodeHash(left: Uint8Array, right: Uint8Array): Promise<Uint8Array> {
  return sha256(NODE, left, right);
}

export type ProofRoot = { readonly ok: true; readonly root: Uint8Array } | { readonly ok: false; readonly reason: string };

const isOdd = (n: number): boolean => n % 2 === 1;
const half = (n: number): number => Math.floor(n / 2);

/**
 * The root an inclusion proof leads to from the leaf at `index` of a tree of `size` (RFC 9162 §2.1.3.2), or why it leads nowhere.
 * Plain arithmetic, not bit operators: sizes go beyond 2^31.
 * @example await rootFromInclusionProof(123, 1000, leaf, proof) // { ok: true, root }
 */
export async function rootFromInclusionProof(index: number, size: number, leaf: Uint8Array, proof: readonly Uint8Array[]): Promise<ProofRoot> {
  if (!Number.isSafeInteger(index) || !Number.isSafeInteger(size) || index < 0 || index >= size) return { ok: false, reason: `index ${index} is not inside a tree of size ${size}` };
  let fn = index;
  let sn = size - 1;
  let root = leaf;
  for (const sibling of proof) {
    if (sibling.length !== 32) return { ok: false, reason: `a proof hash has ${sibling.length} bytes, not 32` };
    if (sn === 0) return { ok: false, reason: `the proof has more hashes than a tree of size ${size} needs` };
    if (isOdd(fn) || fn === sn) {
      root = await nodeHash(sibling, root);
      while (!isOdd(fn) && fn !== 0) {
        fn = half(fn);
        sn = half(sn);
      }
    } else {
      root = await nodeHash(root, sibling);
    }
    fn = half(fn);
    sn = half(sn);
  }
  if (sn !== 0) return { ok: false, reason: `the proof has fewer hashes than a tree of size ${size} needs` };
  return { ok: true, root };
}

function largestPowerOfTwoBelow(n: number): number {
  let k = 1;
  while (k * 2 < n) k *= 2;
  return k;
}

/** The root of a tree over these leaf hashes (the empty tree's is SHA-256 of nothing). */
export async function merkleRoot(leaves: readonly Uint8Array[]): Promise<Uint8Array> {
  if (leaves.length === 0) return sha256();
  const [only] = leaves;
  if (leaves.length === 1 && only !== undefined) return only;
  const k = largestPowerOfTwoBelow(leaves.length);
  return nodeHash(await merkleRoot(leaves.slice(0, k)), await merkleRoot(leaves.slice(k)));
}
