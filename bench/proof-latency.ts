// Benchmark 2: inclusion proof latency for random indices of a large log, through the store as `writ log proof` reads it.
import { performance } from 'node:perf_hooks';
import type { LedgerStore } from '../src/ledger/ledger-store.ts';
import { leafHash } from '../src/ledger/hash.ts';
import { inclusionProof, latestCheckpointOrFail, receiptFor } from '../src/ledger/log-reader.ts';
import { verifyInclusion } from '../src/ledger/proof-verify.ts';
import { createTileCache } from '../src/ledger/tiles.ts';
import { Samples } from './bench-support.ts';

export interface LatencyRow {
  readonly what: string;
  /** The row the p99 target is judged on: proofs as a running server makes them. */
  readonly isTarget?: true;
  readonly n: number;
  readonly p50Ms: number;
  readonly p99Ms: number;
  readonly maxMs: number;
}

export interface ProofLatencyResult {
  readonly treeSize: number;
  readonly proofHashes: number;
  /** Proofs checked against the signed root with verifyInclusion (outside the timing). */
  readonly proofsVerified: number;
  readonly rows: readonly LatencyRow[];
}

/** Deterministic PRNG (mulberry32), so every run asks for the same indices. */
export function seededRandom(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4_294_967_296;
  };
}

async function time(what: string, indices: readonly number[], warmup: number, work: (index: number) => Promise<unknown>, isTarget = false): Promise<LatencyRow> {
  for (const index of indices.slice(0, warmup)) await work(index);
  const samples = new Samples();
  for (const index of indices) {
    const started = performance.now();
    await work(index);
    samples.add(performance.now() - started);
  }
  const s = samples.summary();
  return { what, n: s.n, p50Ms: s.p50, p99Ms: s.p99, maxMs: s.max, ...(isTarget ? { isTarget: true } : {}) };
}

/**
 * Times `inclusionProof(store, index, size)` (no cache, as a one-shot `writ log proof`), the whole receipt,
 * and both with a long-lived tile cache of WritApp's size (as `writ serve` and the API hold one per process),
 * for `count` random indices each after a warm-up. The cache starts empty: a first touch of a level-0 tile
 * (about 44% of the timed calls at 1M entries) reads it and hashes its 255 inner nodes.
 */
export async function runProofLatency(store: LedgerStore, count: number): Promise<ProofLatencyResult> {
  const checkpoint = await latestCheckpointOrFail(store);
  const size = checkpoint.size;
  const random = seededRandom(6962);
  const indices = Array.from({ length: count }, () => Math.floor(random() * size));
  const warmup = Math.min(1000, count);

  let proofsVerified = 0;
  let proofHashes = 0;
  for (const index of indices.slice(0, 200)) {
    const proof = await inclusionProof(store, index, size);
    const [entry] = await store.readEntries(index, index + 1);
    if (entry === undefined || !verifyInclusion(leafHash(entry.entry), index, size, proof, checkpoint.rootHash)) {
      throw new Error(`the inclusion proof of entry ${index} does not verify against the signed root`);
    }
    proofsVerified += 1;
    proofHashes = proof.length;
  }

  const cache = createTileCache(4096);
  const rows = [
    await time('inclusionProof(store, i, size), no cache (as a one-shot `writ log proof`)', indices, warmup, (index) => inclusionProof(store, index, size)),
    await time('receiptFor(store, i), no cache: latest checkpoint + proof + receipt text', indices, warmup, (index) => receiptFor(store, index)),
    await time('inclusionProof with the process tile cache (createTileCache(4096), as `writ serve` holds it)', indices, warmup, (index) => inclusionProof(store, index, size, cache), true),
    await time('receiptFor(store, i, cache) with the same cache', indices, 0, (index) => receiptFor(store, index, cache)),
  ];
  return { treeSize: size, proofHashes, proofsVerified, rows };
}
