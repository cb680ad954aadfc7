// Free-form JSON objects with hard bounds (depth, keys, string and array sizes), for data Writ does not know the shape of.
import { z } from 'zod';
import type { JsonPath } from './json-path.ts';

export type JsonValue = null | boolean | number | string | JsonValue[] | { [key: string]: JsonValue };
export type JsonObject = { [key: string]: JsonValue };

export interface JsonBounds {
  /** Nesting of objects and arrays; the outer object is depth 1. */
  readonly maxDepth: number;
  readonly maxKeysPerObject: number;
  readonly maxItemsPerArray: number;
  /** UTF-8 bytes of one string value. */
  readonly maxStringBytes: number;
  /** UTF-16 code units of one key. */
  readonly maxKeyLength: number;
}

export interface JsonViolation {
  readonly path: JsonPath;
  readonly message: string;
}

/** True for `{}`-like objects: not arrays, dates, maps or class instances. */
export function isPlainObject(value: unknown): value is Record<string, unknown> {
  if (value === null || typeof value !== 'object' || Array.isArray(value)) return false;
  const prototype: unknown = Object.getPrototypeOf(value);
  return prototype === Object.prototype || prototype === null;
}

/**
 * The first way `value` is not a JSON object within `bounds`, or undefined when it is one.
 * Depth is checked before descending, so hostile nesting costs nothing.
 * @example findJsonViolation({ a: [1, 2] }, { maxDepth: 1, ... }) // { path: ['a'], message: 'nested deeper than 1 levels' }
 */
export function findJsonViolation(value: unknown, bounds: JsonBounds): JsonViolation | undefined {
  if (!isPlainObject(value)) return { path: [], message: 'expected a JSON object' };
  const path: PropertyKey[] = [];
  const message = checkValue(value, bounds, 1, path);
  return message === undefined ? undefined : { path, message };
}

function checkValue(value: unknown, bounds: JsonBounds, depth: number, path: PropertyKey[]): string | undefined {
  switch (typeof value) {
    case 'boolean':
      return undefined;
    case 'number':
      return Number.isFinite(value) ? undefined : `${String(value)} is not a JSON number`;
    case 'string':
      return stringTooLong(value, bounds.maxStringBytes) ? `text is over ${bounds.maxStringBytes} bytes` : undefined;
    case 'object':
      if (value === null) return undefined;
      if (depth > bounds.maxDepth) return `nested deeper than ${bounds.maxDepth} levels`;
      if (Array.isArray(value)) return checkArray(value, bounds, depth, path);
      if (!isPlainObject(value)) return 'expected JSON (an object, array, string, number, boolean or null)';
      return checkObject(value, bounds, depth, path);
    default:
      return `a ${typeof value} is not JSON`;
  }
}

function checkArray(items: readonly unknown[], bounds: JsonBounds, depth: number, path: PropertyKey[]): string | undefined {
  if (items.length > bounds.maxItemsPerArray) return `has ${items.length} items; at most ${bounds.maxItemsPerArray} are allowed`;
  for (let index = 0; index < items.length; index += 1) {
    const problem = checkValue(items[index], bounds, depth + 1, path);
    if (problem !== undefined) {
      path.unshift(index);
      return problem;
    }
  }
  return undefined;
}

function checkObject(record: Record<string, unknown>, bounds: JsonBounds, depth: number, path: PropertyKey[]): string | undefined {
  const keys = Object.keys(record);
  if (keys.length > bounds.maxKeysPerObject) return `has ${keys.length} keys; at most ${bounds.maxKeysPerObject} are allowed`;
  for (const key of keys) {
    if (key.length > bounds.maxKeyLength) {
      return `a key of ${key.length} characters is over the ${bounds.maxKeyLength}-character limit`;
    }
    const problem = checkValue(record[key], bounds, depth + 1, path);
    if (problem !== undefined) {
      path.unshift(key);
      return problem;
    }
  }
  return undefined;
}

function stringTooLong(text: string, maxBytes: number): boolean {
  if (text.length * 3 <= maxBytes) return false; // a UTF-16 code unit never takes more than 3 UTF-8 bytes
  if (text.length > maxBytes) return true; // nor fewer than 1
  return Buffer.byteLength(text, 'utf8') > maxBytes;
}

/**
 * A zod schema for a JSON object within `bounds`; the issue names the offending path.
 * @example boundedJsonObject(appDataBounds).parse({ n: 1 }) // { n: 1 }
 */
export function boundedJsonObject(bounds: JsonBounds): z.ZodType<JsonObject> {
  return z.custom<JsonObject>().superRefine((value, context) => {
    const violation = findJsonViolation(value, bounds);
    if (violation !== undefined) context.addIssue({ code: 'custom', message: violation.message, path: [...violation.path] });
  });
}
