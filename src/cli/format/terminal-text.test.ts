import assert from 'node:assert/strict';
import { test } from 'node:test';
import { clip, graphemes, safeLines, safeText } from './terminal-text.ts';

test('escapes control, C1 and bidi-override characters and keeps the rest', () => {
  assert.equal(safeText('ok\u001b]0;title\u0007 \r\u009b \u202e'), 'ok\\u{1b}]0;title\\u{7} \\u{d}\\u{9b} \\u{202e}');
  assert.equal(safeText('Zoë 東京 ✓'), 'Zoë 東京 ✓');
  assert.equal(safeLines('a\u001b\nb'), 'a\\u{1b}\nb');
});

test('clips with an ellipsis and counts user-perceived characters', () => {
  assert.equal(clip('abcdef', 4), 'abc…');
  assert.equal(clip('abc', 4), 'abc');
  assert.equal(graphemes('e\u0301👍🏽').length, 2);
});
