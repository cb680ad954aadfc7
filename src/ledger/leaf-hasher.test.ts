import assert from 'node:assert/strict';
import { test } from 'node:test';
import { leafHash } from './hash.ts';
import { packEntryBlock } from './entry-block.ts';
import { createLeafHasher } from './leaf-hasher.ts';
import type { SequencedEntry } from './ledger-store.ts';
import { appendLeaves } from './tiles.ts';

const b64 = (bytes: Uint8Array): string => Buffer.from(bytes).toString('base64');

function rows(firstIndex: number, count: number, badAt?: number): SequencedEntry[] {
  return Array.from({ length: count }, (_, i) => {
    const index = firstIndex + i;
    const eventId = `0190aaaa-0000-7000-8000-${index.toString(16).padStart(12, '0')}`;
    const entry = new TextEncoder().encode(JSON.stringify({ data: { n: index, pad: 'x'.repeat(index % 97) }, id: i === badAt ? 'someone-else' : eventId }));
    return { index, eventId, entry };
  });
}

/** The level-0 tile roots the tree math computes itself, by tile index. */
function expectedRoots(all: SequencedEntry[]): Map<number, string> {
  const grown = appendLeaves(0, { tile: () => undefined }, all.map((r) => leafHash(r.entry)));
  const level1 = grown.tiles.find((t) => t.level === 1 && t.index === 0)?.hashes ?? new Uint8Array();
  return new Map(Array.from({ length: level1.length / 32 }, (_, t) => [t, b64(level1.subarray(t * 32, (t + 1) * 32))]));
}

test('the worker gives the same leaf hashes, tile roots and event-id check as the main thread', async () => {
  const all = rows(0, 1500);
  const roots = expectedRoots(all);
  for (const useWorker of [true, false]) {
    const hasher = createLeafHasher({ useWorker });
    try {
      for (const [from, to, badAt] of [[0, 700, undefined], [700, 1500, 411], [300, 1300, undefined]] as const) {
        const part = rows(from, to - from, badAt);
        const hashed = await hasher.hash(packEntryBlock(part, from, to, undefined));
        assert.deepEqual(hashed.leaves.map(b64), part.map((r) => b64(leafHash(r.entry))));
        assert.equal(hashed.badIdAt, badAt);
        for (let tile = 0; tile < 6; tile++) {
          const root = hashed.tileRoot(tile);
          const whole = tile * 256 >= from && (tile + 1) * 256 <= to;
          if (useWorker && whole && badAt === undefined) assert.equal(root === undefined ? undefined : b64(root), roots.get(tile), `tile ${tile} of ${from}…${to}`);
          if (!whole) assert.equal(root, undefined);
        }
        hashed.release();
      }
    } finally {
      await hasher.close();
    }
  }
});
