// Finds where a field path lies in a parsed YAML document, as 1-based line and column.
import { isAlias, isMap, isScalar, isSeq, type Document, type LineCounter, type Node } from 'yaml';

export interface SourcePosition {
  readonly line: number;
  readonly column: number;
}

function keyText(key: unknown): string {
  return isScalar(key) ? String(key.value) : String(key);
}

function asNode(document: Document, value: unknown): Node | undefined {
  if (isAlias(value)) return value.resolve(document) ?? undefined;
  return isMap(value) || isSeq(value) || isScalar(value) ? value : undefined;
}

/** The deepest node along `path`, and the key node of the last mapping step taken. */
function walk(document: Document, path: readonly PropertyKey[]): { node: Node | undefined; key: Node | undefined; complete: boolean } {
  let node = asNode(document, document.contents);
  let key: Node | undefined;
  for (const segment of path) {
    if (isMap(node)) {
      const pair = node.items.find((item) => keyText(item.key) === String(segment));
      if (pair === undefined) return { node, key, complete: false };
      key = asNode(document, pair.key);
      node = asNode(document, pair.value) ?? key;
    } else if (isSeq(node) && typeof segment === 'number' && segment < node.items.length) {
      node = asNode(document, node.items[segment]) ?? node;
      key = undefined;
    } else {
      return { node, key, complete: false };
    }
  }
  return { node, key, complete: true };
}

/**
 * Where the value (or, with `at: 'key'`, the key) at `path` starts; the nearest existing parent when the
 * path goes further than the document does; line 1, column 1 for an empty document.
 * @example locateYamlPath(document, lineCounter, ['policies', 0, 'name']) // { line: 12, column: 11 }
 */
export function locateYamlPath(
  document: Document,
  lineCounter: LineCounter,
  path: readonly PropertyKey[],
  at: 'key' | 'value' = 'value',
): SourcePosition {
  const found = walk(document, path);
  const target = found.complete && at === 'key' && found.key !== undefined ? found.key : found.node;
  const offset = target?.range?.[0] ?? 0;
  const position = lineCounter.linePos(offset);
  return { line: position.line, column: position.col };
}
