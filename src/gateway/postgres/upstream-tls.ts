// TLS towards an upstream PostgreSQL server, with libpq's sslmode meanings: SSLRequest first, then a TLS handshake or plain text.
/**
 * - disable: no SSLRequest, plain text.
 * - prefer: SSLRequest; TLS without verification if the server answers 'S', plain text if it answers 'N'.
 * - require: TLS or nothing, without verification; with a CA given, the chain is verified (libpq: "if a
 *   root CA file exists, the behavior of sslmode=require will be the same as that of verify-ca").
 * - verify-full: TLS, the chain verified (against tlsCa, or the system's CAs) and the host name checked.
 * @see https://www.postgresql.org/docs/current/libpq-ssl.html#LIBPQ-SSL-SSLMODE-STATEMENTS
 * @see https://www.postgresql.org/docs/current/protocol-flow.html#PROTOCOL-FLOW-SSL
 */
import net from 'node:net';
import tls from 'node:tls';
import { serialize } from 'pg-protocol';
import { UpstreamError } from './upstream-error.ts';

export type UpstreamTlsMode = 'disable' | 'prefer' | 'require' | 'verify-full';

export interface TlsTarget {
  readonly host: string;
  readonly tls: UpstreamTlsMode;
  readonly tlsCa?: string;
}

/** The socket to speak the protocol on (a TLSSocket when TLS was set up) and whether it is encrypted. */
export interface NegotiatedSocket {
  readonly socket: net.Socket;
  readonly tls: boolean;
}

/**
 * Sends SSLRequest and sets up TLS as `target.tls` asks. Resolves with no listeners of its own left on
 * either socket. On failure the caller destroys the socket.
 */
export async function negotiateTls(socket: net.Socket, target: TlsTarget, upstreamName: string): Promise<NegotiatedSocket> {
  if (target.tls === 'disable') return { socket, tls: false };
  const answer = await requestSsl(socket, upstreamName);
  if (answer === 'N') {
    if (target.tls === 'prefer') return { socket, tls: false };
    throw new UpstreamError('tls', `${upstreamName} does not accept TLS connections, and TLS is required (tls: ${target.tls})`);
  }
  return { socket: await startTls(socket, target, upstreamName), tls: true };
}

/** Writes SSLRequest and reads the one-byte answer. */
function requestSsl(socket: net.Socket, upstreamName: string): Promise<'S' | 'N'> {
  return new Promise((resolve, reject) => {
    const cleanUp = (): void => {
      socket.off('data', onData).off('error', onError).off('close', onClose);
    };
    const onData = (chunk: Buffer): void => {
      cleanUp();
      const answer = String.fromCharCode(chunk[0] ?? 0);
      // CVE-2021-23222: bytes after the answer were not protected by TLS and must not be read as the server's.
      if (chunk.length > 1) reject(new UpstreamError('protocol', `${upstreamName} sent unencrypted data after its answer to SSLRequest`));
      else if (answer === 'S' || answer === 'N') resolve(answer);
      else reject(new UpstreamError('protocol', `${upstreamName} answered SSLRequest with ${JSON.stringify(answer)} instead of 'S' or 'N'`));
    };
    const onError = (error: NodeJS.ErrnoException): void => {
      cleanUp();
      reject(new UpstreamError('unreachable', `${upstreamName} closed the connection during TLS negotiation (${error.code ?? error.message})`, { cause: error }));
    };
    const onClose = (): void => {
      cleanUp();
      reject(new UpstreamError('protocol', `${upstreamName} closed the connection instead of answering SSLRequest`));
    };
    socket.on('data', onData).on('error', onError).on('close', onClose);
    socket.write(serialize.requestSsl());
  });
}

function tlsOptions(socket: net.Socket, target: TlsTarget): tls.ConnectionOptions {
  const verifyChain = target.tls === 'verify-full' || (target.tls === 'require' && target.tlsCa !== undefined);
  const options: tls.ConnectionOptions = {
    socket,
    host: target.host,
    rejectUnauthorized: verifyChain,
    // libpq checks the name only in verify-full; Node checks it whenever it verifies.
    checkServerIdentity: target.tls === 'verify-full' ? tls.checkServerIdentity : () => undefined,
  };
  // SNI carries host names only (RFC 6066 section 3).
  if (net.isIP(target.host) === 0) options.servername = target.host;
  if (target.tlsCa !== undefined) options.ca = target.tlsCa;
  return options;
}

function startTls(socket: net.Socket, target: TlsTarget, upstreamName: string): Promise<tls.TLSSocket> {
  return new Promise((resolve, reject) => {
    const secure = tls.connect(tlsOptions(socket, target));
    const cleanUp = (): void => {
      secure.off('secureConnect', onSecure).off('error', onError).off('close', onClose);
    };
    const onSecure = (): void => {
      cleanUp();
      resolve(secure);
    };
    const onError = (error: NodeJS.ErrnoException): void => {
      cleanUp();
      secure.destroy();
      reject(new UpstreamError('tls', `TLS with ${upstreamName} failed: ${error.message}${error.code === undefined ? '' : ` (${error.code})`}`, { cause: error }));
    };
    const onClose = (): void => {
      cleanUp();
      reject(new UpstreamError('tls', `${upstreamName} closed the connection during the TLS handshake`));
    };
    secure.on('secureConnect', onSecure).on('error', onError).on('close', onClose);
  });
}
