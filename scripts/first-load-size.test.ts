// The dashboard's first load stays under 300 KB of gzipped JavaScript; the measurement counts what it should.
import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { gzipSync } from 'node:zlib';
import { ensureWebBuilt, FIRST_LOAD_BUDGET_BYTES, measureFirstLoad, WEB_DIST } from './first-load-size.ts';

test('counts the entry, its static imports and the sign-in page; not lazy pages or CSS', () => {
  const dir = mkdtempSync(join(tmpdir(), 'writ-first-load-'));
  try {
    mkdirSync(join(dir, '.vite'));
    mkdirSync(join(dir, 'assets'));
    const files = { 'assets/index.js': 'a'.repeat(1000), 'assets/vendor.js': 'let x = 1;'.repeat(50), 'assets/sign-in.js': 'sign', 'assets/audit.js': 'audit'.repeat(999), 'assets/index.css': 'body{}' };
    for (const [name, text] of Object.entries(files)) writeFileSync(join(dir, name), text);
    const manifest = {
      'index.html': { file: 'assets/index.js', isEntry: true, imports: ['_vendor.js'], css: ['assets/index.css'], dynamicImports: ['src/pages/sign-in-page.tsx', 'src/pages/audit-page.tsx'] },
      '_vendor.js': { file: 'assets/vendor.js' },
      'src/pages/sign-in-page.tsx': { file: 'assets/sign-in.js', src: 'src/pages/sign-in-page.tsx', imports: ['_vendor.js'] },
      'src/pages/audit-page.tsx': { file: 'assets/audit.js', src: 'src/pages/audit-page.tsx' },
    };
    writeFileSync(join(dir, '.vite', 'manifest.json'), JSON.stringify(manifest));
    const load = measureFirstLoad(dir);
    const gz = (name: keyof typeof files): number => gzipSync(files[name], { level: 9 }).length;
    assert.deepEqual([...load.files].sort(), ['assets/index.js', 'assets/sign-in.js', 'assets/vendor.js']);
    assert.equal(load.entryGzipBytes, gz('assets/index.js') + gz('assets/vendor.js'));
    assert.equal(load.gzipBytes, load.entryGzipBytes + gz('assets/sign-in.js'));
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('the built dashboard loads under 300 KB of gzipped JavaScript', () => {
  ensureWebBuilt();
  const load = measureFirstLoad(WEB_DIST);
  process.stdout.write(`dashboard first load: ${(load.gzipBytes / 1024).toFixed(1)} KB of JavaScript gzipped (${load.files.length} files)\n`);
  assert.ok(load.gzipBytes > 10 * 1024, 'the measurement found the application code');
  assert.ok(load.gzipBytes < FIRST_LOAD_BUDGET_BYTES, `first load is ${load.gzipBytes} bytes gzipped, over the ${FIRST_LOAD_BUDGET_BYTES} budget`);
});
