import assert from 'node:assert/strict';
import { test } from 'node:test';
import fc from 'fast-check';
import { findJsonViolation, type JsonBounds } from './bounded-json.ts';

const bounds: JsonBounds = { maxDepth: 3, maxKeysPerObject: 4, maxItemsPerArray: 5, maxStringBytes: 6, maxKeyLength: 7 };

test('values within bounds pass; the first violation is reported with its path', () => {
  assert.equal(findJsonViolation({ a: [1, { b: 'ééé' }], c: null, d: true }, bounds), undefined);
  assert.equal(findJsonViolation({ a: [[1]] }, bounds), undefined);
  const cases: [unknown, { path: PropertyKey[]; message: RegExp }][] = [
    [{ a: [[[1]]] }, { path: ['a', 0, 0], message: /nested deeper than 3 levels/ }],
    [{ a: 1, b: 2, c: 3, d: 4, e: 5 }, { path: [], message: /has 5 keys; at most 4/ }],
    [{ a: [1, 2, 3, 4, 5, 6] }, { path: ['a'], message: /has 6 items; at most 5/ }],
    [{ a: { b: 'éééé' } }, { path: ['a', 'b'], message: /text is over 6 bytes/ }],
    [{ longerkey: 1 }, { path: [], message: /a key of 9 characters/ }],
    [{ a: [0, -0, Number.NaN] }, { path: ['a', 2], message: /NaN is not a JSON number/ }],
    [{ a: undefined }, { path: ['a'], message: /a undefined is not JSON/ }],
    [{ a: new Map() }, { path: ['a'], message: /expected JSON/ }],
    [null, { path: [], message: /expected a JSON object/ }],
  ];
  for (const [value, expected] of cases) {
    const violation = findJsonViolation(value, bounds);
    assert.ok(violation !== undefined, JSON.stringify(value));
    assert.deepEqual(violation.path, expected.path);
    assert.match(violation.message, expected.message);
  }
});

test('property: any parsed JSON object within generous bounds passes', () => {
  const generous: JsonBounds = { maxDepth: 10, maxKeysPerObject: 1000, maxItemsPerArray: 1000, maxStringBytes: 1 << 20, maxKeyLength: 1000 };
  fc.assert(
    fc.property(fc.dictionary(fc.string(), fc.jsonValue({ maxDepth: 5 })), (value) => {
      assert.equal(findJsonViolation(JSON.parse(JSON.stringify(value)), generous), undefined);
    }),
  );
});
