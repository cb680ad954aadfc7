// Diff lines are classified for colouring; headers are not counted as changes.
import { expect, test } from 'vitest';
import { diffCounts, diffLines } from './policy-diff-lines.ts';

test('headers, hunks, additions, removals, context and notes', () => {
  const lines = diffLines('--- version 1\n+++ version 2\n@@ -1,3 +1,3 @@\n resources:\n-  - id: pg-dev\n+  - id: pg-dev2\n   kind: postgres\n(diff cut at 16,000 characters)\n');
  expect(lines.map((l) => l.kind)).toEqual(['file', 'file', 'hunk', 'context', 'removed', 'added', 'context', 'note']);
  expect(lines[4]?.text).toBe('-  - id: pg-dev');
  expect(diffCounts(lines)).toEqual({ added: 1, removed: 1 });
});

test('no diff, no lines', () => {
  expect(diffLines('')).toEqual([]);
  expect(diffCounts([])).toEqual({ added: 0, removed: 0 });
});
