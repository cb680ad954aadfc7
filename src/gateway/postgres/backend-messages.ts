// Encoders of the messages Writ itself sends to PostgreSQL clients, and the decoder of ErrorResponse/NoticeResponse fields.
/**
 * @see https://www.postgresql.org/docs/current/protocol-message-formats.html
 * @see https://www.postgresql.org/docs/current/protocol-error-fields.html
 */

/** Type bytes of backend messages, named as in the PostgreSQL documentation. */
export const BackendMessageType = {
  Authentication: 0x52,
  BackendKeyData: 0x4b,
  BindComplete: 0x32,
  CloseComplete: 0x33,
  CommandComplete: 0x43,
  CopyData: 0x64,
  CopyDone: 0x63,
  CopyInResponse: 0x47,
  CopyOutResponse: 0x48,
  CopyBothResponse: 0x57,
  DataRow: 0x44,
  EmptyQueryResponse: 0x49,
  ErrorResponse: 0x45,
  FunctionCallResponse: 0x56,
  NegotiateProtocolVersion: 0x76,
  NoData: 0x6e,
  NoticeResponse: 0x4e,
  NotificationResponse: 0x41,
  ParameterDescription: 0x74,
  ParameterStatus: 0x53,
  ParseComplete: 0x31,
  PortalSuspended: 0x73,
  ReadyForQuery: 0x5a,
  RowDescription: 0x54,
} as const;

/** The Int32 that follows 'R' and says which authentication message it is. */
const AuthenticationCode = { Ok: 0, CleartextPassword: 3, SASL: 10, SASLContinue: 11, SASLFinal: 12 } as const;

/** A malformed message from the upstream server. */
export class BackendProtocolError extends Error {
  /** protocol_violation */
  readonly sqlState = '08P01';

  constructor(message: string) {
    super(message);
    this.name = 'BackendProtocolError';
  }
}

export type Severity = 'ERROR' | 'FATAL' | 'PANIC' | 'WARNING' | 'NOTICE' | 'DEBUG' | 'INFO' | 'LOG';

export interface ErrorFields {
  readonly severity: Severity;
  /** SQLSTATE: five digits or upper-case letters. */
  readonly code: string;
  readonly message: string;
  readonly detail?: string;
  readonly hint?: string;
}

/** Transaction status: idle, in a transaction block, in a failed transaction block. */
export type TransactionStatus = 'I' | 'T' | 'E';

/** A whole message: type byte, Int32 length counting itself, body. */
function message(type: number, ...parts: readonly Buffer[]): Buffer {
  const bodyLength = parts.reduce((sum, part) => sum + part.length, 0);
  const out = Buffer.allocUnsafe(5 + bodyLength);
  out[0] = type;
  out.writeInt32BE(4 + bodyLength, 1);
  let offset = 5;
  for (const part of parts) offset += part.copy(out, offset);
  return out;
}

function int32(value: number): Buffer {
  const out = Buffer.allocUnsafe(4);
  out.writeInt32BE(value);
  return out;
}

/** A NUL-terminated UTF-8 string; a NUL inside would cut the field short, so it is refused. */
function cstring(text: string, what: string): Buffer {
  if (text.includes('\0')) throw new RangeError(`${what} contains a NUL character`);
  return Buffer.from(`${text}\0`, 'utf8');
}

/** The one-byte answer to SSLRequest or GSSENCRequest: 'S' to go ahead with TLS, 'N' to refuse. */
export function sslResponse(accept: boolean): Buffer {
  return Buffer.from(accept ? 'S' : 'N', 'latin1');
}

export function authenticationOk(): Buffer {
  return message(BackendMessageType.Authentication, int32(AuthenticationCode.Ok));
}

export function authenticationCleartextPassword(): Buffer {
  return message(BackendMessageType.Authentication, int32(AuthenticationCode.CleartextPassword));
}

/** AuthenticationSASL: the mechanisms offered, in order of preference, then an empty name. */
export function authenticationSasl(mechanisms: readonly string[]): Buffer {
  if (mechanisms.length === 0 || mechanisms.some((m) => m === '')) throw new RangeError('SASL mechanism names must be given and not empty');
  const names = mechanisms.map((m) => cstring(m, 'SASL mechanism name'));
  return message(BackendMessageType.Authentication, int32(AuthenticationCode.SASL), ...names, Buffer.from([0]));
}

export function authenticationSaslContinue(data: Buffer): Buffer {
  return message(BackendMessageType.Authentication, int32(AuthenticationCode.SASLContinue), data);
}

export function authenticationSaslFinal(data: Buffer): Buffer {
  return message(BackendMessageType.Authentication, int32(AuthenticationCode.SASLFinal), data);
}

export function parameterStatus(name: string, value: string): Buffer {
  return message(BackendMessageType.ParameterStatus, cstring(name, 'parameter name'), cstring(value, `parameter ${name}`));
}

/** BackendKeyData: the key a CancelRequest must quote (4 bytes in protocol 3.0, up to 256 in 3.2). */
export function backendKeyData(processId: number, secretKey: Buffer): Buffer {
  if (secretKey.length < 4 || secretKey.length > 256) throw new RangeError(`a cancel key has 4 to 256 bytes, not ${secretKey.length}`);
  return message(BackendMessageType.BackendKeyData, int32(processId), secretKey);
}

export function readyForQuery(status: TransactionStatus): Buffer {
  return message(BackendMessageType.ReadyForQuery, Buffer.from(status, 'latin1'));
}

const SQLSTATE = /^[0-9A-Z]{5}$/;

/** Fields in PostgreSQL's own order: S (localized severity), V (never localized), C, M, D, H. */
function noticeFields(fields: ErrorFields): Buffer[] {
  if (!SQLSTATE.test(fields.code)) throw new RangeError(`SQLSTATE ${JSON.stringify(fields.code)} is not five digits or upper-case letters`);
  const parts: [string, string | undefined][] = [
    ['S', fields.severity],
    ['V', fields.severity],
    ['C', fields.code],
    ['M', fields.message],
    ['D', fields.detail],
    ['H', fields.hint],
  ];
  const out: Buffer[] = [];
  for (const [type, value] of parts) {
    if (value !== undefined) out.push(Buffer.from(type, 'latin1'), cstring(value, `error field ${type}`));
  }
  out.push(Buffer.from([0]));
  return out;
}

export function errorResponse(fields: ErrorFields): Buffer {
  return message(BackendMessageType.ErrorResponse, ...noticeFields(fields));
}

export function noticeResponse(fields: ErrorFields): Buffer {
  return message(BackendMessageType.NoticeResponse, ...noticeFields(fields));
}

/**
 * NegotiateProtocolVersion. The documentation calls the first field the newest minor version, but
 * PostgreSQL sends, and libpq expects, the whole version code (3 << 16 | minor).
 */
export function negotiateProtocolVersion(newestMinor: number, unrecognisedOptions: readonly string[]): Buffer {
  if (!Number.isInteger(newestMinor) || newestMinor < 0 || newestMinor > 0xffff) throw new RangeError(`minor version ${newestMinor}`);
  const names = unrecognisedOptions.map((name) => cstring(name, 'protocol option name'));
  return message(BackendMessageType.NegotiateProtocolVersion, int32((3 << 16) | newestMinor), int32(names.length), ...names);
}

export function commandComplete(tag: string): Buffer {
  return message(BackendMessageType.CommandComplete, cstring(tag, 'command tag'));
}

export function emptyQueryResponse(): Buffer {
  return message(BackendMessageType.EmptyQueryResponse);
}

const lenientUtf8 = new TextDecoder('utf-8', { fatal: false, ignoreBOM: true });

/**
 * The fields of an ErrorResponse or NoticeResponse body, keyed by field type ('S', 'V', 'C', 'M', ...).
 * Bytes that are not UTF-8 become U+FFFD rather than losing the whole error.
 * @example decodeErrorFields(body).get('C') // '42P01'
 */
export function decodeErrorFields(body: Buffer): Map<string, string> {
  const fields = new Map<string, string>();
  let position = 0;
  for (;;) {
    const type = body[position];
    if (type === undefined) throw new BackendProtocolError('error fields lack their terminating NUL');
    if (type === 0) break;
    const end = body.indexOf(0, position + 1);
    if (end === -1) throw new BackendProtocolError(`error field ${String.fromCharCode(type)} is not NUL-terminated`);
    fields.set(String.fromCharCode(type), lenientUtf8.decode(body.subarray(position + 1, end)));
    position = end + 1;
  }
  if (position !== body.length - 1) throw new BackendProtocolError(`error fields have ${body.length - 1 - position} bytes after their terminator`);
  return fields;
}
