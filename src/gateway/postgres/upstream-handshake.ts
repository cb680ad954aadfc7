// The upstream session set-up after TCP and TLS: StartupMessage, authentication, the server's parameters, the initial statements.
/**
 * Driven by the socket's 'data' events, so the chunk holding the last ReadyForQuery is the last one
 * read: whatever follows it in that chunk is handed to the caller as `buffered`, and the socket is
 * paused before any later chunk is emitted.
 * @see https://www.postgresql.org/docs/current/protocol-flow.html#PROTOCOL-FLOW-START-UP
 */
import type net from 'node:net';
import { serialize } from 'pg-protocol';
import { BackendMessageType, createBackendFramer, decodeReadyForQuery, describeBackendType } from './backend-framer.ts';
import {
  decodeAuthenticationRequest,
  decodeBackendKeyData,
  readServerError,
  decodeParameterStatus,
} from './backend-message-fields.ts';
import type { AuthenticationRequest } from './backend-message-fields.ts';
import { createScramClient, md5PasswordResponse, SCRAM_SHA_256 } from './upstream-authentication.ts';
import type { ScramClient } from './upstream-authentication.ts';
import { UpstreamError, upstreamProtocolError } from './upstream-error.ts';

/** Protocol version 3.0 as StartupMessage carries it (major 3 in the high 16 bits). */
const PROTOCOL_VERSION_3_0 = 196_608;

/** No handshake message is anywhere near this; a larger one means the stream is not PostgreSQL's. */
const MAX_HANDSHAKE_MESSAGE_BYTES = 1 << 20;

/** Startup parameters the target decides, or that change what the protocol means. */
const reservedParameters = new Set(['user', 'database', 'replication']);

export type HandshakePhase = 'authenticating' | 'starting the session' | 'running the initial statements';

export interface HandshakeRequest {
  readonly upstreamName: string;
  readonly user: string;
  readonly password: string | undefined;
  /** From buildStartupMessage. */
  readonly startupMessage: Buffer;
  readonly initialStatements: readonly string[];
  readonly onPhase: (phase: HandshakePhase) => void;
}

export interface HandshakeResult {
  readonly parameters: ReadonlyMap<string, string>;
  readonly backendKey: { processId: number; secretKey: Buffer } | undefined;
  readonly transactionStatus: 'I' | 'T' | 'E';
  readonly buffered: Buffer;
}

/**
 * StartupMessage: Int32 length, Int32 protocol version, then name/value string pairs and a final zero byte.
 * Written here rather than with pg-protocol's serialize.startup, which always appends client_encoding=UTF8
 * and so would override the encoding the client asked for. Throws a TypeError for a reserved or malformed parameter.
 * @see https://www.postgresql.org/docs/current/protocol-message-formats.html#PROTOCOL-MESSAGE-FORMATS-STARTUPMESSAGE
 */
export function buildStartupMessage(user: string, database: string, parameters: Readonly<Record<string, string>>): Buffer {
  const pairs: [string, string][] = [['user', user], ['database', database]];
  for (const [name, value] of Object.entries(parameters)) {
    if (reservedParameters.has(name) || name.startsWith('_pq_.')) throw new TypeError(`startup parameter "${name}" is not the caller's to set`);
    pairs.push([name, value]);
  }
  const parts: Buffer[] = [Buffer.alloc(8)];
  for (const [name, value] of pairs) {
    if (name === '' || name.includes('\0') || value.includes('\0')) throw new TypeError(`startup parameter ${JSON.stringify(name)} has an empty name or a NUL byte`);
    parts.push(Buffer.from(`${name}\0${value}\0`, 'utf8'));
  }
  parts.push(Buffer.alloc(1));
  const message = Buffer.concat(parts);
  message.writeInt32BE(message.length, 0);
  message.writeInt32BE(PROTOCOL_VERSION_3_0, 4);
  return message;
}

/** Runs the handshake on a connected (and, if asked, encrypted) socket. On failure the caller destroys the socket. */
export function performHandshake(socket: net.Socket, request: HandshakeRequest): Promise<HandshakeResult> {
  return new Promise((resolve, reject) => {
    let settled = false;
    const cleanUp = (): void => {
      settled = true;
      socket.off('data', onData).off('error', onError).off('close', onClose);
    };
    const fail = (error: unknown): void => {
      if (settled) return;
      cleanUp();
      reject(asHandshakeError(error, request.upstreamName));
    };
    const machine = new StartupMachine(request, (message) => { if (!settled) socket.write(message); }, fail);
    const framer = createBackendFramer({
      maxMessageBytes: MAX_HANDSHAKE_MESSAGE_BYTES,
      wantsBody: () => !settled,
      onMessage: (type, body, end) => {
        if (settled || !machine.handle(type, body ?? Buffer.alloc(0))) return;
        cleanUp();
        socket.pause();
        resolve({ ...machine.result(), buffered: Buffer.from(currentChunk.subarray(end)) });
      },
    });
    let currentChunk: Buffer = Buffer.alloc(0);
    const onData = (chunk: Buffer): void => {
      currentChunk = chunk;
      try {
        framer.push(chunk);
      } catch (error) {
        fail(error); // after success, bytes past ReadyForQuery are the caller's to judge
      }
    };
    const onError = (error: NodeJS.ErrnoException): void => { fail(error); };
    const onClose = (): void => { fail(new UpstreamError('protocol', `${request.upstreamName} closed the connection during the handshake`)); };
    socket.on('data', onData).on('error', onError).on('close', onClose);
    request.onPhase('authenticating');
    socket.write(request.startupMessage);
  });
}

/** An UpstreamError naming the server; a socket error (ECONNRESET ...) becomes 'unreachable'. */
function asHandshakeError(error: unknown, upstreamName: string): Error {
  if (error instanceof UpstreamError) return error.naming(upstreamName);
  if (!(error instanceof Error)) return new Error(String(error));
  const code = (error as NodeJS.ErrnoException).code;
  if (code === undefined) return error;
  return new UpstreamError('unreachable', `${upstreamName} dropped the connection during the handshake (${code})`, { cause: error });
}

/** What each backend message means at each point of the start-up; `handle` returns true at the last ReadyForQuery. */
class StartupMachine {
  private authenticated = false;
  private scram: ScramClient | undefined;
  private readyCount = 0;
  private readonly parameters = new Map<string, string>();
  private backendKey: { processId: number; secretKey: Buffer } | undefined;
  private transactionStatus: 'I' | 'T' | 'E' = 'I';

  constructor(
    private readonly request: HandshakeRequest,
    private readonly send: (message: Buffer) => void,
    private readonly fail: (error: unknown) => void,
  ) {}

  result(): Omit<HandshakeResult, 'buffered'> {
    return { parameters: this.parameters, backendKey: this.backendKey, transactionStatus: this.transactionStatus };
  }

  handle(type: number, body: Buffer): boolean {
    const inSession = this.authenticated;
    const inStatements = this.readyCount >= 1;
    switch (type) {
      case BackendMessageType.Authentication:
        if (inSession) throw upstreamProtocolError('an Authentication message after AuthenticationOk');
        this.authenticate(decodeAuthenticationRequest(body));
        return false;
      case BackendMessageType.ErrorResponse:
        throw this.errorResponse(body);
      case BackendMessageType.NoticeResponse:
      case BackendMessageType.NegotiateProtocolVersion:
        return false;
      case BackendMessageType.ParameterStatus: {
        const { name, value } = decodeParameterStatus(body);
        this.parameters.set(name, value);
        return false;
      }
      case BackendMessageType.BackendKeyData:
        if (!inSession) break;
        this.backendKey = decodeBackendKeyData(body);
        return false;
      case BackendMessageType.ReadyForQuery:
        if (!inSession) break;
        return this.readyForQuery(body);
      case BackendMessageType.RowDescription:
      case BackendMessageType.DataRow:
      case BackendMessageType.CommandComplete:
      case BackendMessageType.EmptyQueryResponse:
      case BackendMessageType.NotificationResponse:
        if (inStatements) return false;
        break;
      default:
        break;
    }
    throw upstreamProtocolError(`an unexpected ${describeBackendType(type)} message during the handshake`);
  }

  private readyForQuery(body: Buffer): boolean {
    this.transactionStatus = decodeReadyForQuery(body);
    this.readyCount += 1;
    if (this.readyCount === 1 && this.request.initialStatements.length > 0) this.request.onPhase('running the initial statements');
    return this.readyCount === 1 + this.request.initialStatements.length;
  }

  private authenticate(auth: AuthenticationRequest): void {
    const { upstreamName, user, password } = this.request;
    if (auth.kind === 'ok') {
      this.authenticationOk();
      return;
    }
    if (auth.kind === 'unsupported') {
      throw new UpstreamError('authentication', `${upstreamName} asks for ${auth.method} authentication, which Writ does not support`);
    }
    if (password === undefined) {
      throw new UpstreamError('authentication', `${upstreamName} asks for a password for user "${user}", and none is configured`);
    }
    switch (auth.kind) {
      case 'cleartext-password':
        this.send(serialize.password(password));
        break;
      case 'md5-password':
        this.send(serialize.password(md5PasswordResponse(user, password, auth.salt)));
        break;
      case 'sasl':
        this.startScram(auth.mechanisms, password);
        break;
      case 'sasl-continue':
        this.continueScram(auth.data);
        break;
      case 'sasl-final':
        this.scramClient('AuthenticationSASLFinal').verifyServerFinal(auth.data.toString('utf8'));
        break;
    }
  }

  private authenticationOk(): void {
    if (this.scram !== undefined && !this.scram.verified) {
      throw new UpstreamError('authentication', `${this.request.upstreamName} ended SCRAM authentication without proving that it knows the password`);
    }
    this.authenticated = true;
    this.request.onPhase('starting the session');
    // Queued behind the start-up: the server reads them after its first ReadyForQuery.
    for (const statement of this.request.initialStatements) this.send(serialize.query(statement));
  }

  private startScram(mechanisms: readonly string[], password: string): void {
    if (this.scram !== undefined) throw upstreamProtocolError('a second AuthenticationSASL message');
    if (!mechanisms.includes(SCRAM_SHA_256)) {
      throw new UpstreamError('authentication', `${this.request.upstreamName} offers SASL mechanisms Writ does not support (${mechanisms.join(', ')})`);
    }
    this.scram = createScramClient(password);
    this.send(serialize.sendSASLInitialResponseMessage(SCRAM_SHA_256, this.scram.clientFirstMessage));
  }

  private continueScram(data: Buffer): void {
    const scram = this.scramClient('AuthenticationSASLContinue');
    scram.respond(data.toString('utf8')).then((clientFinal) => {
      this.send(serialize.sendSCRAMClientFinalMessage(clientFinal));
    }, this.fail);
  }

  private scramClient(message: string): ScramClient {
    if (this.scram === undefined) throw upstreamProtocolError(`${message} before AuthenticationSASL`);
    return this.scram;
  }

  private errorResponse(body: Buffer): UpstreamError {
    const { upstreamName, user, initialStatements } = this.request;
    const fields = readServerError(body);
    const reason = `${fields.message}${fields.sqlState === undefined ? '' : ` (${fields.sqlState})`}`;
    const options = { sqlState: fields.sqlState };
    if (fields.sqlState?.startsWith('28') === true) {
      return new UpstreamError('authentication', `${upstreamName} refused the credentials of user "${user}": ${reason}`, options);
    }
    const statement = this.readyCount >= 1 ? initialStatements[this.readyCount - 1] : undefined;
    if (statement !== undefined) {
      return new UpstreamError('rejected', `${upstreamName} refused the initial statement ${JSON.stringify(statement.slice(0, 200))}: ${reason}`, options);
    }
    return new UpstreamError('rejected', `${upstreamName} refused the session: ${reason}`, options);
  }
}
