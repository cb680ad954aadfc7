// A plain Node TCP pipe (no parsing, no audit) in its own process: the floor of what a Node proxy costs, beside PgBouncer.
import { createConnection, createServer, type Server } from 'node:net';
import { fileURLToPath } from 'node:url';
import { spawnServer } from './child-process.ts';
import { freePort, waitForPort } from './local-ports.ts';
import type { PgTarget } from './pgbench-run.ts';
import type { RunningProxy } from './pgbouncer.ts';

/** A server that pipes each connection to `host:port` byte for byte. */
export function createPipeServer(host: string, port: number): Server {
  return createServer((client) => {
    const upstream = createConnection({ host, port });
    client.setNoDelay(true);
    upstream.setNoDelay(true);
    client.pipe(upstream);
    upstream.pipe(client);
    client.on('error', () => upstream.destroy());
    upstream.on('error', () => client.destroy());
    client.on('close', () => upstream.destroy());
    upstream.on('close', () => client.destroy());
  });
}

/**
 * Runs this file as a child process that pipes a free port to `upstream`.
 * @example const pipe = await startPlainPipe(direct); await runPgbench(pipe.target, 'simple', settings); await pipe.close();
 */
export async function startPlainPipe(upstream: PgTarget): Promise<RunningProxy> {
  const port = await freePort();
  const self = fileURLToPath(import.meta.url);
  const server = spawnServer(process.execPath, ['--import', 'tsx', self, String(port), upstream.host, String(upstream.port)]);
  const close = (): Promise<void> => server.stop();
  try {
    await waitForPort('127.0.0.1', port, 15_000, () => `plain pipe: ${server.output()}`);
  } catch (error) {
    await close();
    throw error;
  }
  const { password } = upstream;
  return { target: { host: '127.0.0.1', port, user: upstream.user, database: upstream.database, ...(password === undefined ? {} : { password }) }, pid: server.child.pid, close };
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const [listenPort, host, port] = process.argv.slice(2);
  if (listenPort === undefined || host === undefined || port === undefined) {
    process.stderr.write('usage: plain-pipe.ts <listen-port> <upstream-host> <upstream-port>\n');
    process.exit(64);
  }
  const server = createPipeServer(host, Number(port));
  server.listen(Number(listenPort), '127.0.0.1');
  process.once('SIGTERM', () => {
    server.close();
    process.exit(0);
  });
}
