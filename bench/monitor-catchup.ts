// Benchmark: `writ verify --url` (the monitor, in its own process) catching up with a large log served over loopback.
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import pino from 'pino';
import type { WritApp } from '../src/app.ts';
import { writeMonitorState } from '../src/cli/commands/verify/monitor-state-file.ts';
import { buildServer } from '../src/http/server.ts';
import { log } from './bench-support.ts';

export interface MonitorCase {
  readonly name: string;
  readonly fromSize: number;
  readonly toSize: number;
  /** Entries downloaded and re-hashed. */
  readonly entriesChecked: number;
  readonly tilesFetched: number;
  /** The check itself, as the monitor measures it (state read to state written). */
  readonly seconds: number;
  /** Tree entries covered per second: (toSize − fromSize) / seconds. */
  readonly entriesPerSecond: number;
}

export interface MonitorCatchupResult {
  readonly size: number;
  readonly cases: readonly MonitorCase[];
}

const writBin = fileURLToPath(new URL('../bin/writ.js', import.meta.url));
const READ_TOKEN = 'bench-monitor-read-token-0123456789';

interface MonitorLine {
  readonly ok: boolean;
  readonly size: number;
  readonly previousSize: number | null;
  readonly entriesChecked: number;
  readonly tilesFetched: number;
  readonly seconds: number;
  readonly message?: string;
}

function runMonitor(args: readonly string[]): Promise<MonitorLine> {
  const env: NodeJS.ProcessEnv = {};
  for (const [k, v] of Object.entries(process.env)) if (!k.startsWith('WRIT_')) env[k] = v;
  env.WRIT_LOG_READ_TOKEN = READ_TOKEN;
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [writBin, 'verify', ...args, '--json'], { env, stdio: ['ignore', 'pipe', 'pipe'] });
    const out: Buffer[] = [];
    const err: Buffer[] = [];
    child.stdout.on('data', (c: Buffer) => out.push(c));
    child.stderr.on('data', (c: Buffer) => err.push(c));
    child.on('error', reject);
    child.on('close', (code) => {
      const text = Buffer.concat(out).toString('utf8').trim();
      if (code !== 0 || text === '') reject(new Error(`the monitor exited ${String(code)}: ${Buffer.concat(err).toString('utf8')}`));
      else resolve(JSON.parse(text.split('\n').at(-1) ?? '') as MonitorLine);
    });
  });
}

function toCase(name: string, line: MonitorLine, fromSize: number): MonitorCase {
  return {
    name,
    fromSize,
    toSize: line.size,
    entriesChecked: line.entriesChecked,
    tilesFetched: line.tilesFetched,
    seconds: line.seconds,
    entriesPerSecond: (line.size - fromSize) / line.seconds,
  };
}

/**
 * Serves the app's log on loopback and runs the monitor against it: from no state with --entries (every entry
 * downloaded and re-hashed), and from the state of the first checkpoint without --entries (a consistency proof).
 * @example await runMonitorCatchup(bench.app)
 */
export async function runMonitorCatchup(app: WritApp): Promise<MonitorCatchupResult> {
  const server = buildServer({ store: app.store, logger: pino({ level: 'silent' }), readToken: READ_TOKEN, tileCache: app.tileCache });
  await server.listen({ host: '127.0.0.1', port: 0 });
  const url = `http://127.0.0.1:${(server.server.address() as AddressInfo).port}`;
  const dir = mkdtempSync(join(tmpdir(), 'writ-bench-monitor-'));
  const key = app.signer.verifierKey;
  try {
    const cases: MonitorCase[] = [];
    log('monitor: from no state, --entries (download and re-hash every entry)');
    const full = await runMonitor(['--url', url, '--vkey', key, '--state', join(dir, 'entries.json'), '--entries']);
    cases.push(toCase('no state → head, --entries', full, 0));
    const [first] = await app.store.readCheckpoints(1, full.size, 1);
    if (first === undefined) throw new Error('the built log has a single checkpoint');
    const statePath = join(dir, 'proof.json');
    const state = { origin: app.signer.name, size: first.size, rootHash: first.rootHash, note: first.note, entriesVerified: undefined };
    writeMonitorState(statePath, { state, url, checkedAt: new Date(0).toISOString(), cosigners: [] });
    log(`monitor: from the state of size ${first.size}, consistency proof only`);
    const proof = await runMonitor(['--url', url, '--vkey', key, '--state', statePath]);
    cases.push(toCase(`size ${first.size} → head, proof only`, proof, first.size));
    log('monitor: from no state, without --entries (checkpoint and the tiles of its root)');
    const tofu = await runMonitor(['--url', url, '--vkey', key, '--state', join(dir, 'tofu.json')]);
    cases.push(toCase('no state → head, first use', tofu, 0));
    return { size: full.size, cases };
  } finally {
    await server.close();
    rmSync(dir, { recursive: true, force: true });
  }
}

/** The result as a small table, for the console (the lead copies it into RESULTS.md). */
export function renderMonitorCatchup(result: MonitorCatchupResult): string {
  const rows = result.cases.map(
    (c) =>
      `| ${c.name} | ${c.fromSize.toLocaleString('en-US')} → ${c.toSize.toLocaleString('en-US')} | ${c.entriesChecked.toLocaleString('en-US')} | ${c.tilesFetched} | ${c.seconds.toFixed(2)} | ${Math.round(c.entriesPerSecond).toLocaleString('en-US')} |`,
  );
  return [
    `Monitor catch-up (\`writ verify --url\` in its own process, the log served over loopback, ${result.size.toLocaleString('en-US')} entries)`,
    '',
    '| case | sizes | entries re-hashed | tiles fetched | seconds | entries/s |',
    '|---|---|---|---|---|---|',
    ...rows,
  ].join('\n');
}
