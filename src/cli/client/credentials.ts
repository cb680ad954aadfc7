// The CLI's stored login: server URL and API token in the user's config directory, readable by the user alone.
import { chmodSync, mkdirSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { homedir } from 'node:os';
import { dirname, join } from 'node:path';
import { z } from 'zod';
import { AppError } from '../../shared/app-error.ts';

const credentialsSchema = z.strictObject({
  server: z.url().max(2048),
  token: z.string().min(1).max(512),
  username: z.string().min(1).max(64),
  tokenId: z.string().min(1).max(64),
  expiresAt: z.string().max(64).nullable(),
});
export type StoredCredentials = z.infer<typeof credentialsSchema>;

/** `$WRIT_CREDENTIALS`, else `$XDG_CONFIG_HOME/writ/credentials.json`, else `~/.config/writ/credentials.json`. */
export function credentialsPath(env: NodeJS.ProcessEnv): string {
  if (env.WRIT_CREDENTIALS !== undefined && env.WRIT_CREDENTIALS !== '') return env.WRIT_CREDENTIALS;
  const base = env.XDG_CONFIG_HOME !== undefined && env.XDG_CONFIG_HOME !== '' ? env.XDG_CONFIG_HOME : join(homedir(), '.config');
  return join(base, 'writ', 'credentials.json');
}

export function readCredentials(path: string): StoredCredentials | undefined {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw new AppError('config_invalid', `cannot read the stored login in ${path}: ${(error as Error).message}`);
  }
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch {
    throw new AppError('config_invalid', `the stored login in ${path} is not JSON; run writ logout, then writ login`);
  }
  const result = credentialsSchema.safeParse(parsed);
  if (!result.success) throw new AppError('config_invalid', `the stored login in ${path} is not valid; run writ logout, then writ login`);
  return result.data;
}

/** Writes atomically with mode 0600 (directory 0700), so the token is never readable by others, not even briefly. */
export function writeCredentials(path: string, credentials: StoredCredentials): void {
  mkdirSync(dirname(path), { recursive: true, mode: 0o700 });
  const temp = `${path}.${process.pid}.tmp`;
  writeFileSync(temp, `${JSON.stringify(credentials, null, 2)}\n`, { mode: 0o600 });
  chmodSync(temp, 0o600);
  renameSync(temp, path);
}

export function removeCredentials(path: string): void {
  rmSync(path, { force: true });
}
