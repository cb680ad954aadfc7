// Reads the configuration once: flags, then WRIT_* environment variables, then an optional config file.
import { readFileSync } from 'node:fs';
import { parse as parseYaml } from 'yaml';
import { AppError } from '../shared/app-error.ts';
import { configEnvNames, configSchema, type WritConfig } from './config-schema.ts';

export type ConfigFlags = Partial<Record<keyof WritConfig, string | number | undefined>>;

function fromEnvironment(env: NodeJS.ProcessEnv): Record<string, string> {
  const found: Record<string, string> = {};
  for (const [key, name] of Object.entries(configEnvNames)) {
    const value = env[name];
    if (value !== undefined && value !== '') found[key] = value;
  }
  return found;
}

function fromFile(path: string): Record<string, unknown> {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (error) {
    throw new AppError('config_invalid', `cannot read config file "${path}": ${(error as Error).message}`);
  }
  let parsed: unknown;
  try {
    parsed = parseYaml(text);
  } catch (error) {
    throw new AppError('config_invalid', `config file "${path}" is not valid YAML or JSON: ${(error as Error).message}`);
  }
  if (parsed === null || parsed === undefined) return {};
  if (typeof parsed !== 'object' || Array.isArray(parsed)) {
    throw new AppError('config_invalid', `config file "${path}" must hold a mapping of settings`);
  }
  return parsed as Record<string, unknown>;
}

function definedOnly(flags: ConfigFlags): Record<string, string | number> {
  const out: Record<string, string | number> = {};
  for (const [key, value] of Object.entries(flags)) if (value !== undefined) out[key] = value;
  return out;
}

/**
 * Loads and validates the configuration; the result is frozen.
 * @example loadConfig({ dataDir: './x' }, process.env, undefined).dataDir // './x'
 */
export function loadConfig(flags: ConfigFlags, env: NodeJS.ProcessEnv, configFile: string | undefined): WritConfig {
  const merged = { ...(configFile === undefined ? {} : fromFile(configFile)), ...fromEnvironment(env), ...definedOnly(flags) };
  const result = configSchema.safeParse(merged);
  if (!result.success) {
    const problems = result.error.issues.map((i) => {
      const key = i.path.join('.');
      const envName = configEnvNames[key as keyof WritConfig] as string | undefined;
      return `${key}${envName === undefined ? '' : ` (${envName})`}: ${i.message}`;
    });
    throw new AppError('config_invalid', `invalid configuration: ${problems.join('; ')}`);
  }
  return Object.freeze(result.data);
}
