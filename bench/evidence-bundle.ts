// Benchmark: evidence bundle export (select, prove, pack to a file) and offline verification (read, parse, check every proof), entries/s.
import { createWriteStream, mkdtempSync, rmSync } from 'node:fs';
import { readFile, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pipeline } from 'node:stream/promises';
import type { WritApp } from '../src/app.ts';
import { verifyEvidenceBundle } from '../src/events/evidence-bundle-verifier.ts';
import { prepareEvidenceBundle, type BundleRequest } from '../src/reports/evidence-bundle-export.ts';
import { packBundle, readBundleTar } from '../src/reports/evidence-bundle-tar.ts';
import { fmt, log } from './bench-support.ts';

export interface BundleCase {
  readonly name: string;
  readonly entries: number;
  readonly bytes: number;
  readonly exportSeconds: number;
  readonly verifySeconds: number;
}

function secondsSince(startedMs: number): number {
  return (performance.now() - startedMs) / 1000;
}

async function runCase(app: WritApp, dir: string, name: string, request: BundleRequest): Promise<BundleCase> {
  const file = join(dir, `${name.replace(/[^a-z0-9]+/gi, '-')}.tar`);
  const deps = { store: app.store, search: app.eventSearch, tiles: app.tileCache, verifierKey: app.signer.verifierKey, witnessPolicyText: undefined, nowMs: () => Date.now(), tool: 'writ bench' };
  const exportStarted = performance.now();
  const bundle = await prepareEvidenceBundle(deps, request);
  await pipeline(packBundle(bundle.members(), new Date()), createWriteStream(file));
  const exportSeconds = secondsSince(exportStarted);
  const verifyStarted = performance.now();
  const report = verifyEvidenceBundle(readBundleTar(await readFile(file)), { verifierKeys: [app.signer.verifierKey] });
  const verifySeconds = secondsSince(verifyStarted);
  if (!report.ok) throw new Error(`the ${name} bundle does not verify: ${report.problems[0]?.message ?? ''}`);
  const result = { name, entries: report.entriesChecked, bytes: (await stat(file)).size, exportSeconds, verifySeconds };
  log(`  ${name}: ${fmt(result.entries)} entries, export ${fmt(result.entries / exportSeconds)}/s, verify ${fmt(result.entries / verifySeconds)}/s`);
  return result;
}

/**
 * Exports and verifies bundles of the first 10,000 and 100,000 entries of the built log (fewer when it is smaller), and a
 * filtered one (one type of five, over the first 100,000 entries), with personal values.
 * @example await runBundleBench(bench.app, built.size)
 */
export async function runBundleBench(app: WritApp, size: number): Promise<BundleCase[]> {
  const dir = mkdtempSync(join(tmpdir(), 'writ-bench-bundle-'));
  try {
    const cases: BundleCase[] = [];
    for (const count of [10_000, 100_000].filter((n) => n <= size)) {
      cases.push(await runCase(app, dir, `indices 0…${fmt(count)}`, { from: { kind: 'index', index: 0 }, to: { kind: 'index', index: count }, redact: false }));
    }
    const span = Math.min(size, 100_000);
    cases.push(await runCase(app, dir, `type app.document.viewed in 0…${fmt(span)}`, { to: { kind: 'index', index: span }, type: 'app.document.viewed', redact: false }));
    return cases;
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

/** The results as a markdown table. */
export function renderBundleMarkdown(cases: readonly BundleCase[], meta: { command: string; date: string; machine: string; backend: string }): string {
  const rows = cases.map(
    (c) =>
      `| ${c.name} | ${fmt(c.entries)} | ${fmt(c.bytes / 2 ** 20, 1)} MiB | ${fmt(c.exportSeconds, 2)} s | ${fmt(c.entries / c.exportSeconds)} | ${fmt(c.verifySeconds, 2)} s | ${fmt(c.entries / c.verifySeconds)} |`,
  );
  return [
    `### Evidence bundles (${meta.backend})`,
    '',
    `\`${meta.command}\`, ${meta.date}; ${meta.machine}. Export: select, prove against the published checkpoint and pack to a tar file, with personal values. Verify: read the file, parse the tar strictly, check the checkpoint signature, every leaf hash, inclusion proof and personal commitment.`,
    '',
    '| selection | entries | bundle | export | export entries/s | verify | verify entries/s |',
    '|---|---:|---:|---:|---:|---:|---:|',
    ...rows,
  ].join('\n');
}
