// Property tests of the frontend framer: hostile bytes fail only as protocol errors in bounded memory; valid streams round-trip.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import fc from 'fast-check';
import { serialize } from 'pg-protocol';
import { FrontendMessageType, FrontendProtocolError, MESSAGE_HEADER_BYTES, createFrontendReader } from './frontend-reader.ts';
import { decodeBind, decodeClose, decodeCopyFail, decodeDescribe, decodeExecute, decodeFunctionCall, decodeParse, decodePasswordMessage, decodeQuery, decodeSaslInitialResponse } from './frontend-decoders.ts';
import type { FrontendFrame, FrontendReader } from './frontend-reader.ts';

const maxMessageBytes = 256;
const maxStartupBytes = 300;
const runs = { numRuns: 400 };
const decoders: readonly ((body: Buffer) => unknown)[] = [
  decodeQuery, decodeParse, decodeBind, decodeDescribe, decodeClose, decodeExecute,
  decodeCopyFail, decodePasswordMessage, decodeSaslInitialResponse, decodeFunctionCall,
];

/** Text PostgreSQL could carry in a C string: any code point but NUL (lone surrogates have no UTF-8 form). */
const text = (maxLength = 40): fc.Arbitrary<string> => fc.string({ unit: 'binary', maxLength }).filter((s) => !s.includes('\0'));
const name = text(20);
const bytes = (maxLength = 40, size: fc.SizeForArbitrary = 'small'): fc.Arbitrary<Buffer> =>
  fc.uint8Array({ maxLength, size }).map((a) => Buffer.from(a));

interface Sample {
  readonly message: Buffer;
  /** What decoding the frame's body must give. */
  readonly check: (frame: FrontendFrame) => void;
}
const sample = <T>(arb: fc.Arbitrary<T>, encode: (value: T) => Buffer, check: (frame: FrontendFrame, value: T) => void): fc.Arbitrary<Sample> =>
  arb.map((value) => ({ message: encode(value), check: (frame) => { check(frame, value); } }));
const bodyless = (message: Buffer): fc.Arbitrary<Sample> =>
  fc.constant({ message, check: (frame: FrontendFrame) => { assert.equal(frame.body.length, 0); } });
const utf8 = (s: string): Buffer => Buffer.from(s, 'utf8');

const validMessage: fc.Arbitrary<Sample> = fc.oneof(
  sample(text(), serialize.query, (f, sql) => { assert.deepEqual(decodeQuery(f.body), { sql }); }),
  sample(fc.record({ name, text: text(), types: fc.array(fc.nat({ max: 0xffffffff }), { maxLength: 5 }) }), serialize.parse, (f, v) => {
    assert.deepEqual(decodeParse(f.body), { statement: v.name, sql: v.text, parameterTypeOids: v.types });
  }),
  sample(
    fc.record({ portal: name, statement: name, binary: fc.boolean(), values: fc.array(fc.oneof(fc.constant(null), text(), bytes()), { maxLength: 5 }) }),
    serialize.bind,
    (f, v) => {
      assert.deepEqual(decodeBind(f.body), {
        portal: v.portal,
        statement: v.statement,
        parameterFormats: v.values.map((x) => (Buffer.isBuffer(x) ? 1 : 0)),
        parameters: v.values.map((x) => (typeof x === 'string' ? utf8(x) : x)),
        resultFormats: [v.binary ? 1 : 0],
      });
    },
  ),
  sample(fc.record({ portal: name, rows: fc.nat({ max: 0xffffffff }) }), serialize.execute, (f, v) => {
    assert.deepEqual(decodeExecute(f.body), { portal: v.portal, maxRows: v.rows });
  }),
  sample(fc.record({ type: fc.constantFrom('S' as const, 'P' as const), name }), serialize.describe, (f, v) => {
    assert.deepEqual(decodeDescribe(f.body), { target: v.type === 'S' ? 'statement' : 'portal', name: v.name });
  }),
  sample(fc.record({ type: fc.constantFrom('S' as const, 'P' as const), name }), serialize.close, (f, v) => {
    assert.deepEqual(decodeClose(f.body), { target: v.type === 'S' ? 'statement' : 'portal', name: v.name });
  }),
  sample(bytes(), serialize.copyData, (f, data) => { assert.deepEqual(f.body, data); }),
  sample(text(), serialize.copyFail, (f, message) => { assert.deepEqual(decodeCopyFail(f.body), { message }); }),
  sample(text(), serialize.password, (f, password) => { assert.equal(decodePasswordMessage(f.body), password); }),
  sample(fc.tuple(name, text()), ([m, r]) => serialize.sendSASLInitialResponseMessage(m, r), (f, [m, r]) => {
    assert.deepEqual(decodeSaslInitialResponse(f.body), { mechanism: m, data: utf8(r) });
  }),
  sample(text(), serialize.sendSCRAMClientFinalMessage, (f, data) => { assert.deepEqual(f.body, utf8(data)); }),
  bodyless(serialize.flush()),
  bodyless(serialize.sync()),
  bodyless(serialize.copyDone()),
  bodyless(serialize.end()),
);

/** Splits `whole` at sorted random cut points. */
function splitAt(whole: Buffer, cuts: readonly number[]): Buffer[] {
  const points = [...new Set(cuts.map((c) => c % (whole.length + 1)))].sort((a, b) => a - b);
  const chunks: Buffer[] = [];
  let start = 0;
  for (const point of [...points, whole.length]) {
    chunks.push(whole.subarray(start, point));
    start = point;
  }
  return chunks;
}

/** Pushes each chunk and drains; any throw must be a FrontendProtocolError, and memory stays bounded. */
function feedHostile(reader: FrontendReader, chunks: readonly Buffer[], next: () => unknown, bound: number): void {
  for (const chunk of chunks) {
    reader.push(chunk);
    try {
      for (let item = next(); item !== undefined; item = next()) {
        if (typeof item === 'object' && item !== null && 'body' in item && Buffer.isBuffer(item.body)) decodeAll(item.body);
      }
    } catch (error) {
      assert.ok(error instanceof FrontendProtocolError, `threw ${String(error)}`);
      assert.equal(reader.buffered(), 0);
      return;
    }
    assert.ok(reader.buffered() <= bound, `holds ${reader.buffered()} bytes`);
  }
}

function decodeAll(body: Buffer): void {
  for (const decode of decoders) {
    try {
      decode(body);
    } catch (error) {
      assert.ok(error instanceof FrontendProtocolError, `${decode.name} threw ${String(error)}`);
    }
  }
}

/** A header of a known type whose length sits near the edges that matter: its own size and the limit. */
const plausibleHeader = fc
  .tuple(
    fc.constantFrom(...Object.values(FrontendMessageType)),
    fc.oneof(
      fc.integer({ min: -2, max: 9 }),
      fc.integer({ min: maxMessageBytes - 3, max: maxMessageBytes + 8 }),
      fc.integer({ min: 0, max: 2 * maxMessageBytes }),
      fc.integer(),
    ),
  )
  .map(([type, length]) => {
    const header = Buffer.alloc(MESSAGE_HEADER_BYTES);
    header[0] = type;
    header.writeInt32BE(length, 1);
    return header;
  });

/** Valid messages mixed with plausible headers and garbage, so the framer sees near misses as well as noise. */
const hostileStream = fc
  .tuple(
    fc.array(fc.oneof(validMessage.map((s) => s.message), plausibleHeader, bytes(8), bytes(600, 'max')), { maxLength: 12 }),
    fc.array(fc.nat(), { maxLength: 12 }),
  )
  .map(([parts, cuts]) => splitAt(Buffer.concat(parts), cuts));

test('arbitrary byte chunks: read() throws only FrontendProtocolError and holds at most maxMessageBytes once drained', () => {
  fc.assert(
    fc.property(hostileStream, (chunks) => {
      const reader = createFrontendReader({ maxStartupBytes, maxMessageBytes });
      feedHostile(reader, chunks, () => reader.read(), maxMessageBytes);
    }),
    runs,
  );
});

test('arbitrary byte chunks: readStartup() throws only FrontendProtocolError and holds at most maxStartupBytes once drained', () => {
  const startupish = fc.oneof(
    fc.dictionary(name, text(), { maxKeys: 4 }).map((params) => serialize.startup(params)),
    fc.constant(serialize.requestSsl()),
    fc.tuple(fc.integer(), fc.integer()).map(([pid, key]) => serialize.cancel(pid, key)),
    fc.integer({ min: maxStartupBytes - 3, max: maxStartupBytes + 8 }).map((length) => {
      const header = Buffer.alloc(8);
      header.writeInt32BE(length);
      header.writeInt32BE(0x00030000, 4);
      return header;
    }),
    bytes(600, 'max'),
  );
  const stream = fc
    .tuple(fc.array(startupish, { maxLength: 4 }), fc.array(fc.nat(), { maxLength: 8 }))
    .map(([parts, cuts]) => splitAt(Buffer.concat(parts), cuts));
  fc.assert(
    fc.property(stream, (chunks) => {
      const reader = createFrontendReader({ maxStartupBytes, maxMessageBytes });
      feedHostile(reader, chunks, () => reader.readStartup(), maxStartupBytes);
    }),
    runs,
  );
});

test('arbitrary bodies: every decoder throws only FrontendProtocolError', () => {
  fc.assert(fc.property(bytes(64), (body) => { decodeAll(body); }), { numRuns: 2000 });
});

test('valid message sequences built by pg-protocol, cut anywhere, round-trip', () => {
  const scenario = fc.tuple(fc.array(validMessage, { maxLength: 15 }), fc.array(fc.nat(), { maxLength: 15 }));
  fc.assert(
    fc.property(scenario, ([samples, cuts]) => {
      const reader = createFrontendReader({ maxStartupBytes, maxMessageBytes: 1 << 16 });
      const frames: FrontendFrame[] = [];
      for (const chunk of splitAt(Buffer.concat(samples.map((s) => s.message)), cuts)) {
        reader.push(chunk);
        for (let frame = reader.read(); frame; frame = reader.read()) frames.push(frame);
      }
      assert.equal(reader.buffered(), 0);
      assert.deepEqual(frames.map((f) => f.raw), samples.map((s) => s.message));
      samples.forEach((s, i) => {
        const frame = frames[i];
        assert.ok(frame);
        assert.equal(frame.type, s.message[0]);
        s.check(frame);
      });
    }),
    runs,
  );
});
