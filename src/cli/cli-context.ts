// What every command shares: the global options, reading the configuration once, and opening the app around a command.
import type { Command } from 'commander';
import { openApp, type WritApp } from '../app.ts';
import type { WritConfig } from '../config/config-schema.ts';
import { loadConfig, type ConfigFlags } from '../config/load-config.ts';

interface GlobalOptions {
  data?: string;
  pg?: string;
  config?: string;
  durability?: string;
  origin?: string;
  listen?: string;
}

/** Adds the options every command takes. */
export function addGlobalOptions(program: Command): Command {
  return program
    .option('--data <dir>', 'data directory (SQLite database, signing key)', undefined)
    .option('--pg <url>', 'use PostgreSQL at this URL instead of SQLite')
    .option('--config <file>', 'configuration file (YAML or JSON)')
    .option('--durability <mode>', 'SQLite durability: normal (survives a crash) or full (survives power loss)')
    .option('--origin <origin>', 'log origin, also the signing key name (e.g. audit.example.com/writ)')
    .option('--server <url>', 'Writ server for the API commands (default: $WRIT_SERVER, the server logged in to, or http://127.0.0.1:7070)');
}

/** The configuration for a command: flags, then WRIT_* variables, then the config file. */
export function configFor(command: Command, extra: ConfigFlags = {}): WritConfig {
  const o = command.optsWithGlobals<GlobalOptions>();
  const flags: ConfigFlags = { dataDir: o.data, pgUrl: o.pg, durability: o.durability, logOrigin: o.origin, ...extra };
  return loadConfig(flags, process.env, o.config ?? process.env.WRIT_CONFIG);
}

/** Opens the app for one command and always closes it. */
export async function withApp<T>(command: Command, work: (app: WritApp) => Promise<T>, extra: ConfigFlags = {}): Promise<T> {
  const app = await openApp(configFor(command, extra));
  try {
    return await work(app);
  } finally {
    await app.close();
  }
}

/** Writes to stdout and waits until it is flushed (so piped output is never cut short). */
export function writeOut(text: string | Uint8Array): Promise<void> {
  return new Promise((resolve, reject) => {
    process.stdout.write(text, (error) => {
      if (error) reject(error);
      else resolve();
    });
  });
}
