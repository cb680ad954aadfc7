// RFC 8785 JSON Canonicalization Scheme (JCS): one exact byte sequence per JSON value, for hashing and signing.
import { AppError } from '../shared/app-error.ts';
import { formatJsonPath } from './json-path.ts';

/** A failure deep inside a value; container frames prepend their key on the way out. */
class CanonicalFailure extends Error {
  readonly path: PropertyKey[] = [];
  constructor(
    message: string,
    readonly tooDeep = false,
  ) {
    super(message);
  }
}

/** Deeper than any event can be; past it we look for a cycle (only then, so valid values pay nothing). */
const MAX_NESTING = 256;

const SHORT_ESCAPES: Readonly<Record<number, string>> = {
  0x08: '\\b',
  0x09: '\\t',
  0x0a: '\\n',
  0x0c: '\\f',
  0x0d: '\\r',
  0x22: '\\"',
  0x5c: '\\\\',
};

/** Any code unit outside printable ASCII-and-beyond: controls, `"`, `\\` and surrogate halves (checked in the slow path). */
const NEEDS_CARE = /[^\u0020\u0021\u0023-\u005b\u005d-\ud7ff\ue000-\uffff]/;

/**
 * The RFC 8785 canonical JSON text of `value`: object keys sorted by UTF-16 code units, no whitespace,
 * numbers as ECMAScript prints them, only the escapes §3.2.2.2 requires. Object members whose value is
 * `undefined` are left out (as JSON.stringify does); everything that is not JSON throws
 * AppError('invalid_input') naming the path: non-finite numbers, bigint, functions, symbols,
 * `undefined` in arrays, lone surrogates, cycles and objects other than plain objects and arrays.
 * @example canonicalize({ b: [1e30, 4.5], a: 'é' }) // '{"a":"é","b":[1e+30,4.5]}'
 */
export function canonicalize(value: unknown): string {
  try {
    return serialize(value, 0);
  } catch (error) {
    if (!(error instanceof CanonicalFailure)) throw error;
    const cycle = error.tooDeep ? findCycle(value, new Set(), []) : undefined;
    const path = cycle ?? error.path;
    const where = formatJsonPath(path.slice(0, 16), 'the value') + (path.length > 16 ? '…' : '');
    const reason = cycle === undefined ? error.message : 'the value contains itself (a cycle)';
    throw new AppError('invalid_input', `${where}: ${reason}`, { details: { path: path.map(String) } });
  }
}

/**
 * The UTF-8 bytes of {@link canonicalize}: what is hashed, signed and stored.
 * @example canonicalBytes({ a: 1 }) // Uint8Array [0x7b, 0x22, 0x61, 0x22, 0x3a, 0x31, 0x7d]
 */
export function canonicalBytes(value: unknown): Uint8Array {
  return Buffer.from(canonicalize(value), 'utf8');
}

function serialize(value: unknown, depth: number): string {
  switch (typeof value) {
    case 'string':
      return quote(value);
    case 'number':
      if (!Number.isFinite(value)) throw new CanonicalFailure(`${String(value)} is not a JSON number`);
      return String(value); // ECMAScript Number::toString, as RFC 8785 §3.2.2.3 requires; -0 prints as 0
    case 'boolean':
      return value ? 'true' : 'false';
    case 'object':
      if (value === null) return 'null';
      if (depth >= MAX_NESTING) throw new CanonicalFailure(`nested deeper than ${MAX_NESTING} levels`, true);
      return Array.isArray(value) ? serializeArray(value, depth + 1) : serializeObject(value, depth + 1);
    case 'undefined':
      throw new CanonicalFailure('undefined is not JSON');
    default:
      throw new CanonicalFailure(`a ${typeof value} is not JSON`);
  }
}

function serializeArray(items: readonly unknown[], depth: number): string {
  let out = '[';
  for (let index = 0; index < items.length; index += 1) {
    const item: unknown = items[index];
    try {
      out += (index === 0 ? '' : ',') + serialize(item, depth);
    } catch (error) {
      if (error instanceof CanonicalFailure) error.path.unshift(index);
      throw error;
    }
  }
  return `${out}]`;
}

function serializeObject(value: object, depth: number): string {
  const prototype: unknown = Object.getPrototypeOf(value);
  if (prototype !== Object.prototype && prototype !== null) {
    throw new CanonicalFailure(`${Object.prototype.toString.call(value)} is not JSON; use a plain object`);
  }
  const record = value as Record<string, unknown>;
  const keys = sortKeys(Object.keys(record));
  let out = '{';
  let first = true;
  for (const key of keys) {
    const member = record[key];
    if (member === undefined) continue;
    try {
      out += `${first ? '' : ','}${quote(key)}:${serialize(member, depth)}`;
    } catch (error) {
      if (error instanceof CanonicalFailure) error.path.unshift(key);
      throw error;
    }
    first = false;
  }
  return `${out}}`;
}

/** The path to the first object that contains itself, if any. */
function findCycle(value: unknown, ancestors: Set<object>, path: PropertyKey[]): PropertyKey[] | undefined {
  if (value === null || typeof value !== 'object') return undefined;
  if (ancestors.has(value)) return path;
  ancestors.add(value);
  for (const [key, member] of Object.entries(value)) {
    const found = findCycle(member, ancestors, [...path, Array.isArray(value) ? Number(key) : key]);
    if (found !== undefined) return found;
  }
  ancestors.delete(value);
  return undefined;
}

/**
 * Sorts keys by UTF-16 code units (RFC 8785 §3.2.3): `<` on strings and the default sort both compare
 * code units. Insertion sort is several times faster than Array.prototype.sort for the few keys of an event.
 */
function sortKeys(keys: string[]): string[] {
  if (keys.length > 16) return keys.sort();
  for (let index = 1; index < keys.length; index += 1) {
    const key = keys[index] as string;
    let at = index - 1;
    for (; at >= 0 && (keys[at] as string) > key; at -= 1) keys[at + 1] = keys[at] as string;
    keys[at + 1] = key;
  }
  return keys;
}

/** A JSON string with only the escapes RFC 8785 §3.2.2.2 asks for; everything else is written as is. */
function quote(text: string): string {
  if (!NEEDS_CARE.test(text)) return `"${text}"`;
  let out = '"';
  let start = 0;
  for (let index = 0; index < text.length; index += 1) {
    const code = text.charCodeAt(index);
    if (code >= 0xd800 && code <= 0xdfff) {
      const next = text.charCodeAt(index + 1);
      if (code <= 0xdbff && next >= 0xdc00 && next <= 0xdfff) {
        index += 1;
        continue;
      }
      throw new CanonicalFailure(`text has a lone surrogate U+${code.toString(16).toUpperCase()}, which UTF-8 cannot encode`);
    }
    if (code >= 0x20 && code !== 0x22 && code !== 0x5c) continue;
    out += text.slice(start, index) + (SHORT_ESCAPES[code] ?? `\\u00${code.toString(16).padStart(2, '0')}`);
    start = index + 1;
  }
  return `${out}${text.slice(start)}"`;
}
