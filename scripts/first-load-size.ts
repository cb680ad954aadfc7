// Measures the dashboard's first load: gzipped JavaScript of the entry chunk, its static imports and the sign-in page.
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readdirSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { gzipSync } from 'node:zlib';

export const WEB_DIST = fileURLToPath(new URL('../web/dist', import.meta.url));
export const FIRST_LOAD_BUDGET_BYTES = 300 * 1024;
/** The page a first visit lands on (everyone is signed out at first). */
const FIRST_PAGE_SOURCE = 'src/pages/sign-in-page.tsx';

interface ManifestChunk {
  readonly file: string;
  readonly src?: string;
  readonly isEntry?: boolean;
  readonly imports?: readonly string[];
}

export interface FirstLoad {
  /** Files fetched, entry first. */
  readonly files: readonly string[];
  readonly gzipBytes: number;
  /** Entry chunk and its static imports only. */
  readonly entryGzipBytes: number;
}

/** Every chunk `key` loads before it runs: itself and its static imports, transitively. */
function staticClosure(manifest: Readonly<Record<string, ManifestChunk>>, key: string, seen: Set<string>): void {
  if (seen.has(key)) return;
  seen.add(key);
  for (const imported of manifest[key]?.imports ?? []) staticClosure(manifest, imported, seen);
}

function gzipSize(distDir: string, file: string): number {
  return gzipSync(readFileSync(join(distDir, file)), { level: 9 }).length;
}

/**
 * @example measureFirstLoad('web/dist') // { files: ['assets/index-abc.js', ...], gzipBytes: 95000, entryGzipBytes: 90000 }
 */
export function measureFirstLoad(distDir: string): FirstLoad {
  const manifest = JSON.parse(readFileSync(join(distDir, '.vite', 'manifest.json'), 'utf8')) as Record<string, ManifestChunk>;
  const entry = Object.entries(manifest).find(([, chunk]) => chunk.isEntry === true)?.[0];
  if (entry === undefined) throw new Error('the build manifest names no entry chunk');
  const entryKeys = new Set<string>();
  staticClosure(manifest, entry, entryKeys);
  const keys = new Set(entryKeys);
  const firstPage = Object.entries(manifest).find(([, chunk]) => chunk.src === FIRST_PAGE_SOURCE)?.[0];
  if (firstPage !== undefined) staticClosure(manifest, firstPage, keys);
  const fileOf = (key: string): string => manifest[key]?.file ?? key;
  const js = (key: string): boolean => fileOf(key).endsWith('.js');
  const sum = (set: Set<string>): number => [...set].filter(js).reduce((total, key) => total + gzipSize(distDir, fileOf(key)), 0);
  return { files: [...keys].filter(js).map(fileOf), gzipBytes: sum(keys), entryGzipBytes: sum(entryKeys) };
}

/** Builds web/dist when it is missing (npm ci builds it; a fresh checkout without install may not have it). */
/** The newest modification time of the dashboard's sources (web/src, index.html, the Vite config), in ms. */
function newestSourceMs(web: string): number {
  const sources = [join(web, 'index.html'), join(web, 'vite.config.ts'), ...readdirSync(join(web, 'src'), { recursive: true, encoding: 'utf8' }).map((f) => join(web, 'src', f))];
  return Math.max(...sources.filter((f) => existsSync(f)).map((f) => statSync(f).mtimeMs));
}

/** Builds the dashboard when there is no build or a source changed after it, so the size and the browser tests see the code as it is. */
export function ensureWebBuilt(): void {
  const root = fileURLToPath(new URL('..', import.meta.url));
  const manifest = join(WEB_DIST, '.vite', 'manifest.json');
  const current = (): boolean => existsSync(manifest) && statSync(manifest).mtimeMs >= newestSourceMs(join(root, 'web'));
  if (current()) return;
  // The browser tests run two at a time: one builds while the other waits, then finds the build current.
  const lock = join(tmpdir(), 'writ-web-build.lock');
  for (;;) {
    try {
      mkdirSync(lock);
      break;
    } catch {
      if (Date.now() - (statSync(lock, { throwIfNoEntry: false })?.mtimeMs ?? Date.now()) > 600_000) rmSync(lock, { recursive: true, force: true });
      Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, 200);
    }
  }
  try {
    if (current()) return;
    const result = spawnSync(process.execPath, [join(root, 'node_modules', 'vite', 'bin', 'vite.js'), 'build', 'web', '--logLevel', 'warn'], { cwd: root, stdio: 'inherit' });
    if (result.status !== 0) throw new Error('building the dashboard failed (npm run build:web)');
  } finally {
    rmSync(lock, { recursive: true, force: true });
  }
}

if (process.argv[1] !== undefined && fileURLToPath(import.meta.url) === process.argv[1]) {
  ensureWebBuilt();
  const load = measureFirstLoad(WEB_DIST);
  const kb = (bytes: number): string => `${(bytes / 1024).toFixed(1)} KB`;
  process.stdout.write(`first load: ${kb(load.gzipBytes)} of JavaScript gzipped (entry and its imports ${kb(load.entryGzipBytes)}; budget ${kb(FIRST_LOAD_BUDGET_BYTES)})\n${load.files.map((f) => `  ${f}`).join('\n')}\n`);
}
