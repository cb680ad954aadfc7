// A server the gateway benchmark runs as a child process: its recent output for error messages, and a clean stop.
import { execFileSync, spawn, type ChildProcess, type SpawnOptions } from 'node:child_process';
import { readFileSync } from 'node:fs';

export interface ServerProcess {
  readonly child: ChildProcess;
  /** The last lines it wrote (stdout and stderr), for messages when something fails. */
  output(): string;
  /** SIGTERM, then SIGKILL if it has not exited after `graceMs`; resolves once it exited. */
  stop(graceMs?: number): Promise<void>;
}

const KEEP_CHARS = 8192;

/** @example const server = spawnServer('pgbouncer', [configFile]); ...; await server.stop(); */
export function spawnServer(command: string, args: readonly string[], options: SpawnOptions = {}): ServerProcess {
  const child = spawn(command, args, { ...options, stdio: ['ignore', 'pipe', 'pipe'] });
  let recent = '';
  const keep = (chunk: Buffer): void => {
    recent = (recent + chunk.toString('utf8')).slice(-KEEP_CHARS);
  };
  child.stdout.on('data', keep);
  child.stderr.on('data', keep);
  const exited = new Promise<void>((resolve) => {
    if (child.exitCode !== null || child.signalCode !== null) resolve();
    child.once('exit', () => {
      resolve();
    });
    child.once('error', (error) => {
      recent += `\n${error.message}`;
      resolve();
    });
  });
  return {
    child,
    output: () => recent.trim().split('\n').slice(-8).join(' | '),
    async stop(graceMs = 15_000) {
      if (child.exitCode === null && child.signalCode === null) child.kill('SIGTERM');
      const timer = setTimeout(() => child.kill('SIGKILL'), graceMs);
      await exited;
      clearTimeout(timer);
    },
  };
}

let ticksPerSecond: number | undefined;

/**
 * CPU seconds (user + system) a process has used so far, all its threads or only the main one, from /proc;
 * undefined where there is no /proc.
 */
export function cpuSecondsOf(pid: number | undefined, scope: 'process' | 'main-thread' = 'process'): number | undefined {
  if (pid === undefined) return undefined;
  try {
    ticksPerSecond ??= Number(execFileSync('getconf', ['CLK_TCK'], { encoding: 'utf8' }).trim()) || 100;
    const stat = readFileSync(scope === 'process' ? `/proc/${pid}/stat` : `/proc/${pid}/task/${pid}/stat`, 'utf8');
    // Fields after the command name (which may hold spaces, in parentheses): utime and stime are the 14th and 15th.
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return (Number(fields[11]) + Number(fields[12])) / ticksPerSecond;
  } catch {
    return undefined;
  }
}
