// Frames what a PostgreSQL client sends (startup packets, typed messages): hostile input, bounded memory.
/**
 * Every byte a client sends passes through here before Writ acts on it or forwards it, so the framer
 * checks each length and type byte as soon as it arrives and never holds more than one message.
 * @see https://www.postgresql.org/docs/current/protocol-message-formats.html
 * @see https://www.postgresql.org/docs/current/protocol-flow.html
 */

/** 'X': a Terminate message's type byte. */
const TERMINATE_TYPE = 0x58;

/** Any violation of the frontend protocol; the connection cannot continue after one. */
export class FrontendProtocolError extends Error {
  /** protocol_violation */
  readonly sqlState = '08P01';

  /** @param silent close without an ErrorResponse: a client that sent Terminate before its StartupMessage expects none. */
  constructor(
    message: string,
    readonly silent = false,
  ) {
    super(message);
    this.name = 'FrontendProtocolError';
  }
}

/**
 * Type bytes of frontend messages, named as in the PostgreSQL documentation. GSSResponse, PasswordMessage,
 * SASLInitialResponse and SASLResponse share 'p': the authentication phase says which one it is.
 */
export const FrontendMessageType = {
  Bind: 0x42,
  Close: 0x43,
  CopyData: 0x64,
  CopyDone: 0x63,
  CopyFail: 0x66,
  Describe: 0x44,
  Execute: 0x45,
  Flush: 0x48,
  FunctionCall: 0x46,
  GSSResponse: 0x70,
  Parse: 0x50,
  PasswordMessage: 0x70,
  Query: 0x51,
  SASLInitialResponse: 0x70,
  SASLResponse: 0x70,
  Sync: 0x53,
  Terminate: 0x58,
} as const;

/** The request codes of the untyped packets a connection may open with. */
export const StartupRequestCode = {
  CancelRequest: 80877102,
  SSLRequest: 80877103,
  GSSENCRequest: 80877104,
} as const;

/** PostgreSQL refuses longer startup packets (MAX_STARTUP_PACKET_LENGTH). */
export const MAX_STARTUP_PACKET_BYTES = 10_000;
/** Protocol 3.2 lets a cancel key be 4 to 256 bytes; 3.0 uses 4. */
export const MIN_CANCEL_KEY_BYTES = 4;
export const MAX_CANCEL_KEY_BYTES = 256;
const MAX_STARTUP_PARAMETERS = 64;
const MAX_STARTUP_NAME_BYTES = 256;
/** Type byte and Int32 length. */
export const MESSAGE_HEADER_BYTES = 5;

export type StartupFrame =
  | { readonly kind: 'ssl-request' }
  | { readonly kind: 'gssenc-request' }
  | { readonly kind: 'cancel-request'; readonly processId: number; readonly secretKey: Buffer }
  | {
      readonly kind: 'startup';
      readonly majorVersion: number;
      readonly minorVersion: number;
      /** Every parameter except the `_pq_.` protocol options; `user` is always present and not empty. */
      readonly parameters: ReadonlyMap<string, string>;
      /** Names of the `_pq_.*` options the client asked for. */
      readonly protocolOptions: readonly string[];
    };

export interface FrontendFrame {
  /** The type byte (see FrontendMessageType). */
  readonly type: number;
  /** The message without its type byte and length. */
  readonly body: Buffer;
  /** The whole message, type byte and length included, to forward unchanged. */
  readonly raw: Buffer;
}

export interface FrontendReaderOptions {
  /** Longest startup packet accepted, length field included (PostgreSQL: 10,000). */
  readonly maxStartupBytes: number;
  /** Largest value of a typed message's length field (which counts itself, not the type byte). */
  readonly maxMessageBytes: number;
}

/**
 * Incremental framer. After `read()` or `readStartup()` has returned undefined, at most one partial
 * message is held: fewer than `maxMessageBytes + 1` (or `maxStartupBytes`) bytes. A chunk given to
 * `push` stays held until read, so callers drain after each push. Once a violation has been thrown,
 * every later read throws it again and pushed bytes are dropped.
 */
export interface FrontendReader {
  push(chunk: Buffer): void;
  /** The next untyped packet (SSLRequest, GSSENCRequest, CancelRequest or StartupMessage). */
  readStartup(): StartupFrame | undefined;
  /** The next typed message. */
  read(): FrontendFrame | undefined;
  /** Bytes held: after an SSLRequest, anything but 0 means the client sent data before the TLS handshake. */
  buffered(): number;
  /**
   * Changes the largest message accepted from here on (before authentication it is small; an authenticated
   * session gets `maxMessageBytes`). `what` names the limit in the error, e.g. 'before authentication'.
   */
  setMessageLimit(maxMessageBytes: number, what?: string): void;
}

const KNOWN_TYPES: ReadonlySet<number> = new Set(Object.values(FrontendMessageType));
/** Messages that carry nothing: their length field must say 4. */
const BODYLESS_TYPES: ReadonlySet<number> = new Set([
  FrontendMessageType.CopyDone,
  FrontendMessageType.Flush,
  FrontendMessageType.Sync,
  FrontendMessageType.Terminate,
]);

/** How an error message names a type byte: 'Q' when printable, else 0x01. */
export function describeMessageType(type: number): string {
  return type >= 0x21 && type <= 0x7e ? `'${String.fromCharCode(type)}'` : `0x${type.toString(16).padStart(2, '0')}`;
}

function checkMessageLimit(maxMessageBytes: number): number {
  if (!Number.isInteger(maxMessageBytes) || maxMessageBytes < 4 || maxMessageBytes > 0x7fffffff) {
    throw new RangeError(`maxMessageBytes must be an integer from 4, got ${maxMessageBytes}`);
  }
  return maxMessageBytes;
}

export function createFrontendReader(options: FrontendReaderOptions): FrontendReader {
  const { maxStartupBytes } = options;
  if (!Number.isInteger(maxStartupBytes) || maxStartupBytes < 16 || maxStartupBytes > 0x7fffffff) {
    throw new RangeError(`maxStartupBytes must be an integer from 16, got ${maxStartupBytes}`);
  }
  let maxMessageBytes = checkMessageLimit(options.maxMessageBytes);
  let limitName = 'the limit is';
  const queue = createByteQueue();
  let failure: FrontendProtocolError | undefined;

  function fail(message: string, silent = false): never {
    failure = new FrontendProtocolError(message, silent);
    queue.clear();
    throw failure;
  }

  function readStartup(): StartupFrame | undefined {
    if (failure) throw failure;
    if (queue.size() < 4) return undefined;
    const length = queue.int32At(0);
    if (length < 8 || length > maxStartupBytes) {
      // A Terminate ('X', length 4) where the startup packet belongs: node-postgres's connect() then end(). PostgreSQL
      // only logs an impossible startup length, so such a client expects no answer; other garbage is told why.
      fail(`startup packet declares ${length} bytes; it must have 8 to ${maxStartupBytes}`, queue.byteAt(0) === TERMINATE_TYPE);
    }
    if (queue.size() < length) return undefined;
    try {
      return decodeStartupPacket(queue.take(length));
    } catch (error) {
      if (error instanceof FrontendProtocolError) fail(error.message);
      throw error;
    }
  }

  function read(): FrontendFrame | undefined {
    if (failure) throw failure;
    if (queue.size() === 0) return undefined;
    const type = queue.byteAt(0);
    if (!KNOWN_TYPES.has(type)) fail(`invalid frontend message type ${describeMessageType(type)}`);
    if (queue.size() < MESSAGE_HEADER_BYTES) return undefined;
    const length = queue.int32At(1);
    if (length < 4) fail(`message of type ${describeMessageType(type)} declares ${length} bytes, less than its own length field`);
    if (length > maxMessageBytes) {
      fail(`message of type ${describeMessageType(type)} declares ${length} bytes; ${limitName} ${maxMessageBytes}`);
    }
    if (length !== 4 && BODYLESS_TYPES.has(type)) {
      fail(`message of type ${describeMessageType(type)} declares ${length} bytes; it has no body, so 4`);
    }
    if (queue.size() < 1 + length) return undefined;
    const raw = queue.take(1 + length);
    return { type, body: raw.subarray(MESSAGE_HEADER_BYTES), raw };
  }

  return {
    push(chunk) {
      if (failure === undefined) queue.push(chunk);
    },
    readStartup,
    read,
    buffered: () => queue.size(),
    setMessageLimit(bytes, what) {
      maxMessageBytes = checkMessageLimit(bytes);
      limitName = what === undefined ? 'the limit is' : `the limit ${what} is`;
    },
  };
}

/** Decodes one whole untyped packet, length field included. */
function decodeStartupPacket(packet: Buffer): StartupFrame {
  const code = packet.readUInt32BE(4);
  switch (code) {
    case StartupRequestCode.SSLRequest:
      expectLength(packet, 'SSLRequest', 8, 8);
      return { kind: 'ssl-request' };
    case StartupRequestCode.GSSENCRequest:
      expectLength(packet, 'GSSENCRequest', 8, 8);
      return { kind: 'gssenc-request' };
    case StartupRequestCode.CancelRequest:
      expectLength(packet, 'CancelRequest', 12 + MIN_CANCEL_KEY_BYTES, 12 + MAX_CANCEL_KEY_BYTES);
      return { kind: 'cancel-request', processId: packet.readInt32BE(8), secretKey: packet.subarray(12) };
    default:
      return decodeStartupMessage(code, packet.subarray(8));
  }
}

function expectLength(packet: Buffer, name: string, min: number, max: number): void {
  if (packet.length < min || packet.length > max) {
    const expected = min === max ? `${min}` : `${min} to ${max}`;
    throw new FrontendProtocolError(`${name} declares ${packet.length} bytes; it has ${expected}`);
  }
}

function decodeStartupMessage(version: number, body: Buffer): StartupFrame {
  const majorVersion = version >>> 16;
  const minorVersion = version & 0xffff;
  if (majorVersion !== 3) {
    throw new FrontendProtocolError(`unsupported frontend protocol ${majorVersion}.${minorVersion}: Writ speaks protocol 3`);
  }
  const parameters = new Map<string, string>();
  const protocolOptions: string[] = [];
  const seen = new Set<string>();
  let position = 0;
  for (;;) {
    const nameEnd = body.indexOf(0, position);
    if (nameEnd === -1) throw new FrontendProtocolError('startup packet lacks its terminating NUL');
    if (nameEnd === position) break;
    if (nameEnd - position > MAX_STARTUP_NAME_BYTES) {
      throw new FrontendProtocolError(`startup parameter name longer than ${MAX_STARTUP_NAME_BYTES} bytes`);
    }
    const name = decodeUtf8(body.subarray(position, nameEnd), 'startup parameter name');
    const valueEnd = body.indexOf(0, nameEnd + 1);
    if (valueEnd === -1) throw new FrontendProtocolError(`startup parameter ${quoteText(name)} has no NUL-terminated value`);
    const value = decodeUtf8(body.subarray(nameEnd + 1, valueEnd), `startup parameter ${quoteText(name)}`);
    if (seen.has(name)) throw new FrontendProtocolError(`startup parameter ${quoteText(name)} given twice`);
    if (seen.size === MAX_STARTUP_PARAMETERS) throw new FrontendProtocolError(`more than ${MAX_STARTUP_PARAMETERS} startup parameters`);
    seen.add(name);
    if (name.startsWith('_pq_.')) protocolOptions.push(name);
    else parameters.set(name, value);
    position = valueEnd + 1;
  }
  if (position !== body.length - 1) {
    throw new FrontendProtocolError(`startup packet has ${body.length - 1 - position} bytes after its terminating NUL`);
  }
  if (!parameters.get('user')) throw new FrontendProtocolError('no PostgreSQL user name specified in startup packet');
  return { kind: 'startup', majorVersion, minorVersion, parameters, protocolOptions };
}

const utf8 = new TextDecoder('utf-8', { fatal: true, ignoreBOM: true });

/** Writ requires client_encoding UTF8 (it reads the SQL), so every string must be valid UTF-8. */
export function decodeUtf8(bytes: Buffer, what: string): string {
  try {
    return utf8.decode(bytes);
  } catch {
    throw new FrontendProtocolError(`${what} is not valid UTF-8`);
  }
}

/** Quotes client text for an error message: escaped and cut short. */
export function quoteText(text: string): string {
  return JSON.stringify(text.length > 64 ? `${text.slice(0, 64)}…` : text);
}

interface ByteQueue {
  push(chunk: Buffer): void;
  size(): number;
  byteAt(index: number): number;
  int32At(index: number): number;
  /** Removes and returns the next `count` bytes: a view when they lie in one chunk, else a copy. */
  take(count: number): Buffer;
  clear(): void;
}

function createByteQueue(): ByteQueue {
  let chunks: Buffer[] = [];
  let head = 0;
  let offset = 0;
  let size = 0;

  function byteAt(index: number): number {
    let skip = index + offset;
    for (let i = head; i < chunks.length; i += 1) {
      const chunk = chunks[i] as Buffer;
      if (skip < chunk.length) return chunk[skip] as number;
      skip -= chunk.length;
    }
    throw new RangeError(`byte ${index} is not buffered`);
  }

  function dropConsumed(): void {
    if (head === chunks.length) {
      chunks = [];
      head = 0;
    } else if (head > 64) {
      chunks = chunks.slice(head);
      head = 0;
    }
  }

  function take(count: number): Buffer {
    const first = chunks[head] as Buffer;
    let out: Buffer;
    if (first.length - offset >= count) {
      out = first.subarray(offset, offset + count);
      offset += count;
    } else {
      out = Buffer.allocUnsafe(count);
      let written = 0;
      while (written < count) {
        const chunk = chunks[head] as Buffer;
        const n = Math.min(chunk.length - offset, count - written);
        chunk.copy(out, written, offset, offset + n);
        written += n;
        offset += n;
        if (offset === chunk.length) [head, offset] = [head + 1, 0];
      }
    }
    if (offset === (chunks[head]?.length ?? -1)) [head, offset] = [head + 1, 0];
    size -= count;
    dropConsumed();
    return out;
  }

  return {
    push(chunk) {
      if (chunk.length === 0) return;
      chunks.push(chunk);
      size += chunk.length;
    },
    size: () => size,
    byteAt,
    int32At: (index) => ((byteAt(index) << 24) | (byteAt(index + 1) << 16) | (byteAt(index + 2) << 8) | byteAt(index + 3)),
    take,
    clear() {
      chunks = [];
      head = 0;
      offset = 0;
      size = 0;
    },
  };
}
