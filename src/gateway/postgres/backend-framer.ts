// Frames what an upstream PostgreSQL server sends, for relaying: every message boundary, a body only where one is asked for.
/**
 * The relay forwards the upstream's bytes as they came and only needs to know where messages end and
 * what a few of them say (CommandComplete, ReadyForQuery, ErrorResponse). So the framer reads headers,
 * skips the bodies nobody wants without copying them, and reports where in the current chunk each
 * message ends, so the caller can forward `chunk.subarray(from, end)`.
 * @see https://www.postgresql.org/docs/current/protocol-message-formats.html
 * @see https://www.postgresql.org/docs/current/protocol-overview.html#PROTOCOL-MESSAGE-CONCEPTS
 */
import { upstreamProtocolError } from './upstream-error.ts';

/** Type bytes of backend messages, named as in the PostgreSQL documentation. */
export const BackendMessageType = {
  Authentication: 0x52, // 'R': AuthenticationOk, AuthenticationSASL, ... share it
  BackendKeyData: 0x4b, // 'K'
  BindComplete: 0x32, // '2'
  CloseComplete: 0x33, // '3'
  CommandComplete: 0x43, // 'C'
  CopyData: 0x64, // 'd'
  CopyDone: 0x63, // 'c'
  CopyInResponse: 0x47, // 'G'
  CopyOutResponse: 0x48, // 'H'
  CopyBothResponse: 0x57, // 'W'
  DataRow: 0x44, // 'D'
  EmptyQueryResponse: 0x49, // 'I'
  ErrorResponse: 0x45, // 'E'
  FunctionCallResponse: 0x56, // 'V'
  NegotiateProtocolVersion: 0x76, // 'v'
  NoData: 0x6e, // 'n'
  NoticeResponse: 0x4e, // 'N'
  NotificationResponse: 0x41, // 'A'
  ParameterDescription: 0x74, // 't'
  ParameterStatus: 0x53, // 'S'
  ParseComplete: 0x31, // '1'
  PortalSuspended: 0x73, // 's'
  ReadyForQuery: 0x5a, // 'Z'
  RowDescription: 0x54, // 'T'
} as const;

export type BackendMessageTypeName = keyof typeof BackendMessageType;

/** Type byte (1) and Int32 length (4). */
export const BACKEND_HEADER_BYTES = 5;

export interface BackendFramerOptions {
  /** The largest message accepted, counted as its length field counts (the length word and the body). */
  readonly maxMessageBytes: number;
  /** Whether onMessage needs the body of messages of this type; others are skipped without a copy. */
  readonly wantsBody: (type: number) => boolean;
  /**
   * Called for every message in order. `body` is set when wantsBody(type) said so; it may be a view of
   * the chunk. `endOffsetInChunk` is where the message ends in the chunk just pushed. If this throws,
   * the rest of the chunk is not scanned.
   */
  readonly onMessage: (type: number, body: Buffer | undefined, endOffsetInChunk: number) => void;
}

export interface BackendFramer {
  /** Scans the next bytes of the stream. Throws an UpstreamError of kind 'protocol' on a malformed length, then on every later push. */
  push(chunk: Buffer): void;
}

/** "'Z' (ReadyForQuery)", or the byte in hex when PostgreSQL has no such message. */
export function describeBackendType(type: number): string {
  const name = (Object.keys(BackendMessageType) as BackendMessageTypeName[]).find((key) => BackendMessageType[key] === type);
  const printable = type >= 0x20 && type < 0x7f ? `'${String.fromCharCode(type)}'` : `0x${type.toString(16).padStart(2, '0')}`;
  return name === undefined ? printable : `${printable} (${name})`;
}

/**
 * Creates a framer for one upstream stream.
 * @example createBackendFramer({ maxMessageBytes: 1 << 20, wantsBody: (t) => t === BackendMessageType.ReadyForQuery, onMessage: (t, body, end) => {} })
 */
export function createBackendFramer(options: BackendFramerOptions): BackendFramer {
  const framer = new Framer(options);
  return { push: (chunk) => { framer.push(chunk); } };
}

class Framer {
  private readonly header = Buffer.alloc(BACKEND_HEADER_BYTES);
  private headerFill = 0;
  private inBody = false;
  private type = 0;
  private remaining = 0;
  private body: Buffer | undefined;
  private bodyFill = 0;
  private failure: Error | undefined;

  constructor(private readonly options: BackendFramerOptions) {}

  push(chunk: Buffer): void {
    if (this.failure !== undefined) throw this.failure;
    let offset = 0;
    while (offset < chunk.length) {
      offset = this.inBody ? this.continueBody(chunk, offset) : this.startMessage(chunk, offset);
    }
  }

  /** Reads a header (whole, or the rest of one split across chunks) and as much of the body as is here. */
  private startMessage(chunk: Buffer, offset: number): number {
    let at = offset;
    let length: number;
    if (this.headerFill === 0 && chunk.length - at >= BACKEND_HEADER_BYTES) {
      this.type = chunk[at] ?? 0;
      length = chunk.readInt32BE(at + 1);
      at += BACKEND_HEADER_BYTES;
    } else {
      const copied = chunk.copy(this.header, this.headerFill, at, Math.min(chunk.length, at + BACKEND_HEADER_BYTES - this.headerFill));
      this.headerFill += copied;
      at += copied;
      if (this.headerFill < BACKEND_HEADER_BYTES) return at;
      this.headerFill = 0;
      this.type = this.header[0] ?? 0;
      length = this.header.readInt32BE(1);
    }
    this.checkLength(length);
    return this.beginBody(chunk, at, length - 4);
  }

  private checkLength(length: number): void {
    if (length >= 4 && length <= this.options.maxMessageBytes) return;
    const limit = length < 4 ? 'the least a length can be is 4' : `the limit is ${this.options.maxMessageBytes}`;
    this.failure = upstreamProtocolError(`a ${describeBackendType(this.type)} message with length ${length}; ${limit}`);
    throw this.failure;
  }

  private beginBody(chunk: Buffer, at: number, bodyBytes: number): number {
    const wanted = this.options.wantsBody(this.type);
    if (bodyBytes <= chunk.length - at) {
      const end = at + bodyBytes;
      this.options.onMessage(this.type, wanted ? chunk.subarray(at, end) : undefined, end);
      return end;
    }
    this.inBody = true;
    this.remaining = bodyBytes;
    this.body = wanted ? Buffer.allocUnsafe(bodyBytes) : undefined;
    this.bodyFill = 0;
    return this.continueBody(chunk, at);
  }

  private continueBody(chunk: Buffer, offset: number): number {
    const take = Math.min(this.remaining, chunk.length - offset);
    if (this.body !== undefined) chunk.copy(this.body, this.bodyFill, offset, offset + take);
    this.bodyFill += take;
    this.remaining -= take;
    const end = offset + take;
    if (this.remaining > 0) return end;
    const body = this.body;
    this.inBody = false;
    this.body = undefined;
    this.options.onMessage(this.type, body, end);
    return end;
  }
}

const rowCountCommands = new Set(['SELECT', 'INSERT', 'UPDATE', 'DELETE', 'MERGE', 'FETCH', 'MOVE', 'COPY']);

/**
 * CommandComplete: the command tag and, for commands that count rows, the count.
 * @example decodeCommandComplete(Buffer.from('INSERT 0 3\0')) // { tag: 'INSERT 0 3', rowCount: 3 }
 */
export function decodeCommandComplete(body: Buffer): { tag: string; rowCount: number | undefined } {
  const terminator = body.indexOf(0);
  if (terminator !== body.length - 1) throw upstreamProtocolError('a CommandComplete message whose tag is not one NUL-terminated string');
  const tag = body.toString('utf8', 0, terminator);
  const words = tag.split(' ');
  const last = words[words.length - 1] ?? '';
  const counts = words.length >= 2 && rowCountCommands.has(words[0] ?? '') && /^\d+$/.test(last);
  return { tag, rowCount: counts ? Number(last) : undefined };
}

/** ReadyForQuery: 'I' idle, 'T' in a transaction block, 'E' in a failed transaction block. */
export function decodeReadyForQuery(body: Buffer): 'I' | 'T' | 'E' {
  const status = body.length === 1 ? String.fromCharCode(body[0] ?? 0) : '';
  if (status === 'I' || status === 'T' || status === 'E') return status;
  throw upstreamProtocolError(`a ReadyForQuery message with an unknown transaction status (${body.toString('hex')})`);
}
