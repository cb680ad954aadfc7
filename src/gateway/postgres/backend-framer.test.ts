// Tests for the backend framer: any chunking of a recorded server response gives the same messages; bad lengths stop it.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import fc from 'fast-check';
import { BackendMessageType, createBackendFramer, decodeCommandComplete, decodeReadyForQuery } from './backend-framer.ts';
import { isUpstreamError } from './upstream-error.ts';

/**
 * Recorded from PostgreSQL 15 for the simple query
 * SELECT g AS n, repeat('w', g * 3) AS s, NULL::text AS nothing FROM generate_series(1, 4) g;
 * SET client_min_messages = notice; DO $$BEGIN RAISE NOTICE 'writ'; END$$; ; SELECT 1/0
 */
const recorded = Buffer.from(
  'VAAAAEgAA24AAAAAAAAAAAAAFwAE/////wAAcwAAAAAAAAAAAAAZ////////AABub3RoaW5nAAAAAAAAAAAAABn///////8AAEQAAAAWAAMAAAABMQAAAAN3d3f/////RAAAABkAAwAAAAEyAAAABnd3d3d3d/////9EAAAAHAADAAAAATMAAAAJd3d3d3d3d3d3/////0QAAAAfAAMAAAABNAAAAAx3d3d3d3d3d3d3d3f/////QwAAAA1TRUxFQ1QgNABDAAAACFNFVABOAAAAeVNOT1RJQ0UAVk5PVElDRQBDMDAwMDAATXdyaXQAV1BML3BnU1FMIGZ1bmN0aW9uIGlubGluZV9jb2RlX2Jsb2NrIGxpbmUgMSBhdCBSQUlTRQBGcGxfZXhlYy5jAEwzOTA3AFJleGVjX3N0bXRfcmFpc2UAAEMAAAAHRE8ARQAAAEFTRVJST1IAVkVSUk9SAEMyMjAxMgBNZGl2aXNpb24gYnkgemVybwBGaW50LmMATDg2OQBSaW50NGRpdgAAWgAAAAVJ',
  'base64',
);

interface Seen {
  readonly type: string;
  readonly body: string | undefined;
  /** Where the message ends in the whole stream. */
  readonly end: number;
}

const wantsSome = (type: number): boolean =>
  type === BackendMessageType.CommandComplete || type === BackendMessageType.ReadyForQuery || type === BackendMessageType.ErrorResponse;

/** Frames `chunks` and also forwards each chunk in the slices the end offsets mark, as a relay would. */
function frame(chunks: readonly Buffer[], wantsBody: (type: number) => boolean = () => true): { seen: Seen[]; forwarded: Buffer } {
  const seen: Seen[] = [];
  const forwarded: Buffer[] = [];
  let chunkStart = 0;
  let current: Buffer = Buffer.alloc(0);
  let sliceFrom = 0;
  const framer = createBackendFramer({
    maxMessageBytes: 1 << 16,
    wantsBody,
    onMessage: (type, body, end) => {
      seen.push({ type: String.fromCharCode(type), body: body?.toString('hex'), end: chunkStart + end });
      forwarded.push(current.subarray(sliceFrom, end));
      sliceFrom = end;
    },
  });
  for (const chunk of chunks) {
    current = chunk;
    sliceFrom = 0;
    framer.push(chunk);
    forwarded.push(chunk.subarray(sliceFrom)); // the start of a message that ends in a later chunk
    chunkStart += chunk.length;
  }
  return { seen, forwarded: Buffer.concat(forwarded) };
}

function split(stream: Buffer, cuts: readonly number[]): Buffer[] {
  const points = [0, ...[...new Set(cuts)].sort((a, b) => a - b), stream.length];
  return points.slice(1).map((end, i) => Buffer.from(stream.subarray(points[i], end)));
}

const whole = frame([recorded]);

test('the recorded response frames into its messages, each ending where the next begins', () => {
  assert.equal(whole.seen.map((message) => message.type).join(''), 'TDDDDCCNCEZ');
  assert.equal(whole.seen.at(-1)?.end, recorded.length);
  let start = 0;
  for (const message of whole.seen) {
    assert.equal(recorded.readInt32BE(start + 1) + 1, message.end - start);
    start = message.end;
  }
  assert.deepEqual(whole.forwarded, recorded);
});

test('every split into two chunks, and one byte at a time, gives the same messages', () => {
  for (let cut = 0; cut <= recorded.length; cut++) {
    const result = frame(split(recorded, [cut]));
    assert.deepEqual(result.seen, whole.seen, `cut at ${cut}`);
    assert.deepEqual(result.forwarded, recorded);
  }
  const bytes = Array.from({ length: recorded.length }, (_, i) => i);
  assert.deepEqual(frame(split(recorded, bytes)).seen, whole.seen);
});

test('any chunking gives the same messages and forwards the same bytes', () => {
  fc.assert(
    fc.property(fc.array(fc.integer({ min: 0, max: recorded.length }), { maxLength: 40 }), (cuts) => {
      const result = frame(split(recorded, cuts), wantsSome);
      const expected = whole.seen.map((message) => ({ ...message, body: wantsSome(message.type.charCodeAt(0)) ? message.body : undefined }));
      assert.deepEqual(result.seen, expected);
      assert.deepEqual(result.forwarded, recorded);
    }),
  );
});

test('only the bodies asked for are handed out', () => {
  const { seen } = frame(split(recorded, [3, 100, 101, 300]), wantsSome);
  assert.deepEqual(seen.filter((message) => message.body !== undefined).map((message) => message.type), ['C', 'C', 'C', 'E', 'Z']);
});

test('a length beyond the limit or below four stops the framer for good', () => {
  const tooLong = Buffer.from([0x44, 0x00, 0x01, 0x00, 0x01]);
  const framer = createBackendFramer({ maxMessageBytes: 65_536, wantsBody: () => false, onMessage: () => undefined });
  assert.throws(() => { framer.push(tooLong); }, (error) => isUpstreamError(error, 'protocol') && /'D' \(DataRow\) message with length 65537; the limit is 65536/.test(error.message));
  assert.throws(() => { framer.push(Buffer.from('Z\0\0\0\x05I', 'latin1')); }, (error) => isUpstreamError(error, 'protocol'));

  for (const length of [3, 0, -1]) {
    const header = Buffer.alloc(5);
    header.write('Z', 'latin1');
    header.writeInt32BE(length, 1);
    const fresh = createBackendFramer({ maxMessageBytes: 65_536, wantsBody: () => true, onMessage: () => undefined });
    fresh.push(header.subarray(0, 2));
    assert.throws(() => { fresh.push(header.subarray(2)); }, (error) => isUpstreamError(error, 'protocol') && error.message.includes(`length ${length}`));
  }
});

test('the text of "Too many connections" is not mistaken for messages', () => {
  const framer = createBackendFramer({ maxMessageBytes: 1 << 24, wantsBody: () => true, onMessage: () => assert.fail('no message') });
  assert.throws(() => { framer.push(Buffer.from('Too many connections\n')); }, (error) => isUpstreamError(error, 'protocol'));
});

test('CommandComplete gives the tag and, for commands that count rows, the count', () => {
  const cases: [string, number | undefined][] = [
    ['SELECT 5', 5],
    ['INSERT 0 3', 3],
    ['UPDATE 2', 2],
    ['DELETE 0', 0],
    ['MERGE 7', 7],
    ['FETCH 10', 10],
    ['MOVE 1', 1],
    ['COPY 7', 7],
    ['CREATE TABLE', undefined],
    ['SET', undefined],
    ['BEGIN', undefined],
    ['SELECT', undefined],
  ];
  for (const [tag, rowCount] of cases) assert.deepEqual(decodeCommandComplete(Buffer.from(`${tag}\0`)), { tag, rowCount }, tag);
  assert.throws(() => decodeCommandComplete(Buffer.from('SELECT 1')), (error) => isUpstreamError(error, 'protocol'));
});

test('ReadyForQuery gives the transaction status', () => {
  assert.equal(decodeReadyForQuery(Buffer.from('I')), 'I');
  assert.equal(decodeReadyForQuery(Buffer.from('T')), 'T');
  assert.equal(decodeReadyForQuery(Buffer.from('E')), 'E');
  for (const bad of ['X', '', 'II']) assert.throws(() => decodeReadyForQuery(Buffer.from(bad)), (error) => isUpstreamError(error, 'protocol'));
});
