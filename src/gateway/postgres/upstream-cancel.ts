// Cancels the query an upstream session is running: a CancelRequest on a new connection, as libpq's PQcancel sends it.
/**
 * Plain TCP unless the target's tls mode requires TLS ('require', 'verify-full'); 'prefer' cancels in
 * plain text, as libpq did before PostgreSQL 17. The server closes the connection once it has read the
 * request, and gives no other answer: whether a query was cancelled shows on the session itself (57014).
 * @see https://www.postgresql.org/docs/current/protocol-flow.html#PROTOCOL-FLOW-CANCELING-REQUESTS
 * @see https://www.postgresql.org/docs/current/protocol-message-formats.html#PROTOCOL-MESSAGE-FORMATS-CANCELREQUEST
 */
import net from 'node:net';
import type { UpstreamTarget } from './upstream-connection.ts';
import { describeUpstream, UpstreamError } from './upstream-error.ts';
import { negotiateTls } from './upstream-tls.ts';
import type { UpstreamTlsMode } from './upstream-tls.ts';

/** The CancelRequest code: 1234 in the high 16 bits, 5678 in the low. */
export const CANCEL_REQUEST_CODE = 80_877_102;

export type CancelTarget = Pick<UpstreamTarget, 'host' | 'port'> & Partial<Pick<UpstreamTarget, 'tls' | 'tlsCa'>>;

/** CancelRequest: Int32 length, Int32 80877102, Int32 process id, the secret key (4 bytes in protocol 3.0). */
export function buildCancelRequest(key: { processId: number; secretKey: Buffer }): Buffer {
  const message = Buffer.alloc(12 + key.secretKey.length);
  message.writeInt32BE(message.length, 0);
  message.writeInt32BE(CANCEL_REQUEST_CODE, 4);
  message.writeInt32BE(key.processId, 8);
  key.secretKey.copy(message, 12);
  return message;
}

/**
 * Sends a CancelRequest for the session `key` names and waits until the server closes the connection.
 * @example await cancelUpstreamQuery(target, session.backendKey, 5000)
 */
export async function cancelUpstreamQuery(target: CancelTarget, key: { processId: number; secretKey: Buffer }, timeoutMs: number): Promise<void> {
  const upstreamName = describeUpstream(target);
  const tcp = net.connect({ host: target.host, port: target.port });
  let socket: net.Socket = tcp;
  let timer: NodeJS.Timeout | undefined;
  const deadline = new Promise<never>((_, reject) => {
    timer = setTimeout(() => {
      reject(new UpstreamError('timeout', `${upstreamName} did not take the cancel request within ${timeoutMs} ms`));
    }, timeoutMs);
  });
  deadline.catch(() => undefined);
  try {
    await Promise.race([connected(tcp, upstreamName), deadline]);
    const tlsMode: UpstreamTlsMode = target.tls === 'require' || target.tls === 'verify-full' ? target.tls : 'disable';
    const tlsTarget = { host: target.host, tls: tlsMode, ...(target.tlsCa === undefined ? {} : { tlsCa: target.tlsCa }) };
    socket = (await Promise.race([negotiateTls(tcp, tlsTarget, upstreamName), deadline])).socket;
    await Promise.race([sendAndAwaitClose(socket, buildCancelRequest(key), upstreamName), deadline]);
  } finally {
    clearTimeout(timer);
    socket.destroy();
    tcp.destroy();
  }
}

function connected(socket: net.Socket, upstreamName: string): Promise<void> {
  return new Promise((resolve, reject) => {
    const onConnect = (): void => {
      socket.off('error', onError);
      resolve();
    };
    const onError = (error: NodeJS.ErrnoException): void => {
      socket.off('connect', onConnect);
      reject(new UpstreamError('unreachable', `${upstreamName} could not be reached to cancel a query (${error.code ?? error.message})`, { cause: error }));
    };
    socket.once('connect', onConnect).once('error', onError);
  });
}

/** The server reads the request, acts on it and closes; a reset after the write also means it was read. */
function sendAndAwaitClose(socket: net.Socket, request: Buffer, upstreamName: string): Promise<void> {
  return new Promise((resolve, reject) => {
    let written = false;
    socket.on('data', () => undefined);
    socket.once('close', () => {
      if (written) resolve();
      else reject(new UpstreamError('unreachable', `${upstreamName} closed the connection before it took the cancel request`));
    });
    socket.on('error', () => undefined); // the close that follows settles
    socket.write(request, (error) => {
      written = error == null;
    });
  });
}
