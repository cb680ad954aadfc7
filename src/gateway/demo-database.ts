// The demo database: an embedded PostgreSQL (PGlite) in the data directory, seeded once with made-up customers and orders, run in its own worker thread.
/**
 * So a new user has something to query through the gateway before they connect a database of their own.
 * PGlite serves every connection from one session: settings and transactions of one client are visible
 * to the others, and a CancelRequest is ignored. Good enough for a demo, not a stand-in for PostgreSQL.
 * PGlite runs a query synchronously (a `pg_sleep(60)` holds its thread for a minute), so it lives in a
 * worker: the API, the gateway and its grant watcher keep running, and cut a demo session like any other.
 */
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import type { Worker } from 'node:worker_threads';
import { startTypeScriptWorker } from '../shared/typescript-worker.ts';
import type { DemoWorkerClose, DemoWorkerListening, DemoWorkerOptions } from './demo-database.worker.ts';
import type { UpstreamTarget } from './postgres/upstream-connection.ts';

export { DEMO_CUSTOMER_COUNT, DEMO_ORDER_COUNT } from './demo-database-seed.ts';

export interface DemoDatabase {
  readonly target: UpstreamTarget;
  /** Closes the database and ends its thread; a query still running after CLOSE_GRACE_MS is cut by ending the thread. */
  close(): Promise<void>;
}

export interface DemoDatabaseOptions {
  readonly dataDir: string;
  /** Where to serve it (default 127.0.0.1 on a port the OS chooses); the example policy's demo-db expects 127.0.0.1:7433. */
  readonly host?: string;
  readonly port?: number;
  readonly logger?: { info(obj: object, msg: string): void; error(obj: object, msg: string): void };
}

/** Connections pglite-socket accepts at once; they all share the one PGlite session. */
const DEMO_MAX_CONNECTIONS = 32;
/** How long close waits for the worker to close PGlite cleanly; a running query holds the worker, so it is then ended. */
const CLOSE_GRACE_MS = 2_000;

/** Resolves with the worker's report that it is serving; rejects with its error, or if it exits first. */
function listening(worker: Worker): Promise<DemoWorkerListening> {
  return new Promise((resolve, reject) => {
    const onMessage = (report: DemoWorkerListening): void => {
      stop();
      resolve(report);
    };
    const onError = (error: Error): void => {
      stop();
      reject(error);
    };
    const onExit = (exitCode: number): void => {
      stop();
      reject(new Error(`the demo database's thread ended (exit code ${exitCode}) before it was serving`));
    };
    const stop = (): void => {
      worker.off('message', onMessage).off('error', onError).off('exit', onExit);
    };
    worker.on('message', onMessage).on('error', onError).on('exit', onExit);
  });
}

/**
 * Opens (or creates) `<dataDir>/demo-db` in a worker thread and serves it on `host:port` (default 127.0.0.1, a port the OS chooses).
 * @example const demo = await startDemoDatabase({ dataDir: '.writ' }); await connectUpstream(demo.target, ...)
 */
export async function startDemoDatabase(options: DemoDatabaseOptions): Promise<DemoDatabase> {
  const directory = join(options.dataDir, 'demo-db');
  mkdirSync(directory, { recursive: true });
  const host = options.host ?? '127.0.0.1';
  const workerOptions: DemoWorkerOptions = { directory, host, port: options.port ?? 0, maxConnections: DEMO_MAX_CONNECTIONS };
  const worker = startTypeScriptWorker(new URL('./demo-database.worker.ts', import.meta.url), workerOptions);
  let closing = false;
  let closeError: Error | undefined;
  const exited = new Promise<void>((resolve) => {
    worker.once('exit', (exitCode: number) => {
      if (!closing) options.logger?.error({ exitCode }, 'the demo database stopped; Writ runs on without it');
      resolve();
    });
  });
  // Always listened to: an unheard 'error' event would end the whole process.
  worker.on('error', (error: Error) => {
    if (closing) closeError = error;
    else options.logger?.error({ err: error }, 'the demo database failed');
  });
  let report: DemoWorkerListening;
  try {
    report = await listening(worker);
  } catch (error) {
    closing = true;
    await worker.terminate();
    throw error;
  }
  options.logger?.info({ port: report.port, seeded: report.seeded }, report.seeded ? 'demo database created and filled' : 'demo database opened');
  return {
    target: { host, port: report.port, database: 'postgres', user: 'postgres', tls: 'disable' },
    close: async () => {
      if (!closing) {
        closing = true;
        const command: DemoWorkerClose = { kind: 'close' };
        worker.postMessage(command);
      }
      const deadline = setTimeout(() => void worker.terminate(), CLOSE_GRACE_MS);
      await exited;
      clearTimeout(deadline);
      if (closeError !== undefined) throw closeError;
    },
  };
}
