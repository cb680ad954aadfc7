// Leaf hashes (and level-0 tile roots) of entry blocks for the verifier, computed on a worker thread while the main thread reads and rebuilds the tree.
import { Worker } from 'node:worker_threads';
import { blockEntry, blockEventId, type EntryBlock, type EntryBlockBuffers } from './entry-block.ts';
import { HASH_SIZE, leafHash, type Hash } from './hash.ts';

export interface HashedRows {
  /** SHA-256(0x00 ‖ entry) of each row of the block, in order; valid until `release()`. */
  readonly leaves: Hash[];
  /** Position (in the block) of the first row whose entry does not hold `"id":"<its event id column>"`. */
  readonly badIdAt: number | undefined;
  /** MTH of the 256 leaves of level-0 tile `tile`, when all of them were in the block (else computed by the caller). */
  tileRoot(tile: number): Hash | undefined;
  /** Ends the use of the leaves; returns the block's buffers, for the next read to fill. */
  release(): EntryBlockBuffers;
}

export interface LeafHasher {
  /** Hashes a block; with a worker, the block's buffers move to it (the block is then unusable here). */
  hash(block: EntryBlock): Promise<HashedRows>;
  close(): Promise<void>;
}

interface Request extends EntryBlockBuffers {
  readonly id: number;
  readonly fromIndex: number;
  readonly count: number;
  readonly leaves: ArrayBuffer;
  readonly roots: ArrayBuffer;
}

interface Reply extends EntryBlockBuffers {
  readonly id: number;
  readonly badIdAt: number;
  readonly leaves: ArrayBuffer;
  readonly roots: ArrayBuffer;
}

const TILE_LEAVES = 256;

/**
 * The worker, as plain CommonJS (the CLI registers tsx only on the main thread); digests come back as latin1
 * strings written into the output, as in hash.ts, to spare a Buffer per digest. It applies the rules of
 * leafHash and nodeHash (RFC 6962: 0x00 before an entry, 0x01 before two child hashes) and of holdsId below;
 * the tests hold it to those functions.
 */
const WORKER_SOURCE = `
const { parentPort } = require('node:worker_threads');
const { hash } = require('node:crypto');
const H = ${HASH_SIZE};
const node = Buffer.alloc(1 + 2 * H, 1);
let leaf = Buffer.alloc(65536, 0);
parentPort.on('message', (m) => {
  const bytes = Buffer.from(m.bytes);
  const ends = new Uint32Array(m.ends, 0, m.count);
  const ids = Buffer.from(m.ids);
  const idEnds = new Uint32Array(m.idEnds, 0, m.count);
  const leaves = Buffer.from(m.leaves);
  let badIdAt = -1;
  for (let i = 0, start = 0, idStart = 0; i < m.count; start = ends[i], idStart = idEnds[i], i++) {
    const length = ends[i] - start;
    if (leaf.length < length + 1) leaf = Buffer.alloc(length + 1, 0);
    bytes.copy(leaf, 1, start, ends[i]);
    leaves.write(hash('sha256', leaf.subarray(0, length + 1), 'latin1'), i * H, 'latin1');
    if (badIdAt < 0 && bytes.subarray(start, ends[i]).indexOf('"id":"' + ids.toString('utf8', idStart, idEnds[i]) + '"') < 0) badIdAt = i;
  }
  const roots = new Uint8Array(m.roots);
  const row = Buffer.alloc(${TILE_LEAVES} * H);
  const skip = (${TILE_LEAVES} - (m.fromIndex % ${TILE_LEAVES})) % ${TILE_LEAVES};
  for (let t = 0; skip + (t + 1) * ${TILE_LEAVES} <= m.count; t++) {
    leaves.copy(row, 0, (skip + t * ${TILE_LEAVES}) * H, (skip + (t + 1) * ${TILE_LEAVES}) * H);
    for (let width = ${TILE_LEAVES}; width > 1; width /= 2) {
      for (let i = 0; i < width / 2; i++) {
        row.copy(node, 1, 2 * i * H, (2 * i + 2) * H);
        row.write(hash('sha256', node, 'latin1'), i * H, 'latin1');
      }
    }
    roots.set(row.subarray(0, H), t * H);
  }
  const transfer = [m.bytes, m.ends, m.ids, m.idEnds, m.leaves, m.roots];
  parentPort.postMessage({ id: m.id, badIdAt, bytes: m.bytes, ends: m.ends, ids: m.ids, idEnds: m.idEnds, leaves: m.leaves, roots: m.roots }, transfer);
});
`;

/** What an entry must contain for its event id column to match it (RFC 8785 writes `"id":"…"` with no spaces). */
function holdsId(entry: Uint8Array, eventId: string): boolean {
  return Buffer.from(entry.buffer, entry.byteOffset, entry.byteLength).indexOf(`"id":"${eventId}"`) >= 0;
}

function hashHere(block: EntryBlock): HashedRows {
  const leaves: Hash[] = [];
  let badIdAt: number | undefined;
  for (let i = 0; i < block.count; i++) {
    const entry = blockEntry(block, i);
    leaves.push(leafHash(entry));
    if (badIdAt === undefined && !holdsId(entry, blockEventId(block, i))) badIdAt = i;
  }
  const { bytes, ends, ids, idEnds } = block;
  return { leaves, badIdAt, tileRoot: () => undefined, release: () => ({ bytes, ends, ids, idEnds }) };
}

function room(buffers: ArrayBuffer[], bytes: number): ArrayBuffer {
  const at = buffers.findIndex((b) => b.byteLength >= bytes);
  return at >= 0 ? (buffers.splice(at, 1)[0] as ArrayBuffer) : new ArrayBuffer(Math.ceil(bytes * 1.25) + 64);
}

function hashedFrom(reply: Reply, request: { fromIndex: number; count: number }, release: () => EntryBlockBuffers): HashedRows {
  const leafBytes = new Uint8Array(reply.leaves);
  const rootBytes = new Uint8Array(reply.roots);
  const firstTile = Math.ceil(request.fromIndex / TILE_LEAVES);
  const tiles = Math.floor((request.fromIndex + request.count) / TILE_LEAVES) - firstTile;
  const leaves: Hash[] = [];
  for (let i = 0; i < request.count; i++) leaves.push(leafBytes.subarray(i * HASH_SIZE, (i + 1) * HASH_SIZE));
  return {
    leaves,
    badIdAt: reply.badIdAt < 0 ? undefined : reply.badIdAt,
    tileRoot: (tile) => (tile >= firstTile && tile < firstTile + tiles ? rootBytes.subarray((tile - firstTile) * HASH_SIZE, (tile - firstTile + 1) * HASH_SIZE) : undefined),
    release,
  };
}

/**
 * Creates a leaf hasher: on a worker thread when `useWorker` (large logs: the main thread meanwhile reads
 * the next block and rebuilds the tree), else on the calling thread.
 * @example const hasher = createLeafHasher({ useWorker: true }); const hashed = await hasher.hash(block); use(hashed.leaves); hashed.release();
 */
export function createLeafHasher(options: { useWorker: boolean }): LeafHasher {
  let worker: Worker | undefined;
  let nextId = 0;
  const freeLeaves: ArrayBuffer[] = [];
  const freeRoots: ArrayBuffer[] = [];
  const waiting = new Map<number, { resolve: (reply: Reply) => void; reject: (error: unknown) => void }>();

  const failAll = (error: unknown): void => {
    for (const w of waiting.values()) w.reject(error);
    waiting.clear();
  };

  if (options.useWorker) {
    worker = new Worker(WORKER_SOURCE, { eval: true });
    worker.unref();
    worker.on('message', (reply: Reply) => {
      const w = waiting.get(reply.id);
      waiting.delete(reply.id);
      w?.resolve(reply);
    });
    worker.on('error', failAll);
    worker.on('exit', () => {
      failAll(new Error('the leaf hashing worker stopped'));
    });
  }

  const hashInWorker = async (running: Worker, block: EntryBlock): Promise<HashedRows> => {
    const { fromIndex, count } = block;
    const request: Request = {
      id: nextId++,
      fromIndex,
      count,
      bytes: block.bytes,
      ends: block.ends,
      ids: block.ids,
      idEnds: block.idEnds,
      leaves: room(freeLeaves, count * HASH_SIZE),
      roots: room(freeRoots, Math.ceil(count / TILE_LEAVES) * HASH_SIZE),
    };
    const reply = await new Promise<Reply>((resolve, reject) => {
      waiting.set(request.id, { resolve, reject });
      running.postMessage(request, [request.bytes, request.ends, request.ids, request.idEnds, request.leaves, request.roots]);
    });
    return hashedFrom(reply, { fromIndex, count }, () => {
      freeLeaves.push(reply.leaves);
      freeRoots.push(reply.roots);
      return { bytes: reply.bytes, ends: reply.ends, ids: reply.ids, idEnds: reply.idEnds };
    });
  };

  return {
    hash(block) {
      // A block whose buffers have moved to a stopped worker is gone: the audit then fails rather than guess.
      return worker === undefined || block.count === 0 ? Promise.resolve(hashHere(block)) : hashInWorker(worker, block);
    },
    async close() {
      if (worker !== undefined) await worker.terminate();
      worker = undefined;
    },
  };
}
