// The server side of SCRAM-SHA-256 as PostgreSQL speaks it: which of a user's verifiers, if any, a client's proof matches.
/**
 * Writ offers only SCRAM-SHA-256 (no -PLUS), so a client may send the gs2 header 'n,,' (no channel
 * binding) or 'y,,' (it could bind but we did not offer to); 'p=' is refused. As in PostgreSQL, the
 * username in the client-first-message is ignored: the StartupMessage named the user.
 * @see https://www.postgresql.org/docs/current/sasl-authentication.html
 * @see https://www.rfc-editor.org/rfc/rfc5802 (SCRAM) and https://www.rfc-editor.org/rfc/rfc7677 (SCRAM-SHA-256)
 */
import { randomBytes, timingSafeEqual } from 'node:crypto';
import { FrontendProtocolError, quoteText } from './frontend-reader.ts';
import { createScramVerifier, hmacSha256, sha256 } from './scram-verifier.ts';
import type { ScramVerifier } from './scram-verifier.ts';

/** The one SASL mechanism Writ offers. */
export const SCRAM_SHA_256 = 'SCRAM-SHA-256';

export interface ScramExchangeOptions {
  /** The salt every candidate verifier shares (sent to the client before it proves anything). */
  readonly salt: Buffer;
  readonly iterations: number;
  /** The server's nonce; by default 18 random bytes in base64, as PostgreSQL makes it. */
  readonly nonce?: () => string;
}

export type ScramFinalResult =
  | { readonly ok: true; readonly index: number; readonly serverFinal: Buffer }
  | { readonly ok: false; readonly reason: string };

export interface ScramExchange {
  /** Reads the client-first-message and answers with the server-first-message. */
  serverFirst(clientFirstMessage: Buffer): Buffer;
  /** Checks the client-final-message against each candidate; on a match, the server-final-message to send. */
  verifyClientFinal(clientFinalMessage: Buffer, candidates: readonly ScramVerifier[]): ScramFinalResult;
}

/** printable = %x21-2B / %x2D-7E: what a nonce is made of. */
const PRINTABLE = /^[\x21-\x2b\x2d-\x7e]+$/;
/** saslname: any UTF-8 but ',' and '=', which are written =2C and =3D. */
const SASLNAME = /^(?:[^,=\0]|=2C|=3D)*$/u;
const BASE64 = /^(?:[A-Za-z0-9+/]{4})*(?:[A-Za-z0-9+/]{2}==|[A-Za-z0-9+/]{3}=)?$/;
const PROOF_BYTES = 32;

const utf8 = new TextDecoder('utf-8', { fatal: true, ignoreBOM: true });

function decodeText(message: Buffer, what: string): string {
  try {
    return utf8.decode(message);
  } catch {
    throw new FrontendProtocolError(`malformed SCRAM message: the ${what} is not valid UTF-8`);
  }
}

function malformed(what: string, detail: string): FrontendProtocolError {
  return new FrontendProtocolError(`malformed SCRAM message: ${what} ${detail}`);
}

interface ClientFirst {
  readonly gs2Header: string;
  readonly bare: string;
  readonly clientNonce: string;
}

/** gs2-header "," client-first-message-bare, with no authzid, no mandatory extension and no extensions. */
function parseClientFirst(message: Buffer): ClientFirst {
  const what = 'the client-first-message';
  const text = decodeText(message, 'client-first-message');
  if (text.startsWith('p=')) {
    throw new FrontendProtocolError(
      'the client asked for SCRAM channel binding (SCRAM-SHA-256-PLUS), which Writ does not offer; connect with channel_binding=disable or prefer',
    );
  }
  if (!/^[ny],/.test(text)) throw malformed(what, `starts with ${quoteText(text.slice(0, 2))}, not "n," or "y,"`);
  if (text.startsWith('a=', 2)) throw malformed(what, 'names an authorization identity (a=), which Writ does not support');
  if (text[2] !== ',') throw malformed(what, 'has a malformed gs2 header');
  const bare = text.slice(3);
  const attributes = bare.split(',');
  const [username, nonce, ...extensions] = attributes;
  if (username?.startsWith('m=')) throw malformed(what, 'requires an extension Writ does not support');
  if (!username?.startsWith('n=') || !SASLNAME.test(username.slice(2))) throw malformed(what, 'lacks a well-formed username (n=)');
  if (!nonce?.startsWith('r=') || !PRINTABLE.test(nonce.slice(2))) throw malformed(what, 'lacks a printable nonce (r=)');
  if (extensions.length > 0) throw malformed(what, 'carries extensions after the nonce; Writ accepts none');
  return { gs2Header: text.slice(0, 3), bare, clientNonce: nonce.slice(2) };
}

interface ClientFinal {
  readonly withoutProof: string;
  readonly proof: Buffer;
}

/** channel-binding "," nonce "," proof, checked against what the client-first-message and server-first-message said. */
function parseClientFinal(message: Buffer, gs2Header: string, nonce: string): ClientFinal {
  const what = 'the client-final-message';
  const text = decodeText(message, 'client-final-message');
  const [binding, echoedNonce, proof, ...rest] = text.split(',');
  if (!binding?.startsWith('c=')) throw malformed(what, 'lacks its channel binding (c=)');
  if (!echoedNonce?.startsWith('r=')) throw malformed(what, 'lacks its nonce (r=)');
  if (!proof?.startsWith('p=') || rest.length > 0) throw malformed(what, 'must end with its proof (p=), with no extensions');
  if (binding.slice(2) !== Buffer.from(gs2Header, 'latin1').toString('base64')) {
    throw new FrontendProtocolError(`SCRAM channel binding check failed: the client-final-message does not echo the gs2 header ${quoteText(gs2Header)}`);
  }
  if (echoedNonce.slice(2) !== nonce) throw malformed(what, 'has a nonce that does not match the server-first-message');
  const encoded = proof.slice(2);
  const decoded = Buffer.from(encoded, 'base64');
  if (!BASE64.test(encoded) || decoded.length !== PROOF_BYTES) throw malformed(what, `has a proof that is not ${PROOF_BYTES} bytes of base64`);
  return { withoutProof: `${binding},${echoedNonce}`, proof: decoded };
}

function defaultNonce(): string {
  return randomBytes(18).toString('base64');
}

function checkCandidates(candidates: readonly ScramVerifier[], salt: Buffer, iterations: number): void {
  for (const candidate of candidates) {
    if (candidate.iterations !== iterations || !candidate.salt.equals(salt)) {
      throw new TypeError('every SCRAM candidate must share the salt and iteration count the exchange announced');
    }
  }
}

/**
 * Index of the candidate whose StoredKey the proof matches. Every candidate is checked, so the time
 * taken does not say which one matched.
 */
function matchProof(proof: Buffer, authMessage: string, candidates: readonly ScramVerifier[]): number | undefined {
  let matched: number | undefined;
  candidates.forEach((candidate, index) => {
    const signature = hmacSha256(candidate.storedKey, authMessage);
    const clientKey = Buffer.alloc(PROOF_BYTES);
    for (let i = 0; i < PROOF_BYTES; i += 1) clientKey[i] = (proof[i] as number) ^ (signature[i] as number);
    const storedKey = sha256(clientKey);
    const equal = storedKey.length === candidate.storedKey.length && timingSafeEqual(storedKey, candidate.storedKey);
    if (equal && matched === undefined) matched = index;
  });
  return matched;
}

/**
 * One SCRAM-SHA-256 exchange: `serverFirst` once, then `verifyClientFinal` once.
 * @example
 * const exchange = createScramExchange({ salt, iterations: 4096 });
 * send(authenticationSaslContinue(exchange.serverFirst(clientFirst)));
 * const result = exchange.verifyClientFinal(clientFinal, verifiers); // { ok: true, index, serverFinal } | { ok: false, reason }
 */
export function createScramExchange(options: ScramExchangeOptions): ScramExchange {
  const { salt, iterations } = options;
  if (!Number.isInteger(iterations) || iterations < 1) throw new RangeError(`SCRAM iteration count ${iterations}`);
  let state: { step: 'start' } | { step: 'sent-first'; first: ClientFirst; serverFirstMessage: string; nonce: string } | { step: 'done' } = {
    step: 'start',
  };
  return {
    serverFirst(clientFirstMessage) {
      if (state.step !== 'start') throw new Error('SCRAM exchange: the server-first-message was already sent');
      const first = parseClientFirst(clientFirstMessage);
      const serverNonce = (options.nonce ?? defaultNonce)();
      if (!PRINTABLE.test(serverNonce)) throw new RangeError('the SCRAM server nonce must be printable and without commas');
      const nonce = first.clientNonce + serverNonce;
      const serverFirstMessage = `r=${nonce},s=${salt.toString('base64')},i=${iterations}`;
      state = { step: 'sent-first', first, serverFirstMessage, nonce };
      return Buffer.from(serverFirstMessage, 'utf8');
    },
    verifyClientFinal(clientFinalMessage, candidates) {
      if (state.step !== 'sent-first') throw new Error('SCRAM exchange: verifyClientFinal needs one serverFirst before it, and runs once');
      const { first, serverFirstMessage, nonce } = state;
      state = { step: 'done' };
      checkCandidates(candidates, salt, iterations);
      const final = parseClientFinal(clientFinalMessage, first.gs2Header, nonce);
      const authMessage = `${first.bare},${serverFirstMessage},${final.withoutProof}`;
      const index = matchProof(final.proof, authMessage, candidates);
      const matched = index === undefined ? undefined : candidates[index];
      if (index === undefined || matched === undefined) {
        return { ok: false, reason: `the SCRAM proof matches none of the ${candidates.length} credentials` };
      }
      const serverSignature = hmacSha256(matched.serverKey, authMessage).toString('base64');
      return { ok: true, index, serverFinal: Buffer.from(`v=${serverSignature}`, 'utf8') };
    },
  };
}

/**
 * Index of the candidate `password` derives, for a client that sent its password in clear
 * (AuthenticationCleartextPassword, only over TLS); undefined when none matches. Every candidate is compared.
 * @example verifyCleartextPassword('pencil', [createScramVerifier('pencil', salt)]) // 0
 */
export function verifyCleartextPassword(password: string, candidates: readonly ScramVerifier[]): number | undefined {
  const derived = new Map<string, Buffer>();
  let matched: number | undefined;
  candidates.forEach((candidate, index) => {
    const key = `${candidate.salt.toString('base64')}:${candidate.iterations}`;
    let storedKey = derived.get(key);
    if (storedKey === undefined) {
      storedKey = createScramVerifier(password, candidate.salt, candidate.iterations).storedKey;
      derived.set(key, storedKey);
    }
    const equal = storedKey.length === candidate.storedKey.length && timingSafeEqual(storedKey, candidate.storedKey);
    if (equal && matched === undefined) matched = index;
  });
  return matched;
}
