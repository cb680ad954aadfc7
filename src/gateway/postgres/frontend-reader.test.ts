// Tests of the frontend framer and decoders: every message kind, every split point, every malformed length.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { serialize } from 'pg-protocol';
import { FrontendMessageType, FrontendProtocolError, createFrontendReader } from './frontend-reader.ts';
import { decodeBind, decodeClose, decodeCopyFail, decodeDescribe, decodeExecute, decodeFunctionCall, decodeParse, decodePasswordMessage, decodeQuery, decodeSaslInitialResponse, decodeSaslResponse } from './frontend-decoders.ts';
import type { FrontendFrame, FrontendReader, StartupFrame } from './frontend-reader.ts';

const limits = { maxStartupBytes: 10_000, maxMessageBytes: 1 << 20 };

const cstr = (text: string): Buffer => Buffer.from(`${text}\0`, 'utf8');
const i16 = (n: number): Buffer => Buffer.from([(n >> 8) & 0xff, n & 0xff]);
function i32(n: number): Buffer {
  const b = Buffer.alloc(4);
  b.writeInt32BE(n);
  return b;
}
function typed(type: string, ...parts: Buffer[]): Buffer {
  const body = Buffer.concat(parts);
  return Buffer.concat([Buffer.from(type, 'latin1'), i32(body.length + 4), body]);
}
function untyped(...parts: Buffer[]): Buffer {
  const body = Buffer.concat(parts);
  return Buffer.concat([i32(body.length + 4), body]);
}
const startupBody = (...pairs: string[]): Buffer => Buffer.concat([i32(0x00030000), ...pairs.map(cstr), Buffer.from([0])]);

function startupOf(bytes: Buffer): StartupFrame | undefined {
  const reader = createFrontendReader(limits);
  reader.push(bytes);
  return reader.readStartup();
}
function drain(reader: FrontendReader): FrontendFrame[] {
  const frames: FrontendFrame[] = [];
  for (let frame = reader.read(); frame; frame = reader.read()) frames.push(frame);
  return frames;
}
function framesOf(bytes: Buffer): FrontendFrame[] {
  const reader = createFrontendReader(limits);
  reader.push(bytes);
  return drain(reader);
}
function assertProtocolError(fn: () => unknown, pattern: RegExp): void {
  assert.throws(fn, (error: unknown) => {
    assert.ok(error instanceof FrontendProtocolError, `expected FrontendProtocolError, got ${String(error)}`);
    assert.equal(error.sqlState, '08P01');
    assert.match(error.message, pattern);
    return true;
  });
}

test('StartupMessage from pg-protocol: version 3.0, every parameter, no protocol options', () => {
  const frame = startupOf(serialize.startup({ user: 'alice', database: 'prod', application_name: 'psql' }));
  assert.ok(frame?.kind === 'startup');
  assert.equal(frame.majorVersion, 3);
  assert.equal(frame.minorVersion, 0);
  assert.deepEqual([...frame.parameters], [['user', 'alice'], ['database', 'prod'], ['application_name', 'psql'], ['client_encoding', 'UTF8']]);
  assert.deepEqual(frame.protocolOptions, []);
});

test('StartupMessage 3.2 with _pq_ options keeps them apart from the parameters', () => {
  const body = Buffer.concat([i32(0x00030002), cstr('user'), cstr('ü'), cstr('_pq_.compression'), cstr('on'), Buffer.from([0])]);
  const frame = startupOf(untyped(body));
  assert.ok(frame?.kind === 'startup');
  assert.equal(frame.minorVersion, 2);
  assert.deepEqual([...frame.parameters], [['user', 'ü']]);
  assert.deepEqual(frame.protocolOptions, ['_pq_.compression']);
});

test('SSLRequest, GSSENCRequest and CancelRequest with 4- and 256-byte keys', () => {
  assert.deepEqual(startupOf(serialize.requestSsl()), { kind: 'ssl-request' });
  assert.deepEqual(startupOf(untyped(i32(80877104))), { kind: 'gssenc-request' });
  const cancel = startupOf(serialize.cancel(4242, 0x01020304));
  assert.deepEqual(cancel, { kind: 'cancel-request', processId: 4242, secretKey: Buffer.from([1, 2, 3, 4]) });
  const longKey = Buffer.alloc(256, 7);
  assert.deepEqual(startupOf(untyped(i32(80877102), i32(9), longKey)), { kind: 'cancel-request', processId: 9, secretKey: longKey });
});

test('startup packets that break a rule are refused with the reason', () => {
  const cases: [Buffer, RegExp][] = [
    [untyped(startupBody('database', 'x')), /no PostgreSQL user name/],
    [untyped(startupBody('user', '')), /no PostgreSQL user name/],
    [untyped(i32(0x00030000), cstr('user'), cstr('a')), /lacks its terminating NUL/],
    [untyped(startupBody('user', 'a'), Buffer.from('x')), /1 bytes after its terminating NUL/],
    [untyped(i32(0x00030000), cstr('user'), Buffer.from('a')), /has no NUL-terminated value/],
    [untyped(i32(0x00030000), Buffer.from([0xff, 0xfe, 0]), cstr('v'), Buffer.from([0])), /not valid UTF-8/],
    [untyped(i32(0x00030000), cstr('user'), Buffer.from([0x61, 0xc3, 0]), Buffer.from([0])), /"user" is not valid UTF-8/],
    [untyped(startupBody('user', 'a', 'user', 'b')), /"user" given twice/],
    [untyped(startupBody('user', 'a', ...Array.from({ length: 64 }, (_, i) => [`p${i}`, 'v']).flat())), /more than 64/],
    [untyped(startupBody('user', 'a', 'n'.repeat(257), 'v')), /longer than 256 bytes/],
    [untyped(i32(0x00020000), cstr('user'), cstr('a'), Buffer.from([0])), /unsupported frontend protocol 2\.0/],
    [untyped(i32(80877105)), /unsupported frontend protocol 1234\.5681/],
    [untyped(i32(80877103), i32(0)), /SSLRequest declares 12 bytes; it has 8$/],
    [untyped(i32(80877104), Buffer.from([0])), /GSSENCRequest declares 9 bytes/],
    [untyped(i32(80877102), i32(1), Buffer.alloc(3)), /CancelRequest declares 15 bytes; it has 16 to 268/],
    [untyped(i32(80877102), i32(1), Buffer.alloc(257)), /CancelRequest declares 269 bytes/],
    [i32(7), /declares 7 bytes; it must have 8 to 10000/],
    [i32(10_001), /declares 10001 bytes/],
    [i32(-1), /declares -1 bytes/],
  ];
  for (const [bytes, pattern] of cases) assertProtocolError(() => startupOf(bytes), pattern);
});

test('a startup packet arriving byte by byte is decoded once whole; the length is checked before the body', () => {
  const packet = serialize.startup({ user: 'bob' });
  const reader = createFrontendReader(limits);
  for (let i = 0; i < packet.length - 1; i += 1) {
    reader.push(packet.subarray(i, i + 1));
    assert.equal(reader.readStartup(), undefined);
  }
  reader.push(packet.subarray(-1));
  assert.equal(reader.readStartup()?.kind, 'startup');
  assert.equal(reader.buffered(), 0);
  const hostile = createFrontendReader({ ...limits, maxStartupBytes: 100 });
  hostile.push(i32(101));
  assertProtocolError(() => hostile.readStartup(), /declares 101 bytes/);
});

test('buffered() shows bytes a client sent after its SSLRequest, before any TLS handshake', () => {
  const reader = createFrontendReader(limits);
  reader.push(Buffer.concat([serialize.requestSsl(), serialize.startup({ user: 'mallory' })]));
  assert.deepEqual(reader.readStartup(), { kind: 'ssl-request' });
  assert.ok(reader.buffered() > 0);
});

const allMessages: readonly Buffer[] = [
  serialize.query('select 1; -- ünïcode'),
  serialize.parse({ name: 's1', text: 'select $1::int, $2', types: [23, 0xfffffff0] }),
  serialize.bind({ portal: 'p1', statement: 's1', values: ['42', null, Buffer.from([0, 1, 2])], binary: true }),
  serialize.describe({ type: 'S', name: 's1' }),
  serialize.describe({ type: 'P' }),
  serialize.execute({ portal: 'p1', rows: 100 }),
  serialize.execute(),
  serialize.close({ type: 'P', name: 'p1' }),
  serialize.flush(),
  serialize.sync(),
  serialize.copyData(Buffer.from('1\t2\n')),
  serialize.copyDone(),
  serialize.copyFail('client gave up'),
  serialize.password('hunter2'),
  serialize.sendSASLInitialResponseMessage('SCRAM-SHA-256', 'n,,n=*,r=abc'),
  serialize.sendSCRAMClientFinalMessage('c=biws,r=abcdef,p=AAAA'),
  typed('F', i32(1598), i16(1), i16(1), i16(2), i32(2), Buffer.from([0, 5]), i32(-1), i16(1)),
  serialize.end(),
];
const stream = Buffer.concat(allMessages);

test('every frontend message kind is framed and decoded', () => {
  const frames = framesOf(stream);
  assert.deepEqual(frames.map((f) => f.raw), allMessages);
  const [q, p, b, ds, dp, e1, e0, c, fl, sy, cd, cdone, cf, pw, sasl, final, fc, term] = frames.map((f) => f.body);
  assert.deepEqual(decodeQuery(q ?? Buffer.alloc(0)), { sql: 'select 1; -- ünïcode' });
  assert.deepEqual(decodeParse(p ?? Buffer.alloc(0)), { statement: 's1', sql: 'select $1::int, $2', parameterTypeOids: [23, 0xfffffff0] });
  assert.deepEqual(decodeBind(b ?? Buffer.alloc(0)), {
    portal: 'p1',
    statement: 's1',
    parameterFormats: [0, 0, 1],
    parameters: [Buffer.from('42'), null, Buffer.from([0, 1, 2])],
    resultFormats: [1],
  });
  assert.deepEqual(decodeDescribe(ds ?? Buffer.alloc(0)), { target: 'statement', name: 's1' });
  assert.deepEqual(decodeDescribe(dp ?? Buffer.alloc(0)), { target: 'portal', name: '' });
  assert.deepEqual(decodeExecute(e1 ?? Buffer.alloc(0)), { portal: 'p1', maxRows: 100 });
  assert.deepEqual(decodeExecute(e0 ?? Buffer.alloc(0)), { portal: '', maxRows: 0 });
  assert.deepEqual(decodeClose(c ?? Buffer.alloc(0)), { target: 'portal', name: 'p1' });
  assert.deepEqual([fl, sy, cdone, term].map((body) => body?.length), [0, 0, 0, 0]);
  assert.deepEqual(cd, Buffer.from('1\t2\n'));
  assert.deepEqual(decodeCopyFail(cf ?? Buffer.alloc(0)), { message: 'client gave up' });
  assert.equal(decodePasswordMessage(pw ?? Buffer.alloc(0)), 'hunter2');
  assert.deepEqual(decodeSaslInitialResponse(sasl ?? Buffer.alloc(0)), { mechanism: 'SCRAM-SHA-256', data: Buffer.from('n,,n=*,r=abc') });
  assert.deepEqual(decodeSaslResponse(final ?? Buffer.alloc(0)), Buffer.from('c=biws,r=abcdef,p=AAAA'));
  assert.deepEqual(decodeFunctionCall(fc ?? Buffer.alloc(0)), {
    functionOid: 1598,
    argumentFormats: [1],
    arguments: [Buffer.from([0, 5]), null],
    resultFormat: 1,
  });
  assert.deepEqual(frames.map((f) => f.type), allMessages.map((m) => m[0]));
  assert.equal(frames[0]?.type, FrontendMessageType.Query);
});

test('the stream split at every byte boundary, or fed byte by byte, gives the same frames', () => {
  const expected = framesOf(stream);
  for (let cut = 1; cut < stream.length; cut += 1) {
    const reader = createFrontendReader(limits);
    reader.push(stream.subarray(0, cut));
    const frames = drain(reader);
    reader.push(stream.subarray(cut));
    frames.push(...drain(reader));
    assert.deepEqual(frames, expected, `cut at ${cut}`);
    assert.equal(reader.buffered(), 0);
  }
  const reader = createFrontendReader(limits);
  const frames: FrontendFrame[] = [];
  for (const byte of stream) {
    reader.push(Buffer.from([byte]));
    frames.push(...drain(reader));
  }
  assert.deepEqual(frames, expected);
});

test('a message inside one chunk is a view of it; one spanning chunks is a copy', () => {
  const chunk = Buffer.concat([serialize.query('a'), serialize.query('bc')]);
  const reader = createFrontendReader(limits);
  reader.push(chunk.subarray(0, 9));
  const first = reader.read();
  reader.push(chunk.subarray(9));
  const second = reader.read();
  assert.ok(first && second);
  chunk.fill(0x7a);
  assert.deepEqual(first.body, Buffer.from('zz'), 'the first frame shares the chunk memory');
  assert.deepEqual(decodeQuery(second.body), { sql: 'bc' }, 'the second frame owns its bytes');
  const exact = serialize.query('abc');
  const fits = createFrontendReader(limits);
  fits.push(exact);
  const frame = fits.read();
  exact.fill(0x7a);
  assert.deepEqual(frame?.body, Buffer.from('zzzz'), 'a message filling its chunk exactly is a view too');
});

test('wrong lengths and unknown types are refused, as soon as the header shows them', () => {
  const cases: [Buffer, RegExp][] = [
    [Buffer.from([0x51, 0, 0, 0, 3]), /message of type 'Q' declares 3 bytes, less than its own length field/],
    [Buffer.from([0x51, 0xff, 0xff, 0xff, 0xff]), /declares -1 bytes/],
    [Buffer.from([0x51, 0, 0, 1, 1]), /declares 257 bytes; the limit is 256/],
    [Buffer.from([0x53, 0, 0, 0, 5, 0]), /type 'S' declares 5 bytes; it has no body/],
    [Buffer.from([0x58, 0, 0, 0, 6]), /type 'X' declares 6 bytes/],
    [Buffer.from([0x63, 0, 0, 0, 5]), /type 'c' declares 5 bytes/],
    [Buffer.from([0x48, 0, 0, 0, 8]), /type 'H' declares 8 bytes/],
    [Buffer.from([0x00]), /invalid frontend message type 0x00/],
    [Buffer.from('Z'), /invalid frontend message type 'Z'/],
    [serialize.startup({ user: 'x' }), /invalid frontend message type 0x00/],
  ];
  for (const [bytes, pattern] of cases) {
    const reader = createFrontendReader({ ...limits, maxMessageBytes: 256 });
    reader.push(bytes);
    assertProtocolError(() => reader.read(), pattern);
    assert.equal(reader.buffered(), 0);
    reader.push(serialize.sync());
    assertProtocolError(() => reader.read(), pattern);
    assert.equal(reader.buffered(), 0, 'a failed reader holds nothing more');
  }
});

test('a message of exactly maxMessageBytes passes; a truncated one yields nothing', () => {
  const reader = createFrontendReader({ ...limits, maxMessageBytes: 10 });
  const query = serialize.query('12345');
  assert.equal(query.readInt32BE(1), 10);
  reader.push(query.subarray(0, -1));
  assert.equal(reader.read(), undefined);
  assert.equal(reader.buffered(), 10);
  reader.push(query.subarray(-1));
  assert.deepEqual(reader.read()?.raw, query);
});

test('decoders refuse missing and trailing bytes, bad formats and bad counts', () => {
  const cases: [() => unknown, RegExp][] = [
    [() => decodeQuery(Buffer.from('select 1')), /Query has no NUL after its query string/],
    [() => decodeQuery(Buffer.from('select 1\0x')), /Query has 1 bytes after its last field/],
    [() => decodeQuery(Buffer.from([0xc3, 0x28, 0])), /Query's query string is not valid UTF-8/],
    [() => decodeParse(Buffer.concat([cstr(''), cstr('q'), i16(2), i32(23)])), /Parse ends inside its parameter type/],
    [() => decodeParse(Buffer.concat([cstr(''), cstr('q')])), /Parse ends inside its parameter type count/],
    [() => decodeBind(Buffer.concat([cstr(''), cstr(''), i16(1), i16(2), i16(0), i16(0)])), /unsupported parameter format 2/],
    [() => decodeBind(Buffer.concat([cstr(''), cstr(''), i16(2), i16(0), i16(0), i16(1), i32(-1), i16(0)])), /2 parameter formats but 1 parameters/],
    [() => decodeBind(Buffer.concat([cstr(''), cstr(''), i16(0), i16(1), i32(-2), i16(0)])), /parameter 1 a length of -2/],
    [() => decodeBind(Buffer.concat([cstr(''), cstr(''), i16(0), i16(1), i32(5), Buffer.from('ab'), i16(0)])), /ends inside its parameter 1$/],
    [() => decodeBind(Buffer.concat([cstr(''), cstr(''), i16(0), i16(0), i16(1), i16(7)])), /unsupported result format 7/],
    [() => decodeBind(Buffer.concat([cstr(''), cstr(''), i16(0), i16(0), i16(0), Buffer.from([0])])), /1 bytes after/],
    [() => decodeDescribe(Buffer.concat([Buffer.from('X'), cstr('n')])), /Describe targets 'X'/],
    [() => decodeDescribe(Buffer.alloc(0)), /Describe ends inside its target/],
    [() => decodeClose(Buffer.concat([Buffer.from('S'), cstr('n'), Buffer.from([1])])), /Close has 1 bytes after/],
    [() => decodeExecute(Buffer.concat([cstr(''), i16(0)])), /Execute ends inside its row limit/],
    [() => decodeCopyFail(Buffer.from('x')), /CopyFail has no NUL/],
    [() => decodePasswordMessage(Buffer.from('pw\0\0')), /PasswordMessage has 1 bytes after/],
    [() => decodeSaslInitialResponse(Buffer.concat([cstr('SCRAM-SHA-256'), i32(10), Buffer.from('n,,')])), /ends inside its initial response$/],
    [() => decodeSaslInitialResponse(cstr('SCRAM-SHA-256')), /ends inside its initial response length/],
    [() => decodeFunctionCall(Buffer.concat([i32(1), i16(0), i16(0), i16(2)])), /unsupported result format 2/],
    [() => decodeFunctionCall(Buffer.concat([i32(1), i16(0), i16(1)])), /ends inside its argument 1 length/],
  ];
  for (const [fn, pattern] of cases) assertProtocolError(fn, pattern);
  assert.deepEqual(decodeSaslInitialResponse(Buffer.concat([cstr('SCRAM-SHA-256'), i32(-1)])), { mechanism: 'SCRAM-SHA-256', data: null });
});

test('a Bind with more than 32767 parameters is read as PostgreSQL reads it (unsigned counts)', () => {
  const count = 40_000;
  const body = Buffer.concat([cstr(''), cstr(''), i16(0), i16(count), ...Array.from({ length: count }, () => i32(-1)), i16(0)]);
  assert.equal(decodeBind(body).parameters.length, count);
});

test('reader options are checked', () => {
  assert.throws(() => createFrontendReader({ maxStartupBytes: 10_000, maxMessageBytes: 3 }), RangeError);
  assert.throws(() => createFrontendReader({ maxStartupBytes: 8, maxMessageBytes: 100 }), RangeError);
});
