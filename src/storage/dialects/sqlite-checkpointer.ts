// SQLite WAL checkpoints in a worker thread with its own connection, so the main thread's commits never copy pages or wait for fsync.
import { statSync } from 'node:fs';
import { createRequire } from 'node:module';
import { Worker } from 'node:worker_threads';

/** A worker costs about 0.2 s of start-up; it is started only once the WAL has grown this much. */
const START_AT_WAL_BYTES = 2 * 1024 * 1024;
/** How often, at most, a commit looks at the WAL's size before the worker runs. */
const SIZE_CHECK_MS = 200;

/**
 * The worker, as plain CommonJS (the CLI registers tsx only on the main thread). PASSIVE never blocks the
 * main connection's writers nor waits for its readers; it copies what it can and syncs the database file.
 */
const WORKER_SOURCE = `
const { parentPort, workerData } = require('node:worker_threads');
const Database = require(workerData.driverPath);
const db = new Database(workerData.path, { fileMustExist: true });
db.pragma('synchronous = ' + workerData.synchronous);
parentPort.on('message', (message) => {
  if (message === 'checkpoint') {
    let error;
    try { db.pragma('wal_checkpoint(PASSIVE)'); } catch (e) { error = String(e); }
    parentPort.postMessage({ done: true, error });
  } else if (message === 'close') {
    db.close();
    parentPort.close();
  }
});
`;

export interface WalCheckpointer {
  /** Call after each commit: asks the worker for a checkpoint, at most one at a time. */
  committed(): void;
  /** Stops the worker and closes its connection; call before closing the main connection. */
  close(): Promise<void>;
}

export interface WalCheckpointerOptions {
  readonly path: string;
  readonly synchronous: 'NORMAL' | 'FULL';
  /** Called when the worker has started: the main connection may now leave checkpoints to it. */
  readonly onStarted: () => void;
  /** Called if the worker cannot run: the main connection must then checkpoint on its own again. */
  readonly onUnavailable: () => void;
}

/**
 * Creates a checkpointer whose worker starts once commits have grown the WAL past START_AT_WAL_BYTES, so
 * short commands and small logs never pay for a thread.
 * @example const checkpointer = createWalCheckpointer({ path, synchronous: 'NORMAL', onUnavailable }); checkpointer.committed();
 */
export function createWalCheckpointer(options: WalCheckpointerOptions): WalCheckpointer {
  let worker: Worker | undefined;
  let exited: Promise<void> | undefined;
  let busy = false;
  let requested = false;
  let unavailable = false;
  let lastSizeCheck = Number.NEGATIVE_INFINITY;

  const walHasGrown = (): boolean => {
    const now = performance.now();
    if (now - lastSizeCheck < SIZE_CHECK_MS) return false;
    lastSizeCheck = now;
    try {
      return statSync(`${options.path}-wal`).size >= START_AT_WAL_BYTES;
    } catch {
      return false;
    }
  };

  const giveUp = (): void => {
    if (unavailable) return;
    unavailable = true;
    options.onUnavailable();
  };

  const start = (): Worker => {
    const driverPath = createRequire(import.meta.url).resolve('better-sqlite3');
    const started = new Worker(WORKER_SOURCE, { eval: true, workerData: { driverPath, path: options.path, synchronous: options.synchronous } });
    started.unref();
    started.on('message', () => {
      busy = false;
      if (requested) {
        requested = false;
        busy = true;
        started.postMessage('checkpoint');
      }
    });
    started.on('error', giveUp);
    exited = new Promise((resolve) => {
      started.once('exit', () => {
        resolve();
      });
    });
    options.onStarted();
    return started;
  };

  return {
    committed() {
      if (unavailable) return;
      if (worker === undefined) {
        if (!walHasGrown()) return;
        worker = start();
      }
      if (busy) {
        requested = true;
        return;
      }
      busy = true;
      worker.postMessage('checkpoint');
    },
    async close() {
      if (worker === undefined) return;
      unavailable = true;
      worker.postMessage('close');
      const timeout = setTimeout(() => {
        void worker?.terminate();
      }, 5000);
      await exited;
      clearTimeout(timeout);
    },
  };
}
