import assert from 'node:assert/strict';
import { test } from 'node:test';
import { formatFields, formatMore, formatTable } from './table-format.ts';

test('aligns columns under upper-case headers without trailing spaces', () => {
  const text = formatTable(['id', 'status', 'reason'], [['req-1', 'pending', 'fix it'], ['r2', 'approved', '']]);
  assert.equal(text, 'ID     STATUS    REASON\nreq-1  pending   fix it\nr2     approved\n');
});

test('cuts long cells and shows control characters instead of obeying them', () => {
  const text = formatTable(['reason'], [['x'.repeat(100)], ['evil\u001b[2Jclear']]);
  const [, long, evil] = text.split('\n');
  assert.equal(long?.length, 60);
  assert.match(long, /…$/);
  assert.equal(evil, 'evil\\u{1b}[2Jclear');
});

test('lists label/value pairs aligned, leaving out undefined values', () => {
  assert.equal(formatFields([['status', 'pending'], ['ticket', undefined], ['reason', 'a\nb']]), 'status: pending\nreason: a\\u{a}b\n');
});

test('tells how to get the next page only when there is one', () => {
  assert.equal(formatMore(null), '');
  assert.equal(formatMore('abc'), '(more: add --cursor abc)\n');
});
