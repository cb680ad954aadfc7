// Local TCP ports for the gateway benchmark: a free one to listen on, and waiting until a server accepts on one.
import { createConnection, createServer } from 'node:net';
import { sleep } from '../bench-support.ts';

/** A port on 127.0.0.1 nobody listens on right now (the system picks it; a race is possible but harmless here). */
export async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', resolve);
  });
  const address = server.address();
  await new Promise<void>((resolve) => server.close(() => { resolve(); }));
  if (address === null || typeof address === 'string') throw new Error('the system gave no TCP port');
  return address.port;
}

function accepts(host: string, port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = createConnection({ host, port });
    socket.once('connect', () => {
      socket.destroy();
      resolve(true);
    });
    socket.once('error', () => {
      resolve(false);
    });
  });
}

/** Resolves once `host:port` accepts a connection; throws after `timeoutMs` (with `describe()` in the message). */
export async function waitForPort(host: string, port: number, timeoutMs: number, describe: () => string): Promise<void> {
  const until = Date.now() + timeoutMs;
  while (!(await accepts(host, port))) {
    if (Date.now() > until) throw new Error(`nothing listens on ${host}:${port} after ${timeoutMs} ms: ${describe()}`);
    await sleep(100);
  }
}
