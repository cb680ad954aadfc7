// Opens the configured backend (SQLite in the data directory, or PostgreSQL) and brings its schema up to date.
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import type { OpenedDatabase } from './dialects/capabilities.ts';
import type { Durability } from './dialects/sqlite.ts';
import { migrateToLatest } from './migrate.ts';

export const SQLITE_FILE = 'writ.db';

export interface DatabaseSettings {
  readonly dataDir: string;
  readonly pgUrl: string | undefined;
  readonly durability: Durability;
}

/** Opens the database the settings name and migrates it. */
export async function openDatabase(settings: DatabaseSettings): Promise<OpenedDatabase> {
  let opened: OpenedDatabase;
  if (settings.pgUrl === undefined) {
    mkdirSync(settings.dataDir, { recursive: true, mode: 0o700 });
    // Each driver is loaded only when chosen: loading both costs every CLI command start-up time.
    const { openSqliteDatabase } = await import('./dialects/sqlite.ts');
    opened = openSqliteDatabase(join(settings.dataDir, SQLITE_FILE), { durability: settings.durability });
  } else {
    const { openPostgresDatabase } = await import('./dialects/postgres.ts');
    opened = openPostgresDatabase(settings.pgUrl);
  }
  try {
    await migrateToLatest(opened.db, opened.capabilities);
  } catch (error) {
    await opened.close();
    throw error;
  }
  return opened;
}
