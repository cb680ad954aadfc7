// Opens Writ's own session to an upstream PostgreSQL server and hands over the socket, ready to relay bytes.
/**
 * connect (TCP) -> SSLRequest and TLS as the target asks -> StartupMessage, authentication, ParameterStatus,
 * BackendKeyData -> the initial statements -> ReadyForQuery. One deadline covers all of it; on any failure
 * every socket opened is destroyed.
 * @see https://www.postgresql.org/docs/current/protocol-flow.html#PROTOCOL-FLOW-START-UP
 */
import net from 'node:net';
import { buildStartupMessage, performHandshake } from './upstream-handshake.ts';
import type { HandshakePhase } from './upstream-handshake.ts';
import { describeUpstream, UpstreamError } from './upstream-error.ts';
import { negotiateTls } from './upstream-tls.ts';
import type { UpstreamTlsMode } from './upstream-tls.ts';

export type { UpstreamTlsMode } from './upstream-tls.ts';

export interface UpstreamTarget {
  readonly host: string;
  readonly port: number;
  readonly database: string;
  readonly user: string;
  readonly password?: string;
  readonly tls: UpstreamTlsMode;
  /** PEM: the CA(s) that sign the server's certificate; without it verify-full uses the system's CAs. */
  readonly tlsCa?: string;
}

export interface ConnectUpstreamOptions {
  /** Sent in the StartupMessage (application_name, client_encoding, DateStyle, TimeZone, options ...); user, database and replication come from the target. */
  readonly startupParameters: Readonly<Record<string, string>>;
  /** Run with the simple query protocol after the handshake; their results are read and dropped. */
  readonly initialStatements?: readonly string[];
  /** Covers connect, TLS, authentication and the initial statements. */
  readonly connectTimeoutMs: number;
  /** Aborting destroys the socket and rejects with the signal's reason. */
  readonly signal?: AbortSignal;
}

export interface UpstreamSession {
  /** A net.Socket, or a tls.TLSSocket. No listener of Writ's is attached and it is paused: attach 'error' and 'data', then resume(). */
  readonly socket: net.Socket;
  /** ParameterStatus values the server reported (server_version, server_encoding, client_encoding, ...). */
  readonly parameters: ReadonlyMap<string, string>;
  /** For CancelRequest; undefined when the server sent no BackendKeyData. */
  readonly backendKey: { processId: number; secretKey: Buffer } | undefined;
  readonly transactionStatus: 'I' | 'T' | 'E';
  /** Bytes read past the last ReadyForQuery: the start of the stream the caller relays. */
  readonly buffered: Buffer;
  readonly tls: boolean;
}

type Phase = 'connecting' | 'negotiating TLS' | HandshakePhase;

/**
 * Connects to `target` and returns the session once it is ready for queries.
 * @example const session = await connectUpstream(target, { startupParameters: { application_name: 'writ' }, connectTimeoutMs: 5000 })
 */
export async function connectUpstream(target: UpstreamTarget, options: ConnectUpstreamOptions): Promise<UpstreamSession> {
  const startupMessage = buildStartupMessage(target.user, target.database, options.startupParameters);
  options.signal?.throwIfAborted();
  const upstreamName = describeUpstream(target);
  const attempt = new ConnectAttempt(upstreamName, options);
  try {
    const tcp = attempt.track(net.connect({ host: target.host, port: target.port }));
    await attempt.race(openTcp(tcp, upstreamName));
    tcp.setNoDelay(true);
    tcp.setKeepAlive(true);
    attempt.phase = 'negotiating TLS';
    const negotiated = await attempt.race(negotiateTls(tcp, target, upstreamName));
    attempt.track(negotiated.socket);
    const handshake = await attempt.race(
      performHandshake(negotiated.socket, {
        upstreamName,
        user: target.user,
        password: target.password,
        startupMessage,
        initialStatements: options.initialStatements ?? [],
        onPhase: (phase) => { attempt.phase = phase; },
      }),
    );
    return { socket: negotiated.socket, ...handshake, tls: negotiated.tls };
  } catch (error) {
    attempt.destroySockets();
    throw error;
  } finally {
    attempt.dispose();
  }
}

/** The deadline and the abort signal of one connectUpstream call, and the sockets it must destroy if either fires. */
class ConnectAttempt {
  phase: Phase = 'connecting';
  private readonly sockets: net.Socket[] = [];
  private readonly stopped: Promise<never>;
  private timer: NodeJS.Timeout | undefined;
  private onAbort: (() => void) | undefined;

  constructor(
    private readonly upstreamName: string,
    private readonly options: ConnectUpstreamOptions,
  ) {
    this.stopped = new Promise<never>((_, reject) => {
      this.timer = setTimeout(() => {
        reject(new UpstreamError('timeout', `${this.upstreamName} did not answer within ${this.options.connectTimeoutMs} ms (while ${this.phase})`));
      }, options.connectTimeoutMs);
      const signal = options.signal;
      if (signal === undefined) return;
      this.onAbort = () => { reject(abortReason(signal)); };
      signal.addEventListener('abort', this.onAbort, { once: true });
    });
    // Only ever observed through race(); a rejection after the last step is of no interest.
    this.stopped.catch(() => undefined);
  }

  track<T extends net.Socket>(socket: T): T {
    this.sockets.push(socket);
    return socket;
  }

  race<T>(step: Promise<T>): Promise<T> {
    return Promise.race([step, this.stopped]);
  }

  destroySockets(): void {
    for (const socket of this.sockets) socket.destroy();
  }

  dispose(): void {
    clearTimeout(this.timer);
    if (this.onAbort !== undefined) this.options.signal?.removeEventListener('abort', this.onAbort);
  }
}

/** The signal's reason (an AbortError DOMException unless the caller gave one), always as an Error. */
function abortReason(signal: AbortSignal): Error {
  const reason: unknown = signal.reason;
  return reason instanceof Error ? reason : new Error(String(reason));
}

function openTcp(socket: net.Socket, upstreamName: string): Promise<void> {
  return new Promise((resolve, reject) => {
    const onConnect = (): void => {
      socket.off('error', onError);
      resolve();
    };
    const onError = (error: NodeJS.ErrnoException): void => {
      socket.off('connect', onConnect);
      reject(new UpstreamError('unreachable', unreachableMessage(upstreamName, error), { cause: error }));
    };
    socket.once('connect', onConnect).once('error', onError);
  });
}

function unreachableMessage(upstreamName: string, error: NodeJS.ErrnoException): string {
  const code = error.code ?? error.message;
  switch (error.code) {
    case 'ECONNREFUSED':
      return `${upstreamName} refused the connection (${code})`;
    case 'ENOTFOUND':
    case 'EAI_AGAIN':
      return `${upstreamName} could not be found: the host name does not resolve (${code})`;
    default:
      return `${upstreamName} could not be reached (${code})`;
  }
}
