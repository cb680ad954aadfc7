// Starts a worker thread on a typed `*.worker.ts` module, through the bootstrap that registers tsx in the new thread.
import { Worker } from 'node:worker_threads';

const BOOTSTRAP = new URL('../../bin/typescript-worker.js', import.meta.url);

/**
 * The module reads `workerData.options`; `workerData.entry` is the bootstrap's.
 * @example const worker = startTypeScriptWorker(new URL('./x.worker.ts', import.meta.url), { path });
 */
export function startTypeScriptWorker(entry: URL, options: unknown): Worker {
  return new Worker(BOOTSTRAP, { workerData: { entry: entry.href, options } });
}
