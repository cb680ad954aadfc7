// A readable unified-style line diff between two policy files (LCS), bounded in size, for the policy-applied event.

export interface PolicyDiffOptions {
  /** Past this many characters the diff stops with a note; default 16,000 (an event holds at most 64 KiB). */
  readonly maxChars?: number;
  /** Unchanged lines shown around each change; default 3. */
  readonly contextLines?: number;
  readonly oldName?: string;
  readonly newName?: string;
}

export interface PolicyDiff {
  /** Unified-style text (`---`, `+++`, `@@ -a,b +c,d @@`, ` `/`-`/`+` lines); empty when nothing changed. */
  readonly text: string;
  readonly addedLines: number;
  readonly removedLines: number;
  readonly truncated: boolean;
}

type Op = { readonly kind: ' ' | '-' | '+'; readonly line: string };

/** Above this many LCS cells (old × new changed lines) the changed middle is shown as removed then added. */
const MAX_LCS_CELLS = 4_000_000;
const MAX_LINE_CHARS = 500;

function splitLines(text: string): string[] {
  if (text === '') return [];
  const lines = text.replace(/\r\n/g, '\n').split('\n');
  if (lines.at(-1) === '') lines.pop();
  return lines;
}

/** The edit script of the middle part by longest common subsequence (dynamic programming, O(n·m)). */
function lcsOps(before: readonly string[], after: readonly string[]): Op[] {
  const n = before.length;
  const m = after.length;
  if (n * m > MAX_LCS_CELLS) return [...before.map((line) => ({ kind: '-' as const, line })), ...after.map((line) => ({ kind: '+' as const, line }))];
  const width = m + 1;
  const table = new Uint32Array((n + 1) * width);
  for (let i = n - 1; i >= 0; i -= 1) {
    for (let j = m - 1; j >= 0; j -= 1) {
      table[i * width + j] = before[i] === after[j] ? (table[(i + 1) * width + j + 1] ?? 0) + 1 : Math.max(table[(i + 1) * width + j] ?? 0, table[i * width + j + 1] ?? 0);
    }
  }
  const ops: Op[] = [];
  let i = 0;
  let j = 0;
  while (i < n || j < m) {
    if (i < n && j < m && before[i] === after[j]) {
      ops.push({ kind: ' ', line: before[i] ?? '' });
      i += 1;
      j += 1;
    } else if (i < n && (j === m || (table[(i + 1) * width + j] ?? 0) >= (table[i * width + j + 1] ?? 0))) {
      ops.push({ kind: '-', line: before[i] ?? '' });
      i += 1;
    } else {
      ops.push({ kind: '+', line: after[j] ?? '' });
      j += 1;
    }
  }
  return ops;
}

function editScript(before: readonly string[], after: readonly string[]): Op[] {
  let prefix = 0;
  while (prefix < before.length && prefix < after.length && before[prefix] === after[prefix]) prefix += 1;
  let suffix = 0;
  while (suffix < before.length - prefix && suffix < after.length - prefix && before[before.length - 1 - suffix] === after[after.length - 1 - suffix]) suffix += 1;
  const same = (lines: readonly string[]): Op[] => lines.map((line) => ({ kind: ' ', line }));
  return [
    ...same(before.slice(0, prefix)),
    ...lcsOps(before.slice(prefix, before.length - suffix), after.slice(prefix, after.length - suffix)),
    ...same(before.slice(before.length - suffix)),
  ];
}

/** Groups changes with `context` lines around them into hunks: [start, end) ranges over the ops. */
function hunkRanges(ops: readonly Op[], context: number): [number, number][] {
  const ranges: [number, number][] = [];
  ops.forEach((op, index) => {
    if (op.kind === ' ') return;
    const start = Math.max(0, index - context);
    const end = Math.min(ops.length, index + context + 1);
    const last = ranges.at(-1);
    if (last !== undefined && start <= last[1]) last[1] = Math.max(last[1], end);
    else ranges.push([start, end]);
  });
  return ranges;
}

function hunkLines(ops: readonly Op[], [start, end]: [number, number]): string[] {
  let oldLine = 1;
  let newLine = 1;
  for (const op of ops.slice(0, start)) {
    if (op.kind !== '+') oldLine += 1;
    if (op.kind !== '-') newLine += 1;
  }
  const body = ops.slice(start, end);
  const oldCount = body.filter((op) => op.kind !== '+').length;
  const newCount = body.filter((op) => op.kind !== '-').length;
  const header = `@@ -${oldCount === 0 ? oldLine - 1 : oldLine},${oldCount} +${newCount === 0 ? newLine - 1 : newLine},${newCount} @@`;
  const clip = (line: string): string => (line.length > MAX_LINE_CHARS ? `${line.slice(0, MAX_LINE_CHARS)}…` : line);
  return [header, ...body.map((op) => `${op.kind}${clip(op.line)}`)];
}

/**
 * The line diff from `oldText` to `newText` (pass '' for the first version), at most `maxChars` long plus
 * a note saying how many lines were left out.
 * @example diffPolicies('a\nb\n', 'a\nc\n').text // '--- old\n+++ new\n@@ -1,2 +1,2 @@\n a\n-b\n+c\n'
 */
export function diffPolicies(oldText: string, newText: string, options: PolicyDiffOptions = {}): PolicyDiff {
  const maxChars = options.maxChars ?? 16_000;
  const ops = editScript(splitLines(oldText), splitLines(newText));
  const addedLines = ops.filter((op) => op.kind === '+').length;
  const removedLines = ops.filter((op) => op.kind === '-').length;
  if (addedLines + removedLines === 0) return { text: '', addedLines, removedLines, truncated: false };
  const lines = [`--- ${options.oldName ?? 'old'}`, `+++ ${options.newName ?? 'new'}`];
  for (const range of hunkRanges(ops, options.contextLines ?? 3)) lines.push(...hunkLines(ops, range));
  let text = '';
  for (let index = 0; index < lines.length; index += 1) {
    const line = `${lines[index] ?? ''}\n`;
    if (text.length + line.length > maxChars) {
      return { text: `${text}… diff truncated: ${lines.length - index} more lines\n`, addedLines, removedLines, truncated: true };
    }
    text += line;
  }
  return { text, addedLines, removedLines, truncated: false };
}
