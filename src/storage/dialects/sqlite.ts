// SQLite set-up: better-sqlite3 in WAL mode, writers serialised with BEGIN IMMEDIATE, prepared statements cached.
import { chmodSync } from 'node:fs';
import BetterSqlite3 from 'better-sqlite3';
import { CompiledQuery, Kysely, SqliteAdapter, SqliteDialect, SqliteDriver, type DatabaseConnection, type DialectAdapter } from 'kysely';
import type { Database } from '../schema.ts';
import type { BackendCapabilities, OpenedDatabase } from './capabilities.ts';

export type Durability = 'normal' | 'full';

/** Every transaction takes the write lock at BEGIN, so two processes never deadlock upgrading a read lock. */
class ImmediateSqliteDriver extends SqliteDriver {
  override async beginTransaction(connection: DatabaseConnection): Promise<void> {
    await connection.executeQuery(CompiledQuery.raw('begin immediate'));
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
  constructor(database: BetterSqlite3.Database) {
    super({ database });
    this.#database = database;
  }
  override createDriver(): SqliteDriver {
    return new ImmediateSqliteDriver({ database: cachingDatabase(this.#database) });
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
  tryLockSequencer: () => Promise.resolve(true),
  isUniqueViolation: (error) =>
    error instanceof BetterSqlite3.SqliteError && (error.code === 'SQLITE_CONSTRAINT_UNIQUE' || error.code === 'SQLITE_CONSTRAINT_PRIMARYKEY'),
};

/** Opens (creating if needed) the SQLite database at `path`. */
export function openSqliteDatabase(path: string, options: { durability: Durability }): OpenedDatabase {
  const database = new BetterSqlite3(path);
  chmodSync(path, 0o600);
  // The busy timeout first: switching a new database to WAL while another process opens it must wait, not fail.
  database.pragma('busy_timeout = 10000');
  database.pragma('journal_mode = WAL');
  database.pragma(`synchronous = ${options.durability === 'full' ? 'FULL' : 'NORMAL'}`);
  database.pragma('foreign_keys = ON');
  database.defaultSafeIntegers(false);
  const db = new Kysely<Database>({ dialect: new ImmediateSqliteDialect(database) });
  return { db, capabilities: sqliteCapabilities, close: () => db.destroy() };
}
