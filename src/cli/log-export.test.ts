// The real CLI: writ log export writes a bundle (never over a file without --force) and writ verify --bundle checks it offline.
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { runWrit } from './testing/run-writ.ts';

const events = Array.from({ length: 30 }, (_, i) =>
  JSON.stringify({ type: i % 2 === 0 ? 'app.document.viewed' : 'app.report.created', actor: { kind: 'user', id: `u${i % 3}`, name: `Person ${i % 3}` }, outcome: 'success', data: { i } }),
).join('\n');

test('writ log export and writ verify --bundle, end to end', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'writ-export-'));
  try {
    const data = ['--data', join(dir, 'data'), '--origin', 'test.writ/log'];
    const appended = await runWrit([...data, 'log', 'append'], { stdin: `${events}\n` });
    assert.equal(appended.code, 0, appended.stderr);
    const key = await runWrit([...data, 'keys', 'show']);
    const vkey = /\S+\+[0-9a-f]{8}\+\S+/.exec(key.stdout)?.[0];
    assert.ok(vkey !== undefined, key.stdout);

    const file = join(dir, 'bundle.tar');
    const exported = await runWrit([...data, 'log', 'export', '--from', '0', '--type', 'app.report.*', '-o', file]);
    assert.equal(exported.code, 0, exported.stderr);
    assert.match(exported.stdout, /wrote .*bundle\.tar: 15 entries of test\.writ\/log/);

    const again = await runWrit([...data, 'log', 'export', '-o', file]);
    assert.equal(again.code, 75, 'an existing file is not replaced without --force');
    assert.match(again.stderr, /already exists: choose another file, or pass --force/);
    const forced = await runWrit([...data, 'log', 'export', '--to', '20', '--redact', '--force', '-o', file]);
    assert.equal(forced.code, 0, forced.stderr);

    const ok = await runWrit(['verify', '--bundle', file, '--vkey', vkey]);
    assert.equal(ok.code, 0, ok.stdout + ok.stderr);
    assert.match(ok.stdout, /20 entries checked .*redacted bundle/);
    assert.match(ok.stdout, /OK: the bundle verifies/);

    const own = await runWrit(['verify', '--bundle', file, '--json']);
    assert.equal(own.code, 0, own.stderr);
    assert.match(own.stderr, /WARNING: the log's verifier key .* was taken from the bundle itself/);
    assert.equal((JSON.parse(own.stdout) as { ok: boolean; entriesChecked: number }).entriesChecked, 20);

    const bytes = readFileSync(file);
    const at = bytes.indexOf('"entry":"{') + 20;
    bytes[at] = (bytes[at] ?? 0) ^ 0x01;
    const changed = join(dir, 'changed.tar');
    writeFileSync(changed, bytes);
    const bad = await runWrit(['verify', '--bundle', changed, '--vkey', vkey]);
    assert.equal(bad.code, 1);
    assert.match(bad.stdout, /PROBLEM at index \d+: /);
    assert.match(bad.stderr, /the bundle does not verify/);

    const missing = await runWrit(['verify', '--bundle', join(dir, 'nothing.tar')]);
    assert.equal(missing.code, 66);
    const badFrom = await runWrit([...data, 'log', 'export', '--from', 'yesterday', '-o', join(dir, 'x.tar')]);
    assert.equal(badFrom.code, 64);
    assert.match(badFrom.stderr, /from "yesterday" is neither a log index/);

    const audit = await runWrit([...data, 'verify', '--json']);
    assert.equal(audit.code, 0, audit.stderr);
    const size = (JSON.parse(audit.stdout) as { treeSize: number }).treeSize;
    const exports: unknown[] = [];
    for (let index = size - 2; index < size; index++) {
      const entry = JSON.parse((await runWrit([...data, 'log', 'entry', String(index)])).stdout) as { type: string; data: unknown };
      if (entry.type === 'ledger.bundle.exported') exports.push(entry.data);
    }
    assert.deepEqual(exports, [
      { via: 'cli', checkpointSize: 30, selection: { fromIndex: 0, toIndex: 30, type: 'app.report.*' }, entryCount: 15, redacted: false },
      { via: 'cli', checkpointSize: 31, selection: { fromIndex: 0, toIndex: 20 }, entryCount: 20, redacted: true },
    ], 'each export is on the ledger');
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
