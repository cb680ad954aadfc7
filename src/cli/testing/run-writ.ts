// Test helper: runs the real `writ` CLI (bin/writ.js) in a child process with the given environment and stdin.
import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';

/** The repository root (where bin/writ.js lives), found from this file, never from the working directory. */
export const repoRoot = fileURLToPath(new URL('../../../', import.meta.url));
const writBin = fileURLToPath(new URL('../../../bin/writ.js', import.meta.url));

export interface WritRun {
  readonly code: number | null;
  readonly signal: NodeJS.Signals | null;
  readonly stdout: string;
  readonly stderr: string;
}

export interface RunWritOptions {
  /** Added to a copy of this process's environment from which every WRIT_* variable was removed. */
  readonly env?: Readonly<Record<string, string | undefined>> | undefined;
  /** Written to the child's stdin (an async iterable is written as it yields), which is then closed; nothing means an empty stdin. */
  readonly stdin?: string | Buffer | readonly (string | Buffer)[] | AsyncIterable<string | Buffer>;
  /** Told of each piece of stdout as it arrives. */
  readonly onStdout?: (text: string) => void;
}

/** This process's environment without any WRIT_* setting, plus `extra`, with quiet logging unless asked otherwise. */
export function writEnv(extra: Readonly<Record<string, string | undefined>> = {}): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = {};
  for (const [key, value] of Object.entries(process.env)) if (!key.startsWith('WRIT_')) env[key] = value;
  env.WRIT_LOG_LEVEL = 'warn';
  for (const [key, value] of Object.entries(extra)) {
    if (value === undefined) Reflect.deleteProperty(env, key);
    else env[key] = value;
  }
  return env;
}

/**
 * Runs `node bin/writ.js ...args` and resolves when it exits.
 * @example const { code, stdout } = await runWrit(['--data', dir, 'verify', '--json']);
 */
export function runWrit(args: readonly string[], options: RunWritOptions = {}): Promise<WritRun> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [writBin, ...args], { cwd: repoRoot, env: writEnv(options.env), stdio: ['pipe', 'pipe', 'pipe'] });
    const out: Buffer[] = [];
    const err: Buffer[] = [];
    child.stdout.on('data', (chunk: Buffer) => {
      out.push(chunk);
      options.onStdout?.(chunk.toString('utf8'));
    });
    child.stderr.on('data', (chunk: Buffer) => err.push(chunk));
    // The child may exit before reading all of stdin (e.g. on bad usage); that is reported by its exit code, not as EPIPE.
    child.stdin.on('error', () => undefined);
    child.on('error', reject);
    child.on('close', (code, signal) => {
      resolve({ code, signal, stdout: Buffer.concat(out).toString('utf8'), stderr: Buffer.concat(err).toString('utf8') });
    });
    const input = options.stdin;
    const pieces = input === undefined ? [] : typeof input === 'string' || Buffer.isBuffer(input) ? [input] : input;
    const writeAll = async (): Promise<void> => {
      for await (const piece of pieces) {
        if (child.stdin.destroyed) return;
        if (!child.stdin.write(piece)) await new Promise<void>((done) => child.stdin.once('drain', done));
      }
      child.stdin.end();
    };
    void writeAll();
  });
}

/** Parses NDJSON output into values (blank lines skipped). */
export function parseJsonLines(text: string): unknown[] {
  return text
    .split('\n')
    .filter((line) => line.trim() !== '')
    .map((line) => JSON.parse(line) as unknown);
}

/** The `--json` report of `writ verify`, as far as the tests read it. */
export interface VerifyJson {
  readonly ok: boolean;
  readonly treeSize: number;
  readonly entriesChecked: number;
  readonly checkpointsChecked: number;
  readonly pending: number;
  readonly problems: readonly { readonly index?: number; readonly message: string }[];
  readonly firstBadIndex?: number;
}

/** Runs `writ verify --json` with the given store arguments and returns the exit code, the report and stderr. */
export async function verifyJson(storeArgs: readonly string[], env?: Readonly<Record<string, string | undefined>>): Promise<{ code: number | null; report: VerifyJson; stderr: string }> {
  const run = await runWrit([...storeArgs, 'verify', '--json'], { env });
  const [report] = parseJsonLines(run.stdout);
  if (report === undefined) throw new Error(`writ verify printed no report (exit ${String(run.code)}): ${run.stderr}`);
  return { code: run.code, report: report as VerifyJson, stderr: run.stderr };
}
