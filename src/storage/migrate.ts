// Runs the schema migrations in order, once each, recording them in Kysely's migration table.
import { Migrator, type Migration, type MigrationProvider, type Kysely } from 'kysely';
import { AppError } from '../shared/app-error.ts';
import type { BackendCapabilities } from './dialects/capabilities.ts';
import * as ledger0001 from './migrations/0001-ledger.ts';
import * as identity0002 from './migrations/0002-identity.ts';
import * as eventSearch0003 from './migrations/0003-event-search.ts';
import * as access0004 from './migrations/0004-access.ts';
import type { Database } from './schema.ts';

type MigrationStep = (db: Kysely<unknown>, caps: BackendCapabilities) => Promise<void>;

const steps: Readonly<Record<string, MigrationStep>> = {
  '0001-ledger': ledger0001.up,
  '0002-identity': identity0002.up,
  '0003-event-search': eventSearch0003.up,
  '0004-access': access0004.up,
};

function providerFor(caps: BackendCapabilities): MigrationProvider {
  return {
    getMigrations: () => {
      const migrations: Record<string, Migration> = {};
      for (const [name, up] of Object.entries(steps)) migrations[name] = { up: (db) => up(db, caps) };
      return Promise.resolve(migrations);
    },
  };
}

/** Brings the schema up to date; returns the names of the migrations it ran. */
export async function migrateToLatest(db: Kysely<Database>, caps: BackendCapabilities): Promise<string[]> {
  // Capabilities land in parallel, so a database may have a later-numbered migration before an earlier one.
  const schema = await caps.migrationSchema(db);
  const migrator = new Migrator({ db, provider: providerFor(caps), allowUnorderedMigrations: true, ...(schema === undefined ? {} : { migrationTableSchema: schema }) });
  const { error, results } = await migrator.migrateToLatest();
  if (error !== undefined) {
    throw new AppError('unavailable', `database migration failed: ${error instanceof Error ? error.message : 'unknown error'}`, { cause: error });
  }
  return (results ?? []).filter((r) => r.status === 'Success').map((r) => r.migrationName);
}
