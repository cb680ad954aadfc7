// Test helper: valid NDJSON event lines for feeding `writ log append` and the appending child scripts.

/** One valid application event; `tag` and `n` make it distinguishable. */
export function eventObject(tag: string, n: number): Record<string, unknown> {
  return {
    type: 'app.document.viewed',
    actor: { kind: 'user', id: `user-${String(n % 7)}`, name: `User ${String(n % 7)}` },
    targets: [{ kind: 'document', id: `${tag}-doc-${String(n)}` }],
    outcome: 'success',
    data: { tag, n },
  };
}

/** `count` event lines (each ending in a newline) numbered from `first`. */
export function eventLines(tag: string, count: number, first = 0): string {
  let text = '';
  for (let n = first; n < first + count; n++) text += `${JSON.stringify(eventObject(tag, n))}\n`;
  return text;
}
