// Runs the schema migrations in order, once each, in one transaction, recording them in writ_migrations.
import { sql, type Kysely } from 'kysely';
import { AppError } from '../shared/app-error.ts';
import type { BackendCapabilities } from './dialects/capabilities.ts';
import * as ledger0001 from './migrations/0001-ledger.ts';
import * as identity0002 from './migrations/0002-identity.ts';
import * as eventSearch0003 from './migrations/0003-event-search.ts';
import * as access0004 from './migrations/0004-access.ts';
import * as gateway0005 from './migrations/0005-gateway.ts';
import * as witnessing0006 from './migrations/0006-witnessing.ts';
import * as retention0007 from './migrations/0007-retention.ts';
import type { Database } from './schema.ts';

type MigrationStep = (db: Kysely<unknown>, caps: BackendCapabilities) => Promise<void>;

/** In order; a name, once released, never changes meaning. */
const steps: readonly (readonly [string, MigrationStep])[] = [
  ['0001-ledger', ledger0001.up],
  ['0002-identity', identity0002.up],
  ['0003-event-search', eventSearch0003.up],
  ['0004-access', access0004.up],
  ['0005-gateway', gateway0005.up],
  ['0006-witnessing', witnessing0006.up],
  ['0007-retention', retention0007.up],
];

/**
 * Brings the schema up to date; returns the names of the migrations it ran. Our own small migrator rather than
 * Kysely's: Kysely's introspects every schema of a PostgreSQL database, so a schema dropped meanwhile by another
 * tenant of the database fails it, and its lock table is shared across schemas.
 */
export async function migrateToLatest(db: Kysely<Database>, caps: BackendCapabilities): Promise<string[]> {
  try {
    return await db.transaction().execute(async (trx) => {
      await caps.lockMigrations(trx);
      await sql`create table if not exists writ_migrations (name varchar(128) primary key, applied_at_ms bigint not null)`.execute(trx);
      const done = new Set((await sql<{ name: string }>`select name from writ_migrations`.execute(trx)).rows.map((r) => r.name));
      const ran: string[] = [];
      for (const [name, up] of steps) {
        if (done.has(name)) continue;
        // Migrations only build schema: they see the database untyped, as Kysely's own migrations do.
        await up(trx as unknown as Kysely<unknown>, caps);
        await sql`insert into writ_migrations (name, applied_at_ms) values (${name}, ${Date.now()})`.execute(trx);
        ran.push(name);
      }
      return ran;
    });
  } catch (error) {
    throw new AppError('unavailable', `database migration failed: ${error instanceof Error ? error.message : 'unknown error'}`, { cause: error });
  }
}
