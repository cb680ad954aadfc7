// Decodes the bodies of the typed messages a PostgreSQL client sends, each field bounds-checked.
/** @see https://www.postgresql.org/docs/current/protocol-message-formats.html */
import { FrontendProtocolError, decodeUtf8, describeMessageType } from './frontend-reader.ts';

/** Reads the fields of one message body, each bounds-checked; `what` names the message in errors. */
class BodyCursor {
  private position = 0;

  constructor(
    private readonly body: Buffer,
    private readonly what: string,
  ) {}

  private need(count: number, field: string): number {
    const start = this.position;
    if (count > this.body.length - start) {
      throw new FrontendProtocolError(`${this.what} ends inside its ${field}`);
    }
    this.position += count;
    return start;
  }

  cstring(field: string): string {
    const end = this.body.indexOf(0, this.position);
    if (end === -1) throw new FrontendProtocolError(`${this.what} has no NUL after its ${field}`);
    const text = decodeUtf8(this.body.subarray(this.position, end), `${this.what}'s ${field}`);
    this.position = end + 1;
    return text;
  }

  byte(field: string): number {
    return this.body[this.need(1, field)] as number;
  }

  uint16(field: string): number {
    return this.body.readUInt16BE(this.need(2, field));
  }

  int32(field: string): number {
    return this.body.readInt32BE(this.need(4, field));
  }

  uint32(field: string): number {
    return this.body.readUInt32BE(this.need(4, field));
  }

  bytes(count: number, field: string): Buffer {
    const start = this.need(count, field);
    return this.body.subarray(start, start + count);
  }

  /** An Int32 length and that many bytes; -1 is NULL. */
  nullableBytes(field: string): Buffer | null {
    const length = this.int32(`${field} length`);
    if (length === -1) return null;
    if (length < -1) throw new FrontendProtocolError(`${this.what} gives ${field} a length of ${length}`);
    return this.bytes(length, field);
  }

  /** Int16 count then that many Int16 format codes, each 0 (text) or 1 (binary). */
  formatCodes(field: string): number[] {
    const count = this.uint16(`${field} count`);
    const codes: number[] = [];
    for (let i = 0; i < count; i += 1) {
      const code = this.uint16(field);
      if (code !== 0 && code !== 1) throw new FrontendProtocolError(`${this.what} has unsupported ${field} ${code}`);
      codes.push(code);
    }
    return codes;
  }

  end(): void {
    const left = this.body.length - this.position;
    if (left !== 0) throw new FrontendProtocolError(`${this.what} has ${left} bytes after its last field`);
  }
}

/** Counts of format codes must be 0 (all text), 1 (one for all) or one per value. */
function checkFormatCount(what: string, formats: readonly number[], values: number): void {
  if (formats.length > 1 && formats.length !== values) {
    throw new FrontendProtocolError(`${what} has ${formats.length} parameter formats but ${values} parameters`);
  }
}

/** Query ('Q'). */
export function decodeQuery(body: Buffer): { sql: string } {
  const cursor = new BodyCursor(body, 'Query');
  const sql = cursor.cstring('query string');
  cursor.end();
  return { sql };
}

/** Parse ('P'). Parameter type OIDs are unsigned; 0 leaves the type unspecified. */
export function decodeParse(body: Buffer): { statement: string; sql: string; parameterTypeOids: number[] } {
  const cursor = new BodyCursor(body, 'Parse');
  const statement = cursor.cstring('statement name');
  const sql = cursor.cstring('query string');
  const count = cursor.uint16('parameter type count');
  const parameterTypeOids: number[] = [];
  for (let i = 0; i < count; i += 1) parameterTypeOids.push(cursor.uint32('parameter type'));
  cursor.end();
  return { statement, sql, parameterTypeOids };
}

export interface BindMessage {
  portal: string;
  statement: string;
  parameterFormats: number[];
  /** Views into the message body; null is SQL NULL. */
  parameters: (Buffer | null)[];
  resultFormats: number[];
}

/** Bind ('B'). */
export function decodeBind(body: Buffer): BindMessage {
  const cursor = new BodyCursor(body, 'Bind');
  const portal = cursor.cstring('portal name');
  const statement = cursor.cstring('statement name');
  const parameterFormats = cursor.formatCodes('parameter format');
  const count = cursor.uint16('parameter count');
  const parameters: (Buffer | null)[] = [];
  for (let i = 0; i < count; i += 1) parameters.push(cursor.nullableBytes(`parameter ${i + 1}`));
  checkFormatCount('Bind', parameterFormats, count);
  const resultFormats = cursor.formatCodes('result format');
  cursor.end();
  return { portal, statement, parameterFormats, parameters, resultFormats };
}

function decodeTargetAndName(body: Buffer, what: string): { target: 'statement' | 'portal'; name: string } {
  const cursor = new BodyCursor(body, what);
  const kind = cursor.byte('target');
  if (kind !== 0x53 && kind !== 0x50) {
    throw new FrontendProtocolError(`${what} targets ${describeMessageType(kind)}; it must be 'S' (statement) or 'P' (portal)`);
  }
  const name = cursor.cstring('name');
  cursor.end();
  return { target: kind === 0x53 ? 'statement' : 'portal', name };
}

/** Describe ('D'). */
export function decodeDescribe(body: Buffer): { target: 'statement' | 'portal'; name: string } {
  return decodeTargetAndName(body, 'Describe');
}

/** Close ('C'). */
export function decodeClose(body: Buffer): { target: 'statement' | 'portal'; name: string } {
  return decodeTargetAndName(body, 'Close');
}

/** Execute ('E'). maxRows 0 means all rows (PostgreSQL reads the field unsigned). */
export function decodeExecute(body: Buffer): { portal: string; maxRows: number } {
  const cursor = new BodyCursor(body, 'Execute');
  const portal = cursor.cstring('portal name');
  const maxRows = cursor.uint32('row limit');
  cursor.end();
  return { portal, maxRows };
}

/** CopyFail ('f'). */
export function decodeCopyFail(body: Buffer): { message: string } {
  const cursor = new BodyCursor(body, 'CopyFail');
  const message = cursor.cstring('error message');
  cursor.end();
  return { message };
}

/** SASLInitialResponse ('p' answering AuthenticationSASL). */
export function decodeSaslInitialResponse(body: Buffer): { mechanism: string; data: Buffer | null } {
  const cursor = new BodyCursor(body, 'SASLInitialResponse');
  const mechanism = cursor.cstring('mechanism name');
  const data = cursor.nullableBytes('initial response');
  cursor.end();
  return { mechanism, data };
}

/** SASLResponse ('p' answering AuthenticationSASLContinue): the mechanism's data is the whole body. */
export function decodeSaslResponse(body: Buffer): Buffer {
  return body;
}

/** PasswordMessage ('p' answering AuthenticationCleartextPassword). */
export function decodePasswordMessage(body: Buffer): string {
  const cursor = new BodyCursor(body, 'PasswordMessage');
  const password = cursor.cstring('password');
  cursor.end();
  return password;
}

export interface FunctionCallMessage {
  functionOid: number;
  argumentFormats: number[];
  arguments: (Buffer | null)[];
  resultFormat: number;
}

/** FunctionCall ('F'), the legacy fast-path interface. */
export function decodeFunctionCall(body: Buffer): FunctionCallMessage {
  const cursor = new BodyCursor(body, 'FunctionCall');
  const functionOid = cursor.uint32('function OID');
  const argumentFormats = cursor.formatCodes('argument format');
  const count = cursor.uint16('argument count');
  const args: (Buffer | null)[] = [];
  for (let i = 0; i < count; i += 1) args.push(cursor.nullableBytes(`argument ${i + 1}`));
  checkFormatCount('FunctionCall', argumentFormats, count);
  const resultFormat = cursor.uint16('result format');
  if (resultFormat !== 0 && resultFormat !== 1) {
    throw new FrontendProtocolError(`FunctionCall has unsupported result format ${resultFormat}`);
  }
  cursor.end();
  return { functionOid, argumentFormats, arguments: args, resultFormat };
}
