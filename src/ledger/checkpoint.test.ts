import assert from 'node:assert/strict';
import { test } from 'node:test';
import fc from 'fast-check';
import { isAppError } from '../shared/app-error.ts';
import { formatCheckpoint, parseCheckpoint, parseDecimal } from './checkpoint.ts';
import type { Checkpoint } from './checkpoint.ts';
import { containsControlCharacter } from './signed-note.ts';

const ROOT = 'NGxrnLicS3b6ydyyDNqG46AcCldBfBOQKOrNRTj96Vs=';
const invalid = (e: unknown): boolean => isAppError(e, 'invalid_input');

test('formats and parses the C2SP checkpoint layout', () => {
  const checkpoint: Checkpoint = { origin: 'audit.example.com/writ', size: 1000, rootHash: Buffer.from(ROOT, 'base64'), extensions: [] };
  const text = formatCheckpoint(checkpoint);
  assert.equal(text, `audit.example.com/writ\n1000\n${ROOT}\n`);
  assert.deepEqual(parseCheckpoint(text), checkpoint);
  const extended = formatCheckpoint({ ...checkpoint, size: 0, extensions: ['ext one', 'ext two'] });
  assert.equal(extended, `audit.example.com/writ\n0\n${ROOT}\next one\next two\n`);
  assert.deepEqual(parseCheckpoint(extended).extensions, ['ext one', 'ext two']);
});

test('property: format then parse is the identity', () => {
  const line = fc.string({ minLength: 1, maxLength: 40 }).filter((s) => !containsControlCharacter(s));
  fc.assert(
    fc.property(line, fc.nat({ max: Number.MAX_SAFE_INTEGER }), fc.uint8Array({ minLength: 32, maxLength: 32 }), fc.array(line, { maxLength: 3 }), (origin, size, rootHash, extensions) => {
      const parsed = parseCheckpoint(formatCheckpoint({ origin, size, rootHash, extensions }));
      assert.deepEqual({ ...parsed, rootHash: Uint8Array.from(parsed.rootHash) }, { origin, size, rootHash, extensions });
    }),
    { numRuns: 200 },
  );
});

test('parsing is strict', () => {
  const bad = [
    `o\n1000\n${ROOT}`,
    `\n1000\n${ROOT}\n`,
    `o\n01000\n${ROOT}\n`,
    `o\n+1000\n${ROOT}\n`,
    `o\n1e3\n${ROOT}\n`,
    `o\n 1000\n${ROOT}\n`,
    `o\n9007199254740992\n${ROOT}\n`,
    `o\n99999999999999999999\n${ROOT}\n`,
    `o\n1000\n${ROOT.slice(0, -4)}\n`,
    `o\n1000\n${ROOT.replace('=', '')}\n`,
    `o\n1000\nAAAA\n`,
    `o\n1000\n${ROOT}\n\n`,
    `o\n1000\n${ROOT}\nx\r\n`,
    `o\n1000\n`,
    '',
  ];
  for (const text of bad) assert.throws(() => parseCheckpoint(text), invalid, JSON.stringify(text));
  assert.equal(parseCheckpoint(`o\n9007199254740991\n${ROOT}\n`).size, Number.MAX_SAFE_INTEGER);
  assert.equal(parseDecimal('0'), 0);
  assert.equal(parseDecimal('00'), undefined);
  assert.equal(parseDecimal('-1'), undefined);
});

test('formatting refuses what could not be parsed back', () => {
  const good: Checkpoint = { origin: 'o', size: 1, rootHash: new Uint8Array(32), extensions: [] };
  const bad: Checkpoint[] = [
    { ...good, origin: '' },
    { ...good, origin: 'a\nb' },
    { ...good, size: -1 },
    { ...good, size: 1.5 },
    { ...good, size: 2 ** 53 },
    { ...good, rootHash: new Uint8Array(31) },
    { ...good, extensions: [''] },
    { ...good, extensions: ['a\nb'] },
  ];
  for (const c of bad) assert.throws(() => formatCheckpoint(c), invalid);
});
