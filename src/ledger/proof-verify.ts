// Inclusion and consistency proof verifiers of RFC 9162 §2.1.3.2 and §2.1.4.2, safe up to 2^53 leaves.
import { emptyRoot, hashesEqual, isHash, nodeHash } from './hash.ts';
import type { Hash } from './hash.ts';

// Sizes go up to Number.MAX_SAFE_INTEGER, beyond the 32 bits of JavaScript's bit operators.
const isOdd = (x: number): boolean => x % 2 === 1;
const half = (x: number): number => Math.floor(x / 2);

function isSize(value: number): boolean {
  return Number.isSafeInteger(value) && value >= 0;
}

/**
 * True when `proof` shows that `leaf` (a leaf hash) sits at `index` in the tree of `size` leaves whose root is `root`.
 * Rejects out-of-range indexes, proofs of the wrong length and hashes that are not 32 bytes.
 * @example verifyInclusion(leafHash(entry), 123, 1000, proof, checkpoint.rootHash)
 */
export function verifyInclusion(leaf: Hash, index: number, size: number, proof: Hash[], root: Hash): boolean {
  if (!isSize(index) || !isSize(size) || index >= size) return false;
  if (!isHash(leaf) || !isHash(root) || !proof.every(isHash)) return false;
  let fn = index;
  let sn = size - 1;
  let r = leaf;
  for (const p of proof) {
    if (sn === 0) return false;
    if (isOdd(fn) || fn === sn) {
      r = nodeHash(p, r);
      while (!isOdd(fn) && fn !== 0) {
        fn = half(fn);
        sn = half(sn);
      }
    } else {
      r = nodeHash(r, p);
    }
    fn = half(fn);
    sn = half(sn);
  }
  return sn === 0 && hashesEqual(r, root);
}

function isPowerOfTwo(x: number): boolean {
  let n = x;
  while (n > 1 && !isOdd(n)) n = half(n);
  return n === 1;
}

/**
 * True when `proof` shows that the tree of `newSize` leaves with root `newRoot` extends the tree of `oldSize` leaves
 * with root `oldRoot`. Equal sizes need an empty proof and equal roots; old size 0 needs the empty root and an empty proof.
 * @example verifyConsistency(257, 1000, oldCheckpoint.rootHash, newCheckpoint.rootHash, proof)
 */
export function verifyConsistency(oldSize: number, newSize: number, oldRoot: Hash, newRoot: Hash, proof: Hash[]): boolean {
  if (!isSize(oldSize) || !isSize(newSize) || oldSize > newSize) return false;
  if (!isHash(oldRoot) || !isHash(newRoot) || !proof.every(isHash)) return false;
  if (oldSize === newSize) return proof.length === 0 && hashesEqual(oldRoot, newRoot);
  if (oldSize === 0) return proof.length === 0 && hashesEqual(oldRoot, emptyRoot());
  if (proof.length === 0) return false;
  const path = isPowerOfTwo(oldSize) ? [oldRoot, ...proof] : proof;
  let fn = oldSize - 1;
  let sn = newSize - 1;
  while (isOdd(fn)) {
    fn = half(fn);
    sn = half(sn);
  }
  const [first, ...rest] = path;
  if (first === undefined) return false;
  let fr = first;
  let sr = first;
  for (const c of rest) {
    if (sn === 0) return false;
    if (isOdd(fn) || fn === sn) {
      fr = nodeHash(c, fr);
      sr = nodeHash(c, sr);
      while (!isOdd(fn) && fn !== 0) {
        fn = half(fn);
        sn = half(sn);
      }
    } else {
      sr = nodeHash(sr, c);
    }
    fn = half(fn);
    sn = half(sn);
  }
  return sn === 0 && hashesEqual(fr, oldRoot) && hashesEqual(sr, newRoot);
}
