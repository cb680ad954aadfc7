// Witness cosigning round trip on loopback: add-checkpoint requests (consistency proof, signature, compare-and-swap, cosignature) to a real witness server.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { formatCheckpoint } from '../src/ledger/checkpoint.ts';
import { leafHash, type Hash } from '../src/ledger/hash.ts';
import { createSigner, generateSignerKey, signNote } from '../src/ledger/signed-note.ts';
import { appendLeaves, proveConsistency, type TileSource } from '../src/ledger/tiles.ts';
import { addCheckpointBody } from '../src/ledger/witness-publisher.ts';
import { createWitnessClient } from '../src/witness/witness-client.ts';
import { loadWitnessCosigner } from '../src/witness/witness-key-file.ts';
import { startWitnessServer } from '../src/witness/witness-server.ts';
import { openWitnessStore } from '../src/witness/witness-store.ts';
import { fmt, Samples } from './bench-support.ts';

export interface WitnessRoundTripResult {
  readonly requests: number;
  readonly finalSize: number;
  readonly p50Ms: number;
  readonly p99Ms: number;
  readonly maxMs: number;
  readonly requestsPerSecond: number;
}

/** A growing tree kept as tiles in memory, as the sequencer keeps it in the store. */
function createTree(): { size: number; root: Hash; grow(leaves: Hash[]): void; source: TileSource } {
  const tiles = new Map<string, Uint8Array>();
  const source: TileSource = { tile: (level, index) => tiles.get(`${level}/${index}`) };
  const tree = {
    size: 0,
    root: new Uint8Array(32) as Hash,
    source,
    grow(leaves: Hash[]) {
      const grown = appendLeaves(tree.size, source, leaves);
      for (const t of grown.tiles) tiles.set(`${t.level}/${t.index}`, t.hashes);
      tree.size = grown.newSize;
      tree.root = grown.root;
    },
  };
  return tree;
}

/**
 * Sends `requests` checkpoints in order, each 1–64 entries larger than the last, with the consistency proof from the
 * witness's size; measures each request from send to cosignature.
 */
export async function runWitnessRoundTrip(requests: number): Promise<WitnessRoundTripResult> {
  const dir = mkdtempSync(join(tmpdir(), 'writ-bench-witness-'));
  const logKey = generateSignerKey('bench.example.com/writ');
  const signer = createSigner(logKey.signerKey);
  const store = openWitnessStore(dir);
  const cosigner = loadWitnessCosigner({ dataDir: dir, name: 'bench.example.com/witness' });
  const witness = await startWitnessServer({ store, cosigner, logVerifierKeys: [logKey.verifierKey] }, { host: '127.0.0.1', port: 0 });
  const client = createWitnessClient({ timeoutMs: 10_000 });
  const tree = createTree();
  const samples = new Samples();
  let next = 0;
  const started = performance.now();
  try {
    for (let i = 0; i < requests; i++) {
      const oldSize = tree.size;
      const add = 1 + ((i * 37) % 64);
      tree.grow(Array.from({ length: add }, () => leafHash(Buffer.from(`entry ${next++}`))));
      const proof = oldSize === 0 ? [] : proveConsistency(oldSize, tree.size, tree.source);
      const note = signNote(formatCheckpoint({ origin: signer.name, size: tree.size, rootHash: tree.root, extensions: [] }), [signer]);
      const sent = performance.now();
      const answer = await client.addCheckpoint(witness.url, addCheckpointBody(oldSize, proof, note));
      samples.add(performance.now() - sent);
      if (answer.status !== 200) throw new Error(`the witness answered ${answer.status}: ${answer.body}`);
    }
  } finally {
    await witness.close();
    store.close();
    rmSync(dir, { recursive: true, force: true });
  }
  const seconds = (performance.now() - started) / 1000;
  const summary = samples.summary();
  return { requests, finalSize: tree.size, p50Ms: summary.p50, p99Ms: summary.p99, maxMs: summary.max, requestsPerSecond: requests / seconds };
}

export function renderWitnessMarkdown(result: WitnessRoundTripResult, context: { command: string; date: string; machine: string }): string {
  return [
    '### Witness cosigning round trip (loopback)',
    '',
    `\`${context.command}\` · ${context.date.slice(0, 10)} · ${context.machine}`,
    '',
    `${fmt(result.requests)} add-checkpoint requests in a row to \`writ witness serve\`'s server (its own SQLite file), each checkpoint 1–64 entries larger, with its consistency proof; tree size at the end ${fmt(result.finalSize)}. Time from sending the request to holding the cosignature:`,
    '',
    '| p50 | p99 | max | requests/s (one at a time) |',
    '| --- | --- | --- | --- |',
    `| ${fmt(result.p50Ms, 3)} ms | ${fmt(result.p99Ms, 3)} ms | ${fmt(result.maxMs, 3)} ms | ${fmt(result.requestsPerSecond)} |`,
  ].join('\n');
}
