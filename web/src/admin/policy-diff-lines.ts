// A policy diff (the API's unified-style text) as lines to colour: file headers, hunks, added, removed, unchanged, notes.

export type DiffLineKind = 'file' | 'hunk' | 'added' | 'removed' | 'context' | 'note';

export interface DiffLine {
  readonly kind: DiffLineKind;
  readonly text: string;
}

/**
 * @example diffLines('--- version 1\n+++ version 2\n@@ -1 +1 @@\n-a\n+b\n') // [{ kind: 'file', … }, …, { kind: 'added', text: '+b' }]
 */
export function diffLines(diff: string): DiffLine[] {
  if (diff === '') return [];
  const lines = diff.replace(/\r\n/g, '\n').split('\n');
  if (lines.at(-1) === '') lines.pop();
  return lines.map((text) => ({ kind: kindOf(text), text }));
}

function kindOf(text: string): DiffLineKind {
  if (text.startsWith('--- ') || text.startsWith('+++ ')) return 'file';
  if (text.startsWith('@@')) return 'hunk';
  if (text.startsWith('+')) return 'added';
  if (text.startsWith('-')) return 'removed';
  if (text.startsWith(' ') || text === '') return 'context';
  return 'note';
}

/** How many lines were added and removed. */
export function diffCounts(lines: readonly DiffLine[]): { added: number; removed: number } {
  return { added: lines.filter((l) => l.kind === 'added').length, removed: lines.filter((l) => l.kind === 'removed').length };
}
