// PgBouncer as the reference proxy: a temporary config (session pooling, trust auth, a free port) and the daemon as a child process.
import { execFile } from 'node:child_process';
import { chmodSync, existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { spawnServer } from './child-process.ts';
import { freePort, waitForPort } from './local-ports.ts';
import type { PgTarget } from './pgbench-run.ts';

const run = promisify(execFile);

/** A proxy the benchmark started: where pgbench connects, and how to stop it. */
export interface RunningProxy {
  readonly target: PgTarget;
  /** The proxy's process, for its CPU time. */
  readonly pid: number | undefined;
  close(): Promise<void>;
}

/** `pgbouncer --version`'s first line, or undefined when PgBouncer is not installed. */
export async function pgbouncerVersion(): Promise<string | undefined> {
  try {
    const { stdout } = await run('pgbouncer', ['--version']);
    return stdout.split('\n')[0]?.trim();
  } catch {
    return undefined;
  }
}

/** PgBouncer refuses to run as root; `-u` makes it switch to an unprivileged account that exists here. */
function unprivilegedUser(): string | undefined {
  if (process.getuid?.() !== 0) return undefined;
  const accounts = existsSync('/etc/passwd') ? readFileSync('/etc/passwd', 'utf8').split('\n').map((line) => line.split(':')[0]) : [];
  return ['postgres', 'nobody'].find((name) => accounts.includes(name));
}

function quoted(value: string): string {
  return `'${value.replace(/'/g, "\\'")}'`;
}

function config(upstream: PgTarget, port: number, authFile: string): string {
  const password = upstream.password === undefined ? '' : ` password=${quoted(upstream.password)}`;
  return [
    '[databases]',
    `${upstream.database} = host=${upstream.host} port=${upstream.port} dbname=${upstream.database} user=${quoted(upstream.user)}${password}`,
    '[pgbouncer]',
    'listen_addr = 127.0.0.1',
    `listen_port = ${port}`,
    'unix_socket_dir =',
    'auth_type = trust',
    `auth_file = ${authFile}`,
    'pool_mode = session',
    'max_client_conn = 200',
    'default_pool_size = 32',
    'log_connections = 0',
    'log_disconnections = 0',
    'log_stats = 0',
    '',
  ].join('\n');
}

/**
 * Starts PgBouncer in session pooling mode in front of `upstream`; clients connect as `upstream.user` without a password.
 * @example const bouncer = await startPgbouncer(direct); await runPgbench(bouncer.target, 'simple', settings); await bouncer.close();
 */
export async function startPgbouncer(upstream: PgTarget): Promise<RunningProxy> {
  const dir = mkdtempSync(join(tmpdir(), 'writ-pgbouncer-'));
  // The daemon may run as another account (see unprivilegedUser): it must be able to read its files.
  chmodSync(dir, 0o755);
  const port = await freePort();
  const authFile = join(dir, 'userlist.txt');
  const configFile = join(dir, 'pgbouncer.ini');
  writeFileSync(authFile, `"${upstream.user}" ""\n`, { mode: 0o644 });
  writeFileSync(configFile, config(upstream, port, authFile), { mode: 0o644 });
  const user = unprivilegedUser();
  const server = spawnServer('pgbouncer', [...(user === undefined ? [] : ['-u', user]), configFile]);
  const close = async (): Promise<void> => {
    await server.stop();
    rmSync(dir, { recursive: true, force: true });
  };
  try {
    await waitForPort('127.0.0.1', port, 10_000, () => `pgbouncer: ${server.output()}`);
  } catch (error) {
    await close();
    throw error;
  }
  return { target: { host: '127.0.0.1', port, user: upstream.user, database: upstream.database }, pid: server.child.pid, close };
}
