import assert from 'node:assert/strict';
import { test } from 'node:test';
import { isAppError } from '../shared/app-error.ts';
import { MAX_EVENT_LINE_BYTES, parseEventLine } from './event-parsing.ts';

test('a line of UTF-8 JSON is parsed, from bytes or from text', () => {
  const line = '{"type":"app.document.viewed","actor":{"kind":"user","id":"zoë"}}';
  assert.deepEqual(parseEventLine(Buffer.from(line)), JSON.parse(line));
  assert.deepEqual(parseEventLine(new TextEncoder().encode(line)), JSON.parse(line));
  assert.deepEqual(parseEventLine(line), JSON.parse(line));
});

test('a 10 MB line is refused for its size before it is decoded or parsed', () => {
  const bytes = Buffer.alloc(10 * 1024 * 1024, 0x7b); // "{{{{…": would fail as JSON, and 0xff would fail as UTF-8
  bytes[0] = 0xff;
  assert.throws(
    () => parseEventLine(bytes),
    (e) => isAppError(e, 'event_too_large') && e.message === `event of ${bytes.length} bytes is over the ${MAX_EVENT_LINE_BYTES}-byte limit`,
  );
  assert.throws(() => parseEventLine('['.repeat(10 * 1024 * 1024)), (e) => isAppError(e, 'event_too_large'));
  assert.throws(() => parseEventLine('"é"', 3), (e) => isAppError(e, 'event_too_large') && /4 bytes/.test(e.message));
});

test('invalid UTF-8 is refused', () => {
  const samples = [
    [0x7b, 0x22, 0xff, 0x22, 0x7d], // a byte that never occurs in UTF-8
    [0x22, 0xc0, 0xaf, 0x22], // overlong "/"
    [0x22, 0xed, 0xa0, 0x80, 0x22], // an encoded surrogate
    [0x22, 0xe2, 0x82, 0x22], // a truncated sequence
  ];
  for (const sample of samples) {
    assert.throws(
      () => parseEventLine(Uint8Array.from(sample)),
      (e) => isAppError(e, 'invalid_event') && e.message.startsWith('the event is not valid UTF-8'),
    );
  }
});

test('malformed JSON is refused with the parser message', () => {
  for (const line of ['{"type":', '', '{"a":1}}', "{'a':1}"]) {
    assert.throws(() => parseEventLine(line), (e) => isAppError(e, 'invalid_event') && /^malformed JSON: .+/.test(e.message));
  }
});
