// SQLite set-up: better-sqlite3 in WAL mode, writers serialised with BEGIN IMMEDIATE, prepared statements cached, checkpoints off-thread.
import { chmodSync } from 'node:fs';
import BetterSqlite3 from 'better-sqlite3';
import { CompiledQuery, Kysely, SqliteAdapter, SqliteDialect, SqliteDriver, type DatabaseConnection, type DialectAdapter } from 'kysely';
import type { Database } from '../schema.ts';
import type { BackendCapabilities, OpenedDatabase } from './capabilities.ts';
import { createWalCheckpointer } from './sqlite-checkpointer.ts';
import { createSqliteEntryReader } from './sqlite-entry-reader.ts';

export type Durability = 'normal' | 'full';

/**
 * Page size of new databases (an existing one keeps its own). Each WAL page is a write() of its own: 16 KiB
 * pages write appended rows with a quarter of the calls of 4 KiB ones, and hold a whole 8 KiB tile. Measured
 * with the ledger's inserts, sequencing and search rows: about 15% less CPU per event than 4 KiB.
 */
const PAGE_BYTES = 16_384;
/**
 * WAL the main connection lets accumulate before it checkpoints on its own: the worker normally has copied
 * it long before, so this only rewinds the WAL file (and bounds it if the worker falls behind).
 */
const MAIN_AUTOCHECKPOINT_BYTES = 32 * 1024 * 1024;
/** SQLite's default, while no checkpoint worker runs. */
const DEFAULT_AUTOCHECKPOINT_PAGES = 1000;
/** Page cache per connection (negative: KiB): the tree's edge tiles and the entries' index pages stay in memory. */
const CACHE_KIB = 65_536;
/**
 * Reads of the database file through a memory map rather than a read() call per page (SQLite's default
 * ceiling, 0x7fff0000): `writ verify` reads every entry, and a 1,000,000-entry log is about 1.3 GB.
 */
const MMAP_BYTES = 0x7fff0000;

/** Every transaction takes the write lock at BEGIN, so two processes never deadlock upgrading a read lock. */
class ImmediateSqliteDriver extends SqliteDriver {
  readonly #committed: () => void;
  constructor(config: ConstructorParameters<typeof SqliteDriver>[0], committed: () => void) {
    super(config);
    this.#committed = committed;
  }
  override async beginTransaction(connection: DatabaseConnection): Promise<void> {
    await connection.executeQuery(CompiledQuery.raw('begin immediate'));
  }
  override async commitTransaction(connection: DatabaseConnection): Promise<void> {
    await super.commitTransaction(connection);
    this.#committed();
  }
}

/**
 * SQLite DDL is transactional: saying so makes Kysely's migrator run in one BEGIN IMMEDIATE transaction, so two processes
 * opening a new database at once take turns (Kysely's own SQLite migration lock only works within one process).
 */
class TransactionalDdlSqliteAdapter extends SqliteAdapter {
  override get supportsTransactionalDdl(): boolean {
    return true;
  }
}

class ImmediateSqliteDialect extends SqliteDialect {
  readonly #database: BetterSqlite3.Database;
  readonly #committed: () => void;
  constructor(database: BetterSqlite3.Database, committed: () => void) {
    super({ database });
    this.#database = database;
    this.#committed = committed;
  }
  override createDriver(): SqliteDriver {
    return new ImmediateSqliteDriver({ database: cachingDatabase(this.#database) }, this.#committed);
  }
  override createAdapter(): DialectAdapter {
    return new TransactionalDdlSqliteAdapter();
  }
}

/** Wraps the database so each SQL text is prepared once (Kysely prepares on every call). */
function cachingDatabase(database: BetterSqlite3.Database): BetterSqlite3.Database {
  const statements = new Map<string, BetterSqlite3.Statement>();
  return new Proxy(database, {
    get(target, property, receiver) {
      if (property === 'prepare') {
        return (sqlText: string) => {
          let statement = statements.get(sqlText);
          if (statement === undefined) {
            statement = target.prepare(sqlText);
            if (statements.size > 500) statements.clear();
            statements.set(sqlText, statement);
          }
          return statement;
        };
      }
      const value: unknown = Reflect.get(target, property, receiver);
      return typeof value === 'function' ? (value as (...args: unknown[]) => unknown).bind(target) : value;
    },
  });
}

const sqliteCapabilities: BackendCapabilities = {
  name: 'sqlite',
  serialType: 'integer',
  serialPrimaryKey: (column) => column.primaryKey().autoIncrement(),
  bytesType: 'blob',
  maxParameters: 32_000,
  appendTransactionsInFlight: 1,
  tryLockSequencer: () => Promise.resolve(true),
  lockMigrations: () => Promise.resolve(),
  isUniqueViolation: (error) =>
    error instanceof BetterSqlite3.SqliteError && (error.code === 'SQLITE_CONSTRAINT_UNIQUE' || error.code === 'SQLITE_CONSTRAINT_PRIMARYKEY'),
};

/** Opens (creating if needed) the SQLite database at `path`. */
export function openSqliteDatabase(path: string, options: { durability: Durability }): OpenedDatabase {
  const database = new BetterSqlite3(path);
  chmodSync(path, 0o600);
  // The busy timeout first: switching a new database to WAL while another process opens it must wait, not fail.
  database.pragma('busy_timeout = 10000');
  database.pragma(`page_size = ${PAGE_BYTES}`); // before WAL: only a new database takes it
  database.pragma('journal_mode = WAL');
  const synchronous = options.durability === 'full' ? 'FULL' : 'NORMAL';
  database.pragma(`synchronous = ${synchronous}`);
  database.pragma('foreign_keys = ON');
  database.pragma(`cache_size = ${-CACHE_KIB}`);
  database.pragma(`mmap_size = ${MMAP_BYTES}`);
  database.defaultSafeIntegers(false);
  const checkpointer = createWalCheckpointer({
    path,
    synchronous,
    onStarted: () => database.pragma(`wal_autocheckpoint = ${Math.ceil(MAIN_AUTOCHECKPOINT_BYTES / Number(database.pragma('page_size', { simple: true })))}`),
    onUnavailable: () => database.pragma(`wal_autocheckpoint = ${DEFAULT_AUTOCHECKPOINT_PAGES}`),
  });
  const db = new Kysely<Database>({ dialect: new ImmediateSqliteDialect(database, () => {
    checkpointer.committed();
  }) });
  const entryBlockReader = createSqliteEntryReader({ path, mmapBytes: MMAP_BYTES });
  return {
    db,
    capabilities: sqliteCapabilities,
    entryBlockReader,
    close: async () => {
      // The workers' connections first: the main connection, closing last, then checkpoints and removes the WAL.
      await Promise.all([checkpointer.close(), entryBlockReader.close()]);
      await db.destroy();
    },
  };
}
