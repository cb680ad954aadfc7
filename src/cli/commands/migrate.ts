// `writ migrate`: brings the database schema up to date (Writ also does this at every start).
import type { Command } from 'commander';
import { openDatabase } from '../../storage/open-database.ts';
import { configFor, writeOut } from '../cli-context.ts';

export function registerMigrate(program: Command): void {
  program
    .command('migrate')
    .description('create or update the database schema')
    .action(async (_options: unknown, command: Command) => {
      const config = configFor(command);
      const opened = await openDatabase({ dataDir: config.dataDir, pgUrl: config.pgUrl, durability: config.durability });
      await opened.close();
      await writeOut(`schema is up to date (${opened.capabilities.name})\n`);
    });
}
