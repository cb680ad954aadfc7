// The demo database's own thread: PGlite and its socket server, so a long query stalls this thread only, never Writ's API or gateway.
import { parentPort, workerData } from 'node:worker_threads';
import { PGlite } from '@electric-sql/pglite';
import { PGLiteSocketServer } from '@electric-sql/pglite-socket';
import { z } from 'zod';
import { seedOnce } from './demo-database-seed.ts';

const workerOptionsSchema = z.object({
  directory: z.string().min(1).max(4096),
  host: z.string().min(1).max(255),
  port: z.number().int().min(0).max(65_535),
  maxConnections: z.number().int().min(1).max(1000),
});

export type DemoWorkerOptions = z.infer<typeof workerOptionsSchema>;

/** The worker's one report: it is serving (`seeded` when this start created the tables). */
export interface DemoWorkerListening {
  readonly kind: 'listening';
  readonly port: number;
  readonly seeded: boolean;
}

/** The main thread's one command: stop serving, close the database, end the thread. */
export interface DemoWorkerClose {
  readonly kind: 'close';
}

async function serve(): Promise<void> {
  if (parentPort === null) throw new Error('demo-database.worker.ts runs only as a worker thread');
  const port = parentPort;
  const options = workerOptionsSchema.parse(z.object({ options: z.unknown() }).parse(workerData).options);
  const db = await PGlite.create(options.directory);
  let server: PGLiteSocketServer;
  let seeded: boolean;
  try {
    seeded = await seedOnce(db);
    server = new PGLiteSocketServer({ db, host: options.host, port: options.port, maxConnections: options.maxConnections });
    await server.start();
  } catch (error) {
    await db.close();
    throw error;
  }
  // The only command is DemoWorkerClose; a rejection here reaches the main thread as the worker's 'error' event.
  port.once('message', () => {
    void server
      .stop()
      .then(() => db.close())
      .then(() => {
        port.close();
      });
  });
  const listening: DemoWorkerListening = { kind: 'listening', port: Number(server.getServerConn().split(':').at(-1)), seeded };
  port.postMessage(listening);
}

await serve();
