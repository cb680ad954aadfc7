// Leaf hashes (and level-0 tile roots) of stored entries for the verifier, computed on a worker thread while the main thread reads and rebuilds the tree.
import { Worker } from 'node:worker_threads';
import { HASH_SIZE, leafHash, type Hash } from './hash.ts';

/** A stored row as the verifier reads it. */
export interface EntryRow {
  readonly index: number;
  readonly eventId: string;
  readonly entry: Uint8Array;
}

export interface HashedRows {
  /** SHA-256(0x00 ‖ entry) of each row, in order; valid until `release()`. */
  readonly leaves: Hash[];
  /** Position (in the rows given) of the first row whose entry does not hold `"id":"<its event id column>"`. */
  readonly badIdAt: number | undefined;
  /** MTH of the 256 leaves of level-0 tile `tile`, when all of them were among the rows (else computed by the caller). */
  tileRoot(tile: number): Hash | undefined;
  /** Hands the buffers back for the next rows; the leaves must not be used after. */
  release(): void;
}

export interface LeafHasher {
  hash(rows: readonly EntryRow[]): Promise<HashedRows>;
  close(): Promise<void>;
}

/** Buffers that travel to the worker and back, so their pages are touched once (fresh pages cost a fault each here). */
interface Buffers {
  packed: ArrayBuffer;
  ends: ArrayBuffer;
  leaves: ArrayBuffer;
  roots: ArrayBuffer;
}

interface Request extends Buffers {
  readonly id: number;
  readonly count: number;
  /** Index of the first row: tile roots are computed for tiles that start at a multiple of 256. */
  readonly firstIndex: number;
  readonly eventIds: string[];
}

interface Reply extends Buffers {
  readonly id: number;
  readonly badIdAt: number;
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
parentPort.on('message', (m) => {
  const packed = Buffer.from(m.packed);
  const ends = new Uint32Array(m.ends, 0, m.count);
  const leaves = Buffer.from(m.leaves);
  let badIdAt = -1;
  for (let i = 0, start = 0; i < m.count; start = ends[i], i++) {
    leaves.write(hash('sha256', packed.subarray(start, ends[i]), 'latin1'), i * H, 'latin1');
    if (badIdAt < 0 && packed.subarray(start + 1, ends[i]).indexOf('"id":"' + m.eventIds[i] + '"') < 0) badIdAt = i;
  }
  const roots = new Uint8Array(m.roots);
  const row = Buffer.alloc(${TILE_LEAVES} * H);
  const skip = (${TILE_LEAVES} - (m.firstIndex % ${TILE_LEAVES})) % ${TILE_LEAVES};
  for (let t = 0; skip + (t + 1) * ${TILE_LEAVES} <= m.count; t++) {
    row.set(leaves.subarray((skip + t * ${TILE_LEAVES}) * H, (skip + (t + 1) * ${TILE_LEAVES}) * H));
    for (let width = ${TILE_LEAVES}; width > 1; width /= 2) {
      for (let i = 0; i < width / 2; i++) {
        node.set(row.subarray(2 * i * H, (2 * i + 2) * H), 1);
        row.write(hash('sha256', node, 'latin1'), i * H, 'latin1');
      }
    }
    roots.set(row.subarray(0, H), t * H);
  }
  parentPort.postMessage({ id: m.id, badIdAt, packed: m.packed, ends: m.ends, leaves: m.leaves, roots: m.roots }, [m.packed, m.ends, m.leaves, m.roots]);
});
`;

/** What an entry must contain for its event id column to match it (RFC 8785 writes `"id":"…"` with no spaces). */
function holdsId(entry: Uint8Array, eventId: string): boolean {
  return Buffer.from(entry.buffer, entry.byteOffset, entry.byteLength).indexOf(`"id":"${eventId}"`) >= 0;
}

function hashHere(rows: readonly EntryRow[]): HashedRows {
  const badIdAt = rows.findIndex((row) => !holdsId(row.entry, row.eventId));
  return {
    leaves: rows.map((row) => leafHash(row.entry)),
    badIdAt: badIdAt < 0 ? undefined : badIdAt,
    tileRoot: () => undefined,
    release: () => undefined,
  };
}

function sizeFor(rows: readonly EntryRow[]): { packed: number; ends: number; leaves: number; roots: number } {
  let packed = 0;
  for (const row of rows) packed += 1 + row.entry.byteLength;
  return { packed, ends: rows.length * 4, leaves: rows.length * HASH_SIZE, roots: Math.ceil(rows.length / TILE_LEAVES) * HASH_SIZE };
}

/** Buffers at least `size` large: a free set when one is big enough, else a new set (with room to grow). */
function takeBuffers(free: Buffers[], size: ReturnType<typeof sizeFor>): Buffers {
  const fits = (b: Buffers): boolean =>
    b.packed.byteLength >= size.packed && b.ends.byteLength >= size.ends && b.leaves.byteLength >= size.leaves && b.roots.byteLength >= size.roots;
  const at = free.findIndex(fits);
  if (at >= 0) return free.splice(at, 1)[0] as Buffers;
  const room = (n: number): ArrayBuffer => new ArrayBuffer(Math.ceil(n * 1.25) + 64);
  return { packed: room(size.packed), ends: room(size.ends), leaves: room(size.leaves), roots: room(size.roots) };
}

function pack(id: number, rows: readonly EntryRow[], buffers: Buffers): Request {
  const packed = new Uint8Array(buffers.packed);
  const ends = new Uint32Array(buffers.ends);
  let at = 0;
  for (let i = 0; i < rows.length; i++) {
    const entry = (rows[i] as EntryRow).entry;
    packed[at] = 0x00;
    packed.set(entry, at + 1);
    at += 1 + entry.byteLength;
    ends[i] = at;
  }
  return { id, count: rows.length, firstIndex: rows[0]?.index ?? 0, eventIds: rows.map((row) => String(row.eventId as unknown)), ...buffers };
}

function hashedFrom(reply: Reply, request: Request, release: () => void): HashedRows {
  const leafBytes = new Uint8Array(reply.leaves);
  const rootBytes = new Uint8Array(reply.roots);
  const firstTile = Math.ceil(request.firstIndex / TILE_LEAVES);
  const tiles = Math.floor((request.firstIndex + request.count) / TILE_LEAVES) - firstTile;
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
 * the next rows and rebuilds the tree), else on the calling thread. Falls back to the calling thread if the
 * worker cannot run.
 * @example const hasher = createLeafHasher({ useWorker: true }); const hashed = await hasher.hash(rows); use(hashed.leaves); hashed.release();
 */
export function createLeafHasher(options: { useWorker: boolean }): LeafHasher {
  let worker: Worker | undefined;
  let failed = false;
  let nextId = 0;
  const free: Buffers[] = [];
  const waiting = new Map<number, { resolve: (reply: Reply) => void; reject: (error: unknown) => void }>();

  const fail = (error: unknown): void => {
    failed = true;
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
    worker.on('error', fail);
    worker.on('exit', () => {
      if (waiting.size > 0) fail(new Error('the leaf hashing worker stopped'));
    });
  }

  const hashInWorker = async (running: Worker, rows: readonly EntryRow[]): Promise<HashedRows> => {
    const request = pack(nextId++, rows, takeBuffers(free, sizeFor(rows)));
    const reply = await new Promise<Reply>((resolve, reject) => {
      waiting.set(request.id, { resolve, reject });
      running.postMessage(request, [request.packed, request.ends, request.leaves, request.roots]);
    });
    const back: Buffers = { packed: reply.packed, ends: reply.ends, leaves: reply.leaves, roots: reply.roots };
    return hashedFrom(reply, request, () => free.push(back));
  };

  return {
    async hash(rows) {
      if (worker === undefined || failed || rows.length === 0) return hashHere(rows);
      try {
        return await hashInWorker(worker, rows);
      } catch {
        return hashHere(rows);
      }
    },
    async close() {
      if (worker !== undefined) await worker.terminate();
      worker = undefined;
    },
  };
}
