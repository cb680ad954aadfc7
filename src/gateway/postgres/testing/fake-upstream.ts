// A scripted PostgreSQL server for upstream tests: password methods, TLS answers and misbehaviour a real test server will not show.
/**
 * Speaks just enough of the backend protocol: SSLRequest ('S' with TLS, or 'N'), StartupMessage, one
 * authentication method, ParameterStatus, BackendKeyData, ReadyForQuery, and for every Query a
 * CommandComplete and a ReadyForQuery. The password checks are written from the PostgreSQL
 * documentation, independently of the client code they test.
 * @see https://www.postgresql.org/docs/current/protocol-flow.html
 */
import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';
import net from 'node:net';
import tls from 'node:tls';
import { createScramVerifier, hmacSha256, sha256 } from '../scram-verifier.ts';
import type { ScramVerifier } from '../scram-verifier.ts';

/** How the fake stores the password: in clear, or as PostgreSQL stores it (rolpassword). */
export type FakeAuth =
  | { readonly method: 'trust' }
  | { readonly method: 'cleartext'; readonly password: string }
  | { readonly method: 'md5'; readonly password: string }
  /** The "md5..." text of pg_authid.rolpassword. */
  | { readonly method: 'md5-stored'; readonly rolpassword: string }
  | { readonly method: 'scram-sha-256'; readonly verifier: ScramVerifier }
  | { readonly method: 'gss' };

export type FakeMisbehaviour =
  | 'none'
  /** Accepts TCP and never sends a byte. */
  | 'silent'
  | 'wrong-scram-server-signature'
  /** Sends AuthenticationOk where server-final-message belongs. */
  | 'ok-without-scram-final'
  /** Sends a byte after 'S', before the TLS handshake (CVE-2021-23222). */
  | 'bytes-after-ssl-answer'
  /** Sends a NoticeResponse right behind the first ReadyForQuery, in the same write. */
  | 'notice-after-ready';

export interface FakeUpstreamOptions {
  readonly auth: FakeAuth;
  /** Answer SSLRequest with 'S' and this certificate; without it the answer is 'N'. */
  readonly tls?: { readonly key: string; readonly cert: string };
  readonly misbehaviour?: FakeMisbehaviour;
  /** The CommandComplete tag every Query gets (default `SET`): a server that says it did something else. */
  readonly queryTag?: string;
}

export interface FakeUpstream {
  readonly port: number;
  /** Startup parameters of every session that got as far as a StartupMessage. */
  readonly startups: ReadonlyMap<string, string>[];
  /** Sessions whose TLS handshake completed. */
  readonly tlsSessions: number;
  /** Settles when the first client connects, and when that connection is closed. */
  readonly connected: Promise<void>;
  readonly disconnected: Promise<void>;
  close(): Promise<void>;
}

/** The SCRAM verifier PostgreSQL would store for `password`, with a random salt. */
export function fakeScramVerifier(password: string): ScramVerifier {
  return createScramVerifier(password, randomBytes(16));
}

/** Parses pg_authid.rolpassword "SCRAM-SHA-256$<iterations>:<salt>$<StoredKey>:<ServerKey>". */
export function parseStoredScram(rolpassword: string): ScramVerifier {
  const match = /^SCRAM-SHA-256\$(\d+):([^$]+)\$([^:]+):(.+)$/.exec(rolpassword);
  if (match === null) throw new Error('not a SCRAM-SHA-256 secret');
  const [, iterations = '', salt = '', storedKey = '', serverKey = ''] = match;
  return { iterations: Number(iterations), salt: Buffer.from(salt, 'base64'), storedKey: Buffer.from(storedKey, 'base64'), serverKey: Buffer.from(serverKey, 'base64') };
}

function message(type: string, body: Buffer): Buffer {
  const header = Buffer.alloc(5);
  header.write(type, 0, 'latin1');
  header.writeInt32BE(body.length + 4, 1);
  return Buffer.concat([header, body]);
}

function int32(value: number): Buffer {
  const buffer = Buffer.alloc(4);
  buffer.writeInt32BE(value);
  return buffer;
}

const cstring = (text: string): Buffer => Buffer.from(`${text}\0`, 'utf8');
const authentication = (code: number, data: Buffer = Buffer.alloc(0)): Buffer => message('R', Buffer.concat([int32(code), data]));
const readyForQuery = (): Buffer => message('Z', Buffer.from('I'));
const errorResponse = (sqlState: string, text: string): Buffer =>
  message('E', Buffer.concat([cstring('SFATAL'), cstring(`C${sqlState}`), cstring(`M${text}`), Buffer.alloc(1)]));

/** The NoticeResponse of the 'notice-after-ready' misbehaviour. */
export const FAKE_NOTICE = message('N', Buffer.concat([cstring('SNOTICE'), cstring('C00000'), cstring('Mhello from behind ReadyForQuery'), Buffer.alloc(1)]));

/** Reads length-prefixed messages: untyped ones (startup phase) or typed ones. */
class MessageReader {
  private pending = Buffer.alloc(0);
  typed = false;

  next(chunk: Buffer | undefined): { type: string; body: Buffer } | undefined {
    if (chunk !== undefined) this.pending = Buffer.concat([this.pending, chunk]);
    const headerBytes = this.typed ? 5 : 4;
    if (this.pending.length < headerBytes) return undefined;
    const length = this.pending.readInt32BE(headerBytes - 4);
    const total = length + headerBytes - 4;
    if (this.pending.length < total) return undefined;
    const type = this.typed ? String.fromCharCode(this.pending[0] ?? 0) : '';
    const body = this.pending.subarray(headerBytes, total);
    this.pending = this.pending.subarray(total);
    return { type, body };
  }
}

class FakeSession {
  private readonly reader = new MessageReader();
  private user = '';
  private scram: { clientFirstBare: string; serverFirst: string } | undefined;
  private md5Salt = randomBytes(4);

  constructor(
    private socket: net.Socket,
    private readonly options: FakeUpstreamOptions,
    private readonly fake: { startups: ReadonlyMap<string, string>[]; tlsSessions: number },
  ) {
    socket.on('data', (chunk: Buffer) => { this.receive(chunk); });
    socket.on('error', () => undefined);
  }

  private receive(chunk: Buffer | undefined): void {
    for (let next = this.reader.next(chunk); next !== undefined; next = this.reader.next(undefined)) {
      if (this.reader.typed) this.typed(next.type, next.body);
      else this.untyped(next.body);
    }
  }

  private untyped(body: Buffer): void {
    const code = body.readInt32BE(0);
    if (code === 80_877_103) { this.sslRequest(); return; }
    if (code === 80_877_102) return void this.socket.end();
    const parameters = new Map<string, string>();
    const fields = body.toString('utf8', 4).split('\0');
    for (let i = 0; i + 1 < fields.length && fields[i] !== ''; i += 2) parameters.set(fields[i] ?? '', fields[i + 1] ?? '');
    this.fake.startups.push(parameters);
    this.user = parameters.get('user') ?? '';
    this.reader.typed = true;
    this.askForPassword();
  }

  private sslRequest(): void {
    const certificate = this.options.tls;
    if (certificate === undefined) return void this.socket.write('N');
    this.socket.write(this.options.misbehaviour === 'bytes-after-ssl-answer' ? 'SZ' : 'S');
    this.socket.removeAllListeners('data');
    const secure = new tls.TLSSocket(this.socket, { isServer: true, key: certificate.key, cert: certificate.cert });
    secure.on('secure', () => { this.fake.tlsSessions += 1; });
    secure.on('error', () => undefined);
    secure.on('data', (chunk: Buffer) => { this.receive(chunk); });
    this.socket = secure;
  }

  private askForPassword(): void {
    const auth = this.options.auth;
    if (auth.method === 'trust') { this.sessionReady(); return; }
    if (auth.method === 'cleartext') return void this.socket.write(authentication(3));
    if (auth.method === 'md5' || auth.method === 'md5-stored') return void this.socket.write(authentication(5, this.md5Salt));
    if (auth.method === 'gss') return void this.socket.write(authentication(7));
    this.socket.write(authentication(10, Buffer.concat([cstring('SCRAM-SHA-256-PLUS'), cstring('SCRAM-SHA-256'), Buffer.alloc(1)])));
  }

  private typed(type: string, body: Buffer): void {
    if (type === 'p') { this.passwordMessage(body); return; }
    if (type === 'X') return void this.socket.end();
    if (type === 'Q') return void this.socket.write(Buffer.concat([message('C', cstring(this.options.queryTag ?? 'SET')), readyForQuery()]));
  }

  private passwordMessage(body: Buffer): void {
    const auth = this.options.auth;
    if (auth.method === 'scram-sha-256') { this.scramMessage(body, auth.verifier); return; }
    const sent = body.toString('utf8', 0, body.length - 1);
    const md5 = (data: Buffer | string): string => createHash('md5').update(data).digest('hex');
    const storedMd5 = auth.method === 'md5' ? `md5${md5(auth.password + this.user)}` : auth.method === 'md5-stored' ? auth.rolpassword : '';
    const expected = auth.method === 'cleartext' ? auth.password : `md5${md5(Buffer.concat([Buffer.from(storedMd5.slice(3)), this.md5Salt]))}`;
    if (sent === expected) this.sessionReady();
    else this.refuse();
  }

  private scramMessage(body: Buffer, verifier: ScramVerifier): void {
    if (this.scram === undefined) {
      const mechanismEnd = body.indexOf(0);
      const clientFirst = body.toString('utf8', mechanismEnd + 5);
      const clientFirstBare = clientFirst.replace(/^n,,/, '');
      const clientNonce = /r=([^,]+)/.exec(clientFirstBare)?.[1] ?? '';
      const serverFirst = `r=${clientNonce}${randomBytes(18).toString('base64')},s=${verifier.salt.toString('base64')},i=${verifier.iterations}`;
      this.scram = { clientFirstBare, serverFirst };
      return void this.socket.write(authentication(11, Buffer.from(serverFirst)));
    }
    const clientFinal = body.toString('utf8');
    const withoutProof = clientFinal.replace(/,p=[^,]*$/, '');
    const proof = Buffer.from(/,p=([^,]*)$/.exec(clientFinal)?.[1] ?? '', 'base64');
    const authMessage = `${this.scram.clientFirstBare},${this.scram.serverFirst},${withoutProof}`;
    const clientSignature = hmacSha256(verifier.storedKey, authMessage);
    const clientKey = Buffer.from(proof.map((byte, i) => byte ^ (clientSignature[i] ?? 0)));
    if (proof.length !== 32 || !timingSafeEqual(sha256(clientKey), verifier.storedKey)) { this.refuse(); return; }
    const misbehaviour = this.options.misbehaviour;
    if (misbehaviour === 'ok-without-scram-final') { this.sessionReady(); return; }
    const serverSignature = misbehaviour === 'wrong-scram-server-signature' ? randomBytes(32) : hmacSha256(verifier.serverKey, authMessage);
    this.socket.write(authentication(12, Buffer.from(`v=${serverSignature.toString('base64')}`)));
    this.sessionReady();
  }

  private refuse(): void {
    this.socket.end(errorResponse('28P01', `password authentication failed for user "${this.user}"`));
  }

  private sessionReady(): void {
    const status = (name: string, value: string): Buffer => message('S', Buffer.concat([cstring(name), cstring(value)]));
    this.socket.write(Buffer.concat([
      authentication(0),
      status('server_version', '16.4 (Writ fake)'),
      status('client_encoding', 'UTF8'),
      message('K', Buffer.concat([int32(4242), int32(0x01020304)])),
      readyForQuery(),
      this.options.misbehaviour === 'notice-after-ready' ? FAKE_NOTICE : Buffer.alloc(0),
    ]));
  }
}

/** Starts a fake server on 127.0.0.1 with a port the OS chooses. */
export async function startFakeUpstream(options: FakeUpstreamOptions): Promise<FakeUpstream> {
  const fake = { startups: [] as ReadonlyMap<string, string>[], tlsSessions: 0 };
  const sockets = new Set<net.Socket>();
  const first = { connected: (): void => undefined, disconnected: (): void => undefined };
  const connected = new Promise<void>((resolve) => { first.connected = resolve; });
  const disconnected = new Promise<void>((resolve) => { first.disconnected = resolve; });
  const server = net.createServer((socket) => {
    sockets.add(socket);
    first.connected();
    socket.on('close', () => {
      sockets.delete(socket);
      first.disconnected();
    });
    if (options.misbehaviour === 'silent') socket.on('error', () => undefined).resume(); // reads and drops, so it sees the client leave
    else new FakeSession(socket, options, fake);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const address = server.address() as net.AddressInfo;
  return {
    port: address.port,
    startups: fake.startups,
    connected,
    disconnected,
    get tlsSessions() {
      return fake.tlsSessions;
    },
    close: () => new Promise<void>((resolve) => {
      for (const socket of sockets) socket.destroy();
      server.close(() => { resolve(); });
    }),
  };
}
