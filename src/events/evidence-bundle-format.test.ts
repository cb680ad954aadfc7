// Entry lines are written by hand for speed: they must be exactly the RFC 8785 canonical JSON of the line.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { canonicalize } from './canonical-json.ts';
import { bundleEntryLineSchema, bundleRemovedLineSchema, chunkName, chunkNumberOf, formatBundleLine, type BundleLine } from './evidence-bundle-format.ts';

const tricky = '{"a":"quote \\" backslash \\\\ tab \t newline \n nul \u0000 é 😀 \u2028 \u007f"}';

test('formatBundleLine is the canonical JSON of the line, for every kind of line', () => {
  const lines: BundleLine[] = [
    { index: 0, eventId: '0193a0b0-0000-7000-8000-000000000000', entry: tricky, receipt: 'c2sp.org/tlog-proof@v1\nindex 0\n\nx\n', personal: { kind: 'none' } },
    { index: 7, eventId: 'e', entry: '{}', receipt: 'r', personal: { kind: 'included', value: tricky, salt: 'AAAA' } },
    { index: 8, eventId: 'e', entry: '{}', receipt: 'r', personal: { kind: 'erased' } },
    { index: 9, eventId: 'e', entry: '{}', receipt: 'r', personal: { kind: 'redacted' } },
    { index: 2 ** 53 - 1, removed: true, leafHash: 'A'.repeat(43) + '=', receipt: tricky },
  ];
  for (const line of lines) {
    const text = formatBundleLine(line);
    assert.equal(text, `${canonicalize(line)}\n`);
    const parsed: unknown = JSON.parse(text);
    assert.deepEqual(('removed' in line ? bundleRemovedLineSchema : bundleEntryLineSchema).parse(parsed), line);
  }
});

test('entries files are numbered with six digits', () => {
  assert.equal(chunkName(0), 'entries/000000.ndjson');
  assert.equal(chunkNumberOf(chunkName(99)), 99);
  assert.equal(chunkNumberOf('entries/99.ndjson'), undefined);
  assert.equal(chunkNumberOf('entries/000001.ndjson.bak'), undefined);
});
