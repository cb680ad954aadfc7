// Decodes the bodies of the backend messages the upstream handshake reads: Authentication*, ParameterStatus, BackendKeyData, ErrorResponse.
/**
 * Bodies come from the backend framer, so lengths are already checked; these only check the fields.
 * pg-protocol's Parser decodes these too, but it reads BackendKeyData's secret key as one Int32 (protocol
 * 3.2 allows up to 256 bytes), throws a plain Error for GSSAPI or SSPI requests and leaves the SASL
 * messages untyped; decoding the few fields here is shorter than adapting it.
 * @see https://www.postgresql.org/docs/current/protocol-message-formats.html
 */
import { decodeErrorFields } from './backend-messages.ts';
import { upstreamProtocolError } from './upstream-error.ts';

/** AuthenticationRequest codes (the Int32 after 'R'). */
export const AuthenticationCode = {
  Ok: 0,
  KerberosV5: 2,
  CleartextPassword: 3,
  MD5Password: 5,
  GSS: 7,
  GSSContinue: 8,
  SSPI: 9,
  SASL: 10,
  SASLContinue: 11,
  SASLFinal: 12,
} as const;

export type AuthenticationRequest =
  | { readonly kind: 'ok' }
  | { readonly kind: 'cleartext-password' }
  | { readonly kind: 'md5-password'; readonly salt: Buffer }
  | { readonly kind: 'sasl'; readonly mechanisms: readonly string[] }
  | { readonly kind: 'sasl-continue'; readonly data: Buffer }
  | { readonly kind: 'sasl-final'; readonly data: Buffer }
  | { readonly kind: 'unsupported'; readonly method: string };

/** Reads a NUL-terminated UTF-8 string at `offset`; `next` is the offset after its terminator. */
export function readCString(body: Buffer, offset: number, what: string): { value: string; next: number } {
  const end = body.indexOf(0, offset);
  if (end < 0) throw upstreamProtocolError(`a ${what} message with an unterminated string`);
  return { value: body.toString('utf8', offset, end), next: end + 1 };
}

const unsupportedMethods: Readonly<Record<number, string>> = {
  [AuthenticationCode.KerberosV5]: 'Kerberos V5',
  [AuthenticationCode.GSS]: 'GSSAPI',
  [AuthenticationCode.GSSContinue]: 'GSSAPI',
  [AuthenticationCode.SSPI]: 'SSPI',
};

/** The Authentication* message in an 'R' body. */
export function decodeAuthenticationRequest(body: Buffer): AuthenticationRequest {
  if (body.length < 4) throw upstreamProtocolError('an Authentication message without a request code');
  const code = body.readInt32BE(0);
  switch (code) {
    case AuthenticationCode.Ok:
      return { kind: 'ok' };
    case AuthenticationCode.CleartextPassword:
      return { kind: 'cleartext-password' };
    case AuthenticationCode.MD5Password:
      if (body.length !== 8) throw upstreamProtocolError('an AuthenticationMD5Password message without a 4-byte salt');
      return { kind: 'md5-password', salt: Buffer.from(body.subarray(4)) };
    case AuthenticationCode.SASL:
      return { kind: 'sasl', mechanisms: decodeMechanisms(body) };
    case AuthenticationCode.SASLContinue:
      return { kind: 'sasl-continue', data: Buffer.from(body.subarray(4)) };
    case AuthenticationCode.SASLFinal:
      return { kind: 'sasl-final', data: Buffer.from(body.subarray(4)) };
    default:
      return { kind: 'unsupported', method: unsupportedMethods[code] ?? `method ${code}` };
  }
}

/** AuthenticationSASL: a list of mechanism names, each NUL-terminated, ended by an empty one. */
function decodeMechanisms(body: Buffer): string[] {
  const mechanisms: string[] = [];
  let offset = 4;
  for (;;) {
    const { value, next } = readCString(body, offset, 'AuthenticationSASL');
    if (value === '') return mechanisms;
    mechanisms.push(value);
    offset = next;
  }
}

/** ParameterStatus: a run-time parameter's name and current value. */
export function decodeParameterStatus(body: Buffer): { name: string; value: string } {
  const name = readCString(body, 0, 'ParameterStatus');
  const value = readCString(body, name.next, 'ParameterStatus');
  return { name: name.value, value: value.value };
}

/** BackendKeyData: the process id and the secret key (4 bytes in protocol 3.0, up to 256 in 3.2). */
export function decodeBackendKeyData(body: Buffer): { processId: number; secretKey: Buffer } {
  if (body.length < 8 || body.length > 4 + 256) throw upstreamProtocolError(`a BackendKeyData message of ${body.length} bytes`);
  return { processId: body.readInt32BE(0), secretKey: Buffer.from(body.subarray(4)) };
}

/** The fields of an ErrorResponse or NoticeResponse that Writ reports. */
export interface ErrorFields {
  /** Severity (S), not localised when the server sends V. */
  readonly severity: string | undefined;
  /** Code (C): the SQLSTATE. */
  readonly sqlState: string | undefined;
  /** Message (M). */
  readonly message: string;
  /** Detail (D). */
  readonly detail: string | undefined;
}

/**
 * The fields of a server's ErrorResponse or NoticeResponse that Writ reports (decoded by `decodeErrorFields`).
 * @example readServerError(body).sqlState // '28P01'
 */
export function readServerError(body: Buffer): ErrorFields {
  const fields = decodeErrorFields(body);
  return {
    severity: fields.get('V') ?? fields.get('S'),
    sqlState: fields.get('C'),
    message: fields.get('M') ?? '(no message)',
    detail: fields.get('D'),
  };
}
