// Naive in-memory RFC 6962 Merkle tree over an array of leaf hashes: the oracle the tile code is tested against.
import { AppError } from '../shared/app-error.ts';
import { emptyRoot, nodeHash } from './hash.ts';
import type { Hash } from './hash.ts';

export { verifyConsistency, verifyInclusion } from './proof-verify.ts';

/** Largest power of two strictly below n (n ≥ 2): where RFC 6962 splits a tree of n leaves. */
export function splitPoint(n: number): number {
  let k = 1;
  while (k * 2 < n) k *= 2;
  return k;
}

function leafAt(leaves: Hash[], index: number): Hash {
  const leaf = leaves[index];
  if (leaf === undefined) throw new AppError('invalid_input', `leaf ${index} is missing from the reference tree`);
  return leaf;
}

/** MTH(D[lo:hi]) by the RFC 6962 §2.1 recursion. */
function mth(leaves: Hash[], lo: number, hi: number): Hash {
  const n = hi - lo;
  if (n === 0) return emptyRoot();
  if (n === 1) return leafAt(leaves, lo);
  const k = splitPoint(n);
  return nodeHash(mth(leaves, lo, lo + k), mth(leaves, lo + k, hi));
}

/**
 * Root hash of the tree whose leaf hashes are `leaves` (the empty root for no leaves).
 * @example referenceRoot([leafHash(enc('entry 0'))])
 */
export function referenceRoot(leaves: Hash[]): Hash {
  return mth(leaves, 0, leaves.length);
}

function path(leaves: Hash[], m: number, lo: number, hi: number): Hash[] {
  const n = hi - lo;
  if (n <= 1) return [];
  const k = splitPoint(n);
  if (m < k) return [...path(leaves, m, lo, lo + k), mth(leaves, lo + k, hi)];
  return [...path(leaves, m - k, lo + k, hi), mth(leaves, lo, lo + k)];
}

/**
 * Inclusion proof PATH(index, D[n]) of RFC 6962 §2.1.1, sibling first.
 * @example referenceInclusionProof(123, leaves) // 10 hashes for 1000 leaves
 */
export function referenceInclusionProof(index: number, leaves: Hash[]): Hash[] {
  if (!Number.isSafeInteger(index) || index < 0 || index >= leaves.length) {
    throw new AppError('invalid_input', `index ${index} is outside a tree of ${leaves.length} leaves`);
  }
  return path(leaves, index, 0, leaves.length);
}

function subproof(leaves: Hash[], m: number, lo: number, hi: number, complete: boolean): Hash[] {
  const n = hi - lo;
  if (m === n) return complete ? [] : [mth(leaves, lo, hi)];
  const k = splitPoint(n);
  if (m <= k) return [...subproof(leaves, m, lo, lo + k, complete), mth(leaves, lo + k, hi)];
  return [...subproof(leaves, m - k, lo + k, hi, false), mth(leaves, lo, lo + k)];
}

/**
 * Consistency proof PROOF(oldSize, D[n]) of RFC 6962 §2.1.2; empty when oldSize is 0 or the full size.
 * @example referenceConsistencyProof(257, leaves) // leaves.length === 1000 → 11 hashes
 */
export function referenceConsistencyProof(oldSize: number, leaves: Hash[]): Hash[] {
  if (!Number.isSafeInteger(oldSize) || oldSize < 0 || oldSize > leaves.length) {
    throw new AppError('invalid_input', `old size ${oldSize} is outside a tree of ${leaves.length} leaves`);
  }
  if (oldSize === 0) return [];
  return subproof(leaves, oldSize, 0, leaves.length, true);
}
