// PostgreSQL set-up: a pg pool whose 64-bit integers arrive as numbers, and the sequencer's advisory lock.
import { Kysely, PostgresDialect, sql } from 'kysely';
import pg from 'pg';
import type { Database } from '../schema.ts';
import type { BackendCapabilities, OpenedDatabase } from './capabilities.ts';

const INT8_OID = 20;

function parseInt8(value: string): number {
  const parsed = Number(value);
  if (!Number.isSafeInteger(parsed)) throw new RangeError(`64-bit integer ${value} exceeds the safe range`);
  return parsed;
}

const postgresCapabilities: BackendCapabilities = {
  name: 'postgres',
  serialType: 'bigserial',
  serialPrimaryKey: (column) => column.primaryKey(),
  bytesType: 'bytea',
  maxParameters: 60_000,
  // While one transaction waits for its COMMIT (a round trip and an fsync), the next batch is being written.
  appendTransactionsInFlight: 3,
  async lockMigrations(trx) {
    await sql`select pg_advisory_xact_lock(hashtext(current_schema() || '.writ.migrate'))`.execute(trx);
  },
  isUniqueViolation: (error) => error instanceof pg.DatabaseError && error.code === '23505',
  async tryLockSequencer(trx) {
    // The lock is keyed by schema, so several Writ logs can share one database without contending.
    const result = await sql<{ locked: boolean }>`select pg_try_advisory_xact_lock(hashtext(current_schema() || '.writ.sequencer')) as locked`.execute(trx);
    return result.rows[0]?.locked === true;
  },
};

/** A dropped connection's error, as a process warning: the server's words only, never the connection string. */
function warnConnectionLost(error: Error): void {
  process.emitWarning(`a PostgreSQL connection of Writ's store was lost and will be replaced: ${error.message}`, { code: 'WRIT_STORE_CONNECTION_LOST' });
}

/**
 * Connects to PostgreSQL at `url`; `schema`, when given, becomes the search path of every connection.
 * A connection the server ends (a restart, a failover, `pg_terminate_backend`, an idle timeout) raises an 'error' on
 * its client: without a listener that event would end the whole process, so every client and the pool get one, and
 * the pool replaces the connection at the next use (`onConnectionError` hears of it).
 */
export function openPostgresDatabase(url: string, options: { schema?: string; maxConnections?: number; onConnectionError?: (error: Error) => void } = {}): OpenedDatabase {
  if (options.schema !== undefined && !/^[a-z_][a-z0-9_]{0,62}$/.test(options.schema)) {
    throw new RangeError(`schema name "${options.schema}" must be a lower-case SQL identifier`);
  }
  const builtin = pg.types.getTypeParser.bind(pg.types) as (oid: number, format: 'text' | 'binary') => (value: string) => unknown;
  const types = {
    getTypeParser: (oid: number, format?: 'text' | 'binary') => (oid === INT8_OID ? parseInt8 : builtin(oid, format ?? 'text')),
  };
  const pool = new pg.Pool({
    connectionString: url,
    max: options.maxConnections ?? 10,
    types,
    ...(options.schema === undefined ? {} : { options: `-c search_path=${options.schema}` }),
  });
  const onConnectionError = options.onConnectionError ?? warnConnectionLost;
  pool.on('error', onConnectionError);
  pool.on('connect', (client) => {
    client.on('error', onConnectionError);
  });
  const db = new Kysely<Database>({ dialect: new PostgresDialect({ pool }) });
  return { db, capabilities: postgresCapabilities, close: () => db.destroy() };
}
