// Tests for the policy diff: unified-style text, exact line counts, reconstruction, and the size bound.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import fc from 'fast-check';
import { diffPolicies } from './policy-diff.ts';

test('nothing changed: an empty diff', () => {
  assert.deepEqual(diffPolicies('a\nb\n', 'a\nb\n'), { text: '', addedLines: 0, removedLines: 0, truncated: false });
  assert.equal(diffPolicies('a\r\nb\r\n', 'a\nb\n').text, '', 'line endings do not count');
});

test('a changed line, with context and hunk header', () => {
  assert.equal(diffPolicies('a\nb\nc\n', 'a\nB\nc\n').text, '--- old\n+++ new\n@@ -1,3 +1,3 @@\n a\n-b\n+B\n c\n');
});

test('the first version is all additions; names can be given', () => {
  const diff = diffPolicies('', 'version: 1\npolicies: []\n', { oldName: 'version 0', newName: 'version 1' });
  assert.equal(diff.text, '--- version 0\n+++ version 1\n@@ -0,0 +1,2 @@\n+version: 1\n+policies: []\n');
  assert.equal(diff.addedLines, 2);
});

test('distant changes make separate hunks', () => {
  const before = Array.from({ length: 30 }, (_, index) => `line ${index + 1}`);
  const after = before.map((line, index) => (index === 2 || index === 25 ? `${line} changed` : line));
  const text = diffPolicies(before.join('\n'), after.join('\n')).text;
  assert.deepEqual(text.split('\n').filter((line) => line.startsWith('@@')), ['@@ -1,6 +1,6 @@', '@@ -23,7 +23,7 @@']);
});

test('a diff past the limit is cut with a note', () => {
  const before = Array.from({ length: 2000 }, (_, index) => `old ${index}`).join('\n');
  const after = Array.from({ length: 2000 }, (_, index) => `new ${index}`).join('\n');
  const diff = diffPolicies(before, after, { maxChars: 1000 });
  assert.equal(diff.truncated, true);
  assert.ok(diff.text.length < 1100, String(diff.text.length));
  assert.match(diff.text, /… diff truncated: \d+ more lines\n$/);
  assert.equal(diff.removedLines, 2000);
});

test('large files with many changes are diffed past the LCS bound (changed middle as removed then added)', () => {
  const before = Array.from({ length: 5000 }, (_, index) => `a ${index}`).join('\n');
  const after = Array.from({ length: 5000 }, (_, index) => `b ${index}`).join('\n');
  const diff = diffPolicies(before, after);
  assert.equal(diff.addedLines + diff.removedLines, 10_000);
});

const lines = fc.array(fc.constantFrom('a', 'b', 'c', 'version: 1', '  - x', ''), { maxLength: 30 });

test('property: the diff with all context rebuilds both texts, and counts are exact', () => {
  fc.assert(
    fc.property(lines, lines, (before, after) => {
      const oldText = before.map((line) => `${line}\n`).join('');
      const newText = after.map((line) => `${line}\n`).join('');
      const diff = diffPolicies(oldText, newText, { contextLines: 1_000_000, maxChars: 1_000_000 });
      if (diff.text === '') {
        assert.equal(oldText, newText);
        return;
      }
      const body = diff.text.split('\n').slice(3, -1);
      assert.deepEqual(body.filter((line) => !line.startsWith('+')).map((line) => line.slice(1)), before);
      assert.deepEqual(body.filter((line) => !line.startsWith('-')).map((line) => line.slice(1)), after);
      assert.equal(before.length - diff.removedLines + diff.addedLines, after.length);
    }),
  );
});
