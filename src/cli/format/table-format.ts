// Plain-text tables and label/value lists for the terminal, with every cell made safe and columns aligned.
import { clip, graphemes, safeText } from './terminal-text.ts';

/** Widest a cell may be before it is cut (reasons and comments can be long). */
const MAX_CELL = 60;

function cell(text: string): string {
  return clip(safeText(text), MAX_CELL);
}

function pad(text: string, width: number): string {
  return text + ' '.repeat(Math.max(0, width - graphemes(text).length));
}

/**
 * Formats rows under upper-case headers, columns two spaces apart, no trailing spaces.
 * @example formatTable(['id', 'status'], [['r1', 'pending']]) // 'ID  STATUS\nr1  pending\n'
 */
export function formatTable(headers: readonly string[], rows: readonly (readonly string[])[]): string {
  const lines = [headers.map((h) => h.toUpperCase()), ...rows.map((row) => headers.map((_, i) => cell(row[i] ?? '')))];
  const widths = headers.map((_, i) => Math.max(...lines.map((line) => graphemes(line[i] ?? '').length)));
  return lines.map((line) => line.map((text, i) => (i === line.length - 1 ? text : pad(text, widths[i] ?? 0))).join('  ').trimEnd()).join('\n') + '\n';
}

/**
 * Formats `label: value` lines with the values aligned; pairs with an undefined value are left out.
 * @example formatFields([['status', 'pending'], ['ticket', undefined]]) // 'status: pending\n'
 */
export function formatFields(pairs: readonly (readonly [string, string | undefined])[], indent = ''): string {
  const shown = pairs.filter((pair): pair is readonly [string, string] => pair[1] !== undefined);
  const width = Math.max(0, ...shown.map(([label]) => label.length + 1));
  return shown.map(([label, value]) => `${indent}${pad(`${label}:`, width)} ${safeText(value)}\n`).join('');
}

/** The line that tells how to get the next page, or nothing on the last page. */
export function formatMore(nextCursor: string | null): string {
  return nextCursor === null ? '' : `(more: add --cursor ${safeText(nextCursor)})\n`;
}
