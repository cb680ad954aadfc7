// Bulk reads of sequenced entries on a worker thread with its own read-only SQLite connection: `writ verify` reads while the main thread rebuilds the tree.
import { createRequire } from 'node:module';
import { Worker } from 'node:worker_threads';
import type { EntryBlock, EntryBlockBuffers } from '../../ledger/entry-block.ts';
import type { EntryBlockReader } from './capabilities.ts';

/**
 * The worker, as plain CommonJS (the CLI registers tsx only on the main thread). It packs rows as
 * packEntryBlock (ledger/entry-block.ts) does, and the contract test holds the two to the same blocks.
 */
const WORKER_SOURCE = `
const { parentPort, workerData } = require('node:worker_threads');
const Database = require(workerData.driverPath);
const db = new Database(workerData.path, { readonly: true, fileMustExist: true });
db.pragma('mmap_size = ' + workerData.mmapBytes);
const select = db.prepare('select idx, event_id, entry from log_entries where idx >= ? and idx < ? order by idx').raw(true);
const room = (buffer, bytes) => (buffer !== undefined && buffer.byteLength >= bytes ? buffer : new ArrayBuffer(Math.ceil(bytes * 1.25) + 64));
const storedAs = (value) => (value === null ? 'null' : typeof value === 'string' ? 'text' : typeof value);
parentPort.on('message', (m) => {
  if (m.close) {
    db.close();
    parentPort.close();
    return;
  }
  let rows;
  try {
    rows = select.all(m.fromIndex, m.toIndex);
  } catch (error) {
    parentPort.postMessage({ id: m.id, error: String(error) });
    return;
  }
  let count = 0;
  let stop;
  let byteTotal = 0;
  for (const [index, , entry] of rows) {
    if (index !== m.fromIndex + count) break;
    if (!(entry instanceof Uint8Array)) {
      stop = { kind: 'not-bytes', index, storedAs: storedAs(entry) };
      break;
    }
    byteTotal += entry.byteLength;
    count += 1;
  }
  if (stop === undefined && m.fromIndex + count < m.toIndex) stop = { kind: 'missing', index: m.fromIndex + count };
  const ids = rows.slice(0, count).map((row) => Buffer.from(String(row[1]), 'utf8'));
  const reuse = m.reuse || {};
  const block = {
    id: m.id, fromIndex: m.fromIndex, count, stop,
    bytes: room(reuse.bytes, byteTotal),
    ends: room(reuse.ends, count * 4),
    ids: room(reuse.ids, ids.reduce((sum, id) => sum + id.byteLength, 0)),
    idEnds: room(reuse.idEnds, count * 4),
  };
  const bytes = new Uint8Array(block.bytes);
  const ends = new Uint32Array(block.ends, 0, count);
  const idBytes = new Uint8Array(block.ids);
  const idEnds = new Uint32Array(block.idEnds, 0, count);
  for (let i = 0, at = 0, idAt = 0; i < count; i++) {
    const entry = rows[i][2];
    bytes.set(entry, at);
    ends[i] = at += entry.byteLength;
    idBytes.set(ids[i], idAt);
    idEnds[i] = idAt += ids[i].byteLength;
  }
  parentPort.postMessage(block, [block.bytes, block.ends, block.ids, block.idEnds]);
});
`;

interface Reply extends EntryBlock {
  readonly id: number;
  readonly error?: string;
}

/**
 * Creates a reader whose worker starts on the first read (only `writ verify` reads in bulk) and is stopped by
 * `close()`; call it before closing the main connection.
 * @example const reader = createSqliteEntryReader({ path, mmapBytes }); const block = await reader.read(0, 16_384);
 */
export function createSqliteEntryReader(options: { path: string; mmapBytes: number }): EntryBlockReader & { close(): Promise<void> } {
  let worker: Worker | undefined;
  let exited: Promise<void> | undefined;
  let nextId = 0;
  const waiting = new Map<number, { resolve: (reply: Reply) => void; reject: (error: unknown) => void }>();

  const failAll = (error: unknown): void => {
    for (const w of waiting.values()) w.reject(error);
    waiting.clear();
  };

  const start = (): Worker => {
    const driverPath = createRequire(import.meta.url).resolve('better-sqlite3');
    const started = new Worker(WORKER_SOURCE, { eval: true, workerData: { driverPath, path: options.path, mmapBytes: options.mmapBytes } });
    started.unref();
    started.on('message', (reply: Reply) => {
      const w = waiting.get(reply.id);
      waiting.delete(reply.id);
      if (reply.error !== undefined) w?.reject(new Error(`reading entries: ${reply.error}`));
      else w?.resolve(reply);
    });
    started.on('error', failAll);
    exited = new Promise((resolve) => {
      started.once('exit', () => {
        failAll(new Error('the entry reader stopped'));
        resolve();
      });
    });
    return started;
  };

  return {
    async read(fromIndex, toIndex, reuse?: EntryBlockBuffers) {
      worker ??= start();
      const running = worker;
      const id = nextId++;
      const reply = await new Promise<Reply>((resolve, reject) => {
        waiting.set(id, { resolve, reject });
        running.postMessage({ id, fromIndex, toIndex, reuse }, reuse === undefined ? [] : [reuse.bytes, reuse.ends, reuse.ids, reuse.idEnds]);
      });
      const { fromIndex: from, count, stop, bytes, ends, ids, idEnds } = reply;
      return { fromIndex: from, count, stop, bytes, ends, ids, idEnds };
    },
    async close() {
      if (worker === undefined) return;
      worker.postMessage({ close: true });
      const timeout = setTimeout(() => {
        void worker?.terminate();
      }, 5000);
      await exited;
      clearTimeout(timeout);
      worker = undefined;
    },
  };
}
