import assert from 'node:assert/strict';
import { test } from 'node:test';
import { readLines, type Line } from './ndjson-lines.ts';

async function collect(chunks: string[], max: number): Promise<Line[]> {
  const lines: Line[] = [];
  for await (const line of readLines(chunks.map((c) => Buffer.from(c)), max)) lines.push(line);
  return lines;
}

test('splits lines across chunk boundaries and keeps a final unterminated line', async () => {
  const lines = await collect(['{"a"', ':1}\n{"b":2}\r\n', 'last'], 100);
  assert.deepEqual(
    lines.map((l) => (l.kind === 'line' ? l.bytes.toString() : `too-long ${l.byteCount}`)),
    ['{"a":1}', '{"b":2}', 'last'],
  );
  assert.deepEqual(lines.map((l) => l.lineNumber), [1, 2, 3]);
});

test('reports an over-long line without holding it, and goes on with the next', async () => {
  const big = 'x'.repeat(50);
  const lines = await collect([`ok\n${big}`, `${big}\nafter\n`], 60);
  assert.equal(lines.length, 3);
  assert.deepEqual(lines[1], { kind: 'too-long', lineNumber: 2, byteCount: 100 });
  const after = lines[2];
  assert.ok(after?.kind === 'line' && after.bytes.toString() === 'after');
});
