// Test helper: runs `writ` commands in this process against fake streams, mapping failures to exit codes as main.ts does.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PassThrough, Readable } from 'node:stream';
import { CommanderError, type Command, type OutputConfiguration } from 'commander';
import { isAppError } from '../../shared/app-error.ts';
import type { CliInput, CliIo } from '../cli-io.ts';
import { exitCodes } from '../exit-codes.ts';
import { createProgram } from '../program.ts';

export interface CliRun {
  readonly code: number;
  readonly stdout: string;
  readonly stderr: string;
}

export interface RunOptions {
  readonly env?: Readonly<Record<string, string | undefined>>;
  /** Text for standard input, or a stream (such as a fake terminal). */
  readonly stdin?: string | CliInput;
  readonly nowMs?: number;
}

/** 2026-11-25T14:00:00Z: the fixed "now" of command tests. */
export const TEST_NOW_MS = Date.parse('2026-11-25T14:00:00Z');

function collector(): { stream: PassThrough; text: () => string } {
  const stream = new PassThrough();
  const chunks: Buffer[] = [];
  stream.on('data', (chunk: Buffer) => chunks.push(chunk));
  return { stream, text: () => Buffer.concat(chunks).toString('utf8') };
}

/** Commander copies output settings to subcommands only when they are created, so set them on every command. */
function redirectOutput(command: Command, output: OutputConfiguration): void {
  command.configureOutput(output);
  for (const sub of command.commands) redirectOutput(sub, output);
}

function exitCodeOf(error: unknown, stderr: PassThrough): number {
  if (error instanceof CommanderError) return error.exitCode === 0 ? 0 : 64;
  if (isAppError(error)) {
    stderr.write(`writ: ${error.message}\n`);
    return exitCodes[error.code];
  }
  stderr.write(`writ: internal error: ${error instanceof Error ? error.message : String(error)}\n`);
  return exitCodes.internal;
}

/**
 * Runs `writ ...args` with only the given environment (no WRIT_* of this process leaks in).
 * @example const { code, stdout } = await runCli(['--server', api.url, 'whoami'], { env: { WRIT_TOKEN: 't' } })
 */
export async function runCli(args: readonly string[], options: RunOptions = {}): Promise<CliRun> {
  const out = collector();
  const err = collector();
  const stdin = typeof options.stdin === 'string' || options.stdin === undefined ? Readable.from(options.stdin === undefined ? [] : [Buffer.from(options.stdin)]) : options.stdin;
  const nowMs = options.nowMs ?? TEST_NOW_MS;
  const io: CliIo = { env: options.env ?? {}, stdin, stdout: out.stream, stderr: err.stream, nowMs: () => nowMs, fetch: globalThis.fetch };
  const program = createProgram(io);
  redirectOutput(program, { writeOut: (text) => out.stream.write(text), writeErr: (text) => err.stream.write(text) });
  let code = 0;
  try {
    await program.parseAsync(args, { from: 'user' });
  } catch (error) {
    code = exitCodeOf(error, err.stream);
  }
  await new Promise<void>((resolve) => setImmediate(resolve));
  return { code, stdout: out.text(), stderr: err.text() };
}

/** A temporary directory for a credentials file, removed by the returned function. */
export function tempCredentials(): { file: string; env: Record<string, string>; remove: () => void } {
  const dir = mkdtempSync(join(tmpdir(), 'writ-cli-'));
  const file = join(dir, 'writ', 'credentials.json');
  return { file, env: { WRIT_CREDENTIALS: file }, remove: () => { rmSync(dir, { recursive: true, force: true }); } };
}

/** An environment with a token in WRIT_TOKEN and no stored login. */
export function tokenEnv(token = 'test-token'): Record<string, string> {
  return { WRIT_TOKEN: token, WRIT_CREDENTIALS: join(tmpdir(), 'writ-cli-no-login', 'credentials.json') };
}

/** Runs `writ --server <server> ...args` with WRIT_TOKEN set. */
export function runAgainst(server: string, args: readonly string[], options: RunOptions = {}): Promise<CliRun> {
  return runCli(['--server', server, ...args], { ...options, env: { ...tokenEnv(), ...options.env } });
}
