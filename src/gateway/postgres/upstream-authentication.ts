// The client side of PostgreSQL password authentication: SCRAM-SHA-256 (RFC 5802, RFC 7677) and MD5.
/**
 * @see https://www.postgresql.org/docs/current/sasl-authentication.html
 * @see https://www.postgresql.org/docs/current/auth-password.html
 */
import { createHash, pbkdf2, randomBytes, timingSafeEqual } from 'node:crypto';
import { promisify } from 'node:util';
import { hmacSha256, sha256 } from './scram-verifier.ts';
import { UNNAMED_UPSTREAM, UpstreamError, upstreamProtocolError } from './upstream-error.ts';

export const SCRAM_SHA_256 = 'SCRAM-SHA-256';

/**
 * A server chooses the iteration count and the client pays for it; PostgreSQL's default is 4096. Above
 * this bound a hostile or misconfigured server could keep a worker thread busy for minutes.
 */
export const MAX_SCRAM_ITERATIONS = 1_000_000;

/** No channel binding: the client does not support it (gs2-cbind-flag "n"). */
const GS2_HEADER = 'n,,';

const pbkdf2Async = promisify(pbkdf2);

export interface ScramClient {
  /** client-first-message, sent in SASLInitialResponse. */
  readonly clientFirstMessage: string;
  /** Answers server-first-message with client-final-message (the salted hash runs off the main thread). */
  respond(serverFirstMessage: string): Promise<string>;
  /** Checks server-final-message; throws unless the server proved it knows the password. */
  verifyServerFinal(serverFinalMessage: string): void;
  /** Whether verifyServerFinal accepted the server's signature. */
  readonly verified: boolean;
}

/**
 * Starts a SCRAM-SHA-256 exchange. PostgreSQL takes the user from the startup message and ignores the
 * SCRAM user name, so it defaults to "*", as node-postgres sends it; the nonce defaults to 18 random bytes.
 * @example const scram = createScramClient('secret'); socket.write(serialize.sendSASLInitialResponseMessage(SCRAM_SHA_256, scram.clientFirstMessage))
 */
export function createScramClient(password: string, options: { clientNonce?: string; userName?: string } = {}): ScramClient {
  const clientNonce = options.clientNonce ?? randomBytes(18).toString('base64');
  const userName = (options.userName ?? '*').replace(/=/g, '=3D').replace(/,/g, '=2C');
  const clientFirstBare = `n=${userName},r=${clientNonce}`;
  let expectedServerSignature: Buffer | undefined;
  let verified = false;
  return {
    clientFirstMessage: GS2_HEADER + clientFirstBare,
    get verified() {
      return verified;
    },
    async respond(serverFirstMessage) {
      const serverFirst = parseServerFirst(serverFirstMessage, clientNonce);
      const salted = await pbkdf2Async(Buffer.from(saslPrep(password), 'utf8'), serverFirst.salt, serverFirst.iterations, 32, 'sha256');
      const clientFinalWithoutProof = `c=${Buffer.from(GS2_HEADER).toString('base64')},r=${serverFirst.nonce}`;
      const authMessage = `${clientFirstBare},${serverFirstMessage},${clientFinalWithoutProof}`;
      const clientKey = hmacSha256(salted, 'Client Key');
      const clientSignature = hmacSha256(sha256(clientKey), authMessage);
      const proof = Buffer.alloc(clientKey.length);
      for (let i = 0; i < proof.length; i++) proof[i] = (clientKey[i] ?? 0) ^ (clientSignature[i] ?? 0);
      expectedServerSignature = hmacSha256(hmacSha256(salted, 'Server Key'), authMessage);
      return `${clientFinalWithoutProof},p=${proof.toString('base64')}`;
    },
    verifyServerFinal(serverFinalMessage) {
      if (expectedServerSignature === undefined) throw upstreamProtocolError('SCRAM server-final-message before server-first-message');
      const signature = parseServerFinal(serverFinalMessage);
      if (signature.length !== expectedServerSignature.length || !timingSafeEqual(signature, expectedServerSignature)) {
        throw new UpstreamError('authentication', `${UNNAMED_UPSTREAM} did not prove that it knows the password (wrong SCRAM server signature)`);
      }
      verified = true;
    },
  };
}

/** server-first-message: r=<client nonce + server nonce>,s=<base64 salt>,i=<iterations> */
function parseServerFirst(message: string, clientNonce: string): { nonce: string; salt: Buffer; iterations: number } {
  const attributes = parseAttributes(message);
  const nonce = attributes.get('r') ?? '';
  const saltText = attributes.get('s') ?? '';
  const iterationsText = attributes.get('i') ?? '';
  if (attributes.has('m')) throw upstreamProtocolError('a SCRAM server-first-message with a mandatory extension Writ does not know');
  if (!nonce.startsWith(clientNonce) || nonce.length === clientNonce.length) {
    throw upstreamProtocolError('a SCRAM server-first-message whose nonce does not extend the client nonce');
  }
  const salt = Buffer.from(saltText, 'base64');
  if (salt.length === 0) throw upstreamProtocolError('a SCRAM server-first-message without a salt');
  const iterations = /^[1-9]\d{0,9}$/.test(iterationsText) ? Number(iterationsText) : 0;
  if (iterations < 1 || iterations > MAX_SCRAM_ITERATIONS) {
    throw upstreamProtocolError(`a SCRAM iteration count of ${JSON.stringify(iterationsText)}; Writ accepts 1 to ${MAX_SCRAM_ITERATIONS}`);
  }
  return { nonce, salt, iterations };
}

/** server-final-message: v=<base64 server signature>, or e=<error> */
function parseServerFinal(message: string): Buffer {
  const attributes = parseAttributes(message);
  const error = attributes.get('e');
  if (error !== undefined) throw new UpstreamError('authentication', `${UNNAMED_UPSTREAM} ended SCRAM authentication with an error (${error})`);
  const signature = attributes.get('v');
  if (signature === undefined) throw upstreamProtocolError('a SCRAM server-final-message without a server signature');
  return Buffer.from(signature, 'base64');
}

function parseAttributes(message: string): Map<string, string> {
  const attributes = new Map<string, string>();
  for (const part of message.split(',')) {
    if (!/^[A-Za-z]=/.test(part)) throw upstreamProtocolError('a malformed SCRAM message');
    attributes.set(part.charAt(0), part.slice(2));
  }
  return attributes;
}

/** RFC 3454 C.1.2 (non-ASCII spaces), mapped to a space. */
const mappedToSpace = new Set([0xa0, 0x1680, 0x2000, 0x2001, 0x2002, 0x2003, 0x2004, 0x2005, 0x2006, 0x2007, 0x2008, 0x2009, 0x200a, 0x200b, 0x202f, 0x205f, 0x3000]);
/** RFC 3454 B.1 (commonly mapped to nothing). */
const mappedToNothing = new Set([0xad, 0x34f, 0x1806, 0x180b, 0x180c, 0x180d, 0x200c, 0x200d, 0x2060, 0xfeff, ...Array.from({ length: 16 }, (_, i) => 0xfe00 + i)]);

/** Control characters, private use and non-characters: prohibited output of SASLprep (RFC 4013 section 2.3), as far as it matters here. */
function isProhibited(codePoint: number): boolean {
  return codePoint < 0x20 || (codePoint >= 0x7f && codePoint <= 0x9f) || (codePoint >= 0xe000 && codePoint <= 0xf8ff) || codePoint >= 0xfff9;
}

/**
 * SASLprep (RFC 4013) as far as passwords need it: map, normalise with NFKC, and, as libpq does, use the
 * password unchanged when the result would contain prohibited characters. ASCII passwords pass through.
 * @example saslPrep('I\u00ADX') // 'IX'
 */
export function saslPrep(password: string): string {
  if (/^[\x20-\x7e]*$/.test(password)) return password;
  const mapped = Array.from(password, (char) => {
    const codePoint = char.codePointAt(0) ?? 0;
    if (mappedToSpace.has(codePoint)) return ' ';
    return mappedToNothing.has(codePoint) ? '' : char;
  });
  const prepared = mapped.join('').normalize('NFKC');
  const invalid = prepared === '' || Array.from(prepared).some((char) => isProhibited(char.codePointAt(0) ?? 0));
  return invalid ? password : prepared;
}

/**
 * The PasswordMessage text for AuthenticationMD5Password: "md5" + md5(md5(password + user) + salt).
 * @example md5PasswordResponse('alice', 'secret', Buffer.from([1, 2, 3, 4])).length // 35
 */
export function md5PasswordResponse(user: string, password: string, salt: Buffer): string {
  const inner = createHash('md5').update(password + user, 'utf8').digest('hex');
  return 'md5' + createHash('md5').update(Buffer.concat([Buffer.from(inner, 'utf8'), salt])).digest('hex');
}
