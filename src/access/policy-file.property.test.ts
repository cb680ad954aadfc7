// Property tests: malformed policy files never crash the reader; each is refused with located problems.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import fc from 'fast-check';
import { parse, stringify } from 'yaml';
import { isAppError } from '../shared/app-error.ts';
import { parsePolicyFile } from './policy-file.ts';
import { samplePolicyYaml } from './policy-fixtures.ts';
import type { PolicyProblem } from './policy-problems.ts';

/** Either a valid document, or AppError('invalid_input') whose problems each point inside the file. */
function assertReadOrRefused(source: string): void {
  try {
    parsePolicyFile(source, { fileName: 'fuzz.yaml' });
  } catch (error) {
    if (!isAppError(error, 'invalid_input')) throw error;
    const problems = error.details?.problems as PolicyProblem[] | undefined;
    assert.ok(problems !== undefined && problems.length >= 1, 'at least one problem');
    const lines = source.split('\n').length;
    for (const problem of problems) {
      assert.equal(problem.file, 'fuzz.yaml');
      assert.ok(problem.line >= 1 && problem.line <= lines + 1, `line ${problem.line} of ${lines}`);
      assert.ok(problem.column >= 1, `column ${problem.column}`);
      assert.ok(problem.message.length > 0 && problem.path.length > 0);
    }
    assert.ok(error.message.includes(`fuzz.yaml:${problems[0]?.line ?? 0}:${problems[0]?.column ?? 0}: `));
  }
}

type Json = null | boolean | number | string | Json[] | { [key: string]: Json };
const sample = parse(samplePolicyYaml) as Json;

/** Every path to a value of the sample document. */
function pathsOf(value: Json, prefix: (string | number)[] = []): (string | number)[][] {
  const here = [prefix];
  if (Array.isArray(value)) return [...here, ...value.flatMap((item, index) => pathsOf(item, [...prefix, index]))];
  if (value !== null && typeof value === 'object') return [...here, ...Object.entries(value).flatMap(([key, item]) => pathsOf(item, [...prefix, key]))];
  return here;
}
const samplePaths = pathsOf(sample).filter((path) => path.length > 0);

function replaced(value: Json, path: readonly (string | number)[], replacement: Json | undefined): Json {
  const [head, ...rest] = path;
  if (head === undefined) return replacement ?? null;
  if (Array.isArray(value)) return value.flatMap((item, index) => (index !== head ? [item] : rest.length === 0 && replacement === undefined ? [] : [replaced(item, rest, replacement)]));
  if (value !== null && typeof value === 'object') {
    const key = String(head);
    if (rest.length === 0 && replacement === undefined) return Object.fromEntries(Object.entries(value).filter(([name]) => name !== key));
    return { ...value, [key]: replaced(value[key] ?? null, rest, replacement) };
  }
  return value;
}

const odd: fc.Arbitrary<Json> = fc.oneof(
  fc.jsonValue() as fc.Arbitrary<Json>,
  fc.constantFrom<Json>('', ' ', '0m', '-1', 'two', 'env:', 'file:x', '../../etc/passwd', '\u0000', 'é'.repeat(300), 'x'.repeat(5000), 1e308, -1, 0, 1.5),
);

test('arbitrary text: read or refused with located problems, never a crash', () => {
  fc.assert(fc.property(fc.string({ unit: 'binary', maxLength: 400 }), assertReadOrRefused), { numRuns: 300 });
});

test('the sample with one value replaced or removed: read or refused, never a crash', () => {
  fc.assert(
    fc.property(fc.constantFrom(...samplePaths), fc.option(odd, { nil: undefined }), (path, replacement) => {
      assertReadOrRefused(stringify(replaced(sample, path, replacement)));
    }),
    { numRuns: 400 },
  );
});

test('the sample with several values replaced: every problem located', () => {
  fc.assert(
    fc.property(fc.array(fc.tuple(fc.constantFrom(...samplePaths), odd), { minLength: 2, maxLength: 6 }), (edits) => {
      const edited = edits.reduce<Json>((document, [path, value]) => replaced(document, path, value), sample);
      assertReadOrRefused(stringify(edited));
    }),
    { numRuns: 200 },
  );
});

test('the sample text with lines dropped, repeated or cut: read or refused, never a crash', () => {
  const lines = samplePolicyYaml.split('\n');
  fc.assert(
    fc.property(fc.nat({ max: lines.length - 1 }), fc.constantFrom('drop', 'repeat', 'cut', 'indent'), fc.nat({ max: 80 }), (index, edit, at) => {
      const line = lines[index] ?? '';
      const edited = {
        drop: [],
        repeat: [line, line],
        cut: [line.slice(0, at)],
        indent: [` ${line}`],
      }[edit];
      assertReadOrRefused([...lines.slice(0, index), ...edited, ...lines.slice(index + 1)].join('\n'));
    }),
    { numRuns: 300 },
  );
});
