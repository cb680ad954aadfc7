import assert from 'node:assert/strict';
import { test } from 'node:test';
import fc from 'fast-check';
import { isAppError } from '../shared/app-error.ts';
import { canonicalBytes, canonicalize } from './canonical-json.ts';

// RFC 8785 §3.2.2 and the reference implementation's testdata/values.json.
test('RFC 8785 sample: numbers, escaping and literals', () => {
  const input = String.raw`{
    "numbers": [1E30, 4.50, 333333333.33333329, 2e-3, 0.000000000000000000000000001],
    "escaping": "\u20ac$\u000F\u000aA'\u0042\u0022\u005c\\\"\/",
    "literals": [null, true, false]
  }`;
  const expected = String.raw`{"escaping":"€$\u000f\nA'B\"\\\\\"/","literals":[null,true,false],"numbers":[1e+30,4.5,333333333.3333333,0.002,1e-27]}`;
  assert.equal(canonicalize(JSON.parse(input)), expected);
});

test('RFC 8785 sample: UTF-8 bytes of the canonical form', () => {
  const hex =
    '7b226573636170696e67223a22e282ac245c75303030665c6e4127425c225c5c5c5c5c222f222c226e756d62657273223a5b31652b33302c342e352c362c302e3030322c31652d32375d2c226f74686572223a5b6e756c6c2c747275652c66616c73655d7d';
  const value = JSON.parse(String.raw`{"numbers":[1E30,4.50,6,2e-3,0.000000000000000000000000001],"escaping":"\u20ac$\u000F\u000aA'\u0042\u0022\u005c\\\"\/","other":[null,true,false]}`) as unknown;
  assert.equal(Buffer.from(canonicalBytes(value)).toString('hex'), hex);
});

// RFC 8785 §3.2.3 sorting example (testdata/weird.json): keys ordered by UTF-16 code units.
test('RFC 8785 sample: property sorting by UTF-16 code units', () => {
  const input = String.raw`{
    "\u20ac": "Euro Sign", "1": "One", "\u0080": "Control\u007f", "\ud83d\ude02": "Smiley",
    "\u00f6": "Latin Small Letter O With Diaeresis", "\ufb33": "Hebrew Letter Dalet With Dagesh",
    "</script>": "Browser Challenge"
  }`;
  const expected =
    '{"1":"One","</script>":"Browser Challenge","\u0080":"Control\u007f","\u00f6":"Latin Small Letter O With Diaeresis",' +
    '"\u20ac":"Euro Sign","\ud83d\ude02":"Smiley","\ufb33":"Hebrew Letter Dalet With Dagesh"}';
  assert.equal(canonicalize(JSON.parse(input)), expected);
  const rfcSorting = { '\u20ac': 'Euro Sign', '\r': 'Carriage Return', '\ufb33': 'Dalet', '1': 'One', '\ud83d\ude00': 'Emoji', '\u0080': 'Control', '\u00f6': 'o' };
  assert.equal(
    canonicalize(rfcSorting),
    '{"\\r":"Carriage Return","1":"One","\u0080":"Control","\u00f6":"o","\u20ac":"Euro Sign","\ud83d\ude00":"Emoji","\ufb33":"Dalet"}',
  );
});

// RFC 8785 Appendix B: IEEE 754 bit patterns and their canonical text.
test('RFC 8785 Appendix B number samples', () => {
  const samples: [string, string][] = [
    ['0000000000000000', '0'],
    ['8000000000000000', '0'],
    ['0000000000000001', '5e-324'],
    ['8000000000000001', '-5e-324'],
    ['7fefffffffffffff', '1.7976931348623157e+308'],
    ['ffefffffffffffff', '-1.7976931348623157e+308'],
    ['4340000000000000', '9007199254740992'],
    ['c340000000000000', '-9007199254740992'],
    ['4430000000000000', '295147905179352830000'],
    ['44b52d02c7e14af5', '9.999999999999997e+22'],
    ['44b52d02c7e14af6', '1e+23'],
    ['44b52d02c7e14af7', '1.0000000000000001e+23'],
    ['444b1ae4d6e2ef4e', '999999999999999700000'],
    ['444b1ae4d6e2ef4f', '999999999999999900000'],
    ['444b1ae4d6e2ef50', '1e+21'],
    ['3eb0c6f7a0b5ed8c', '9.999999999999997e-7'],
    ['3eb0c6f7a0b5ed8d', '0.000001'],
    ['41b3de4355555553', '333333333.3333332'],
    ['41b3de4355555554', '333333333.33333325'],
    ['41b3de4355555555', '333333333.3333333'],
    ['41b3de4355555556', '333333333.3333334'],
    ['41b3de4355555557', '333333333.33333343'],
    ['becbf647612f3696', '-0.0000033333333333333333'],
    ['43143ff3c1cb0959', '1424953923781206.2'],
  ];
  for (const [bits, text] of samples) {
    assert.equal(canonicalize(Buffer.from(bits, 'hex').readDoubleBE(0)), text, bits);
  }
  for (const bits of ['7fffffffffffffff', '7ff0000000000000', 'fff0000000000000']) {
    assert.throws(() => canonicalize(Buffer.from(bits, 'hex').readDoubleBE(0)), (e) => isAppError(e, 'invalid_input'));
  }
});

test('only the required escapes: controls as \\u00xx in lower case, DEL and non-ASCII as is', () => {
  assert.equal(canonicalize('\b\t\n\f\r"\\\u0000\u001f\u007f/é'), String.raw`"\b\t\n\f\r\"\\\u0000\u001f` + '\u007f/é"');
});

test('refuses what is not JSON, naming where it is', () => {
  const cyclic: Record<string, unknown> = { a: 1 };
  cyclic.self = { inner: cyclic };
  const cases: [unknown, RegExp][] = [
    [{ a: [1, Number.NaN] }, /^a\[1\]: NaN is not a JSON number$/],
    [{ a: Infinity }, /^a: Infinity/],
    [[1, undefined], /^\[1\]: undefined is not JSON$/],
    [{ f: () => 1 }, /^f: a function is not JSON$/],
    [{ n: 10n }, /^n: a bigint is not JSON$/],
    [{ s: Symbol('x') }, /^s: a symbol is not JSON$/],
    [cyclic, /^self\.inner: the value contains itself/],
    [{ d: new Date(0) }, /^d: \[object Date\] is not JSON/],
    [{ 'a b': 'x\ud800y' }, /^\["a b"\]: text has a lone surrogate U\+D800/],
    [{ ['\udc00']: 1 }, /lone surrogate U\+DC00/],
    [undefined, /^the value: undefined is not JSON$/],
  ];
  for (const [value, message] of cases) {
    assert.throws(() => canonicalize(value), (e) => isAppError(e, 'invalid_input') && message.test(e.message));
  }
});

test('refuses nesting deeper than 256 levels without mistaking it for a cycle', () => {
  let deep: unknown = 1;
  for (let level = 0; level < 300; level += 1) deep = [deep];
  assert.throws(() => canonicalize(deep), (e) => isAppError(e, 'invalid_input') && /^(\[0\]){16}…: nested deeper than 256 levels$/.test(e.message));
  let fine: unknown = 'x';
  for (let level = 0; level < 200; level += 1) fine = { a: fine };
  assert.equal(canonicalize(fine).length, 200 * 6 + 3);
});

test('members set to undefined are left out, as JSON.stringify does; shared (non-cyclic) objects are fine', () => {
  const shared = { x: 1 };
  assert.equal(canonicalize({ b: undefined, a: shared, c: [shared] }), '{"a":{"x":1},"c":[{"x":1}]}');
  assert.equal(canonicalize(Object.assign(Object.create(null) as object, { z: 1, y: 2 })), '{"y":2,"z":1}');
});

const anyJson = fc.jsonValue({ stringUnit: 'binary', maxDepth: 5 });

test('property: parsing the canonical form gives the value back', () => {
  fc.assert(
    fc.property(anyJson, (value) => {
      assert.deepEqual(JSON.parse(canonicalize(value)), JSON.parse(JSON.stringify(value)));
    }),
    { numRuns: 500 },
  );
});

test('property: canonicalize is idempotent over parse and ignores key order', () => {
  fc.assert(
    fc.property(anyJson, (value) => {
      const once = canonicalize(value);
      assert.equal(canonicalize(JSON.parse(once)), once);
      const reordered = JSON.parse(JSON.stringify(value), (_key, v: unknown) =>
        v !== null && typeof v === 'object' && !Array.isArray(v) ? Object.fromEntries(Object.entries(v).reverse()) : v,
      ) as unknown;
      assert.equal(canonicalize(reordered), once);
    }),
    { numRuns: 500 },
  );
});

test('property: strings escape exactly as JSON.stringify does, and lone surrogates are refused', () => {
  const codeUnit = fc.integer({ min: 0, max: 0xffff }).map((code) => String.fromCharCode(code));
  fc.assert(
    fc.property(fc.string({ unit: codeUnit, maxLength: 40 }), (text) => {
      if (/\p{Cs}/u.test(text)) assert.throws(() => canonicalize(text), /lone surrogate/);
      else assert.equal(canonicalize(text), JSON.stringify(text));
    }),
    { numRuns: 2000 },
  );
});
