// What differs between the backends, as data: the dialect files fill it in, the rest of storage/ reads it.
import type { ColumnDefinitionBuilder, Kysely } from 'kysely';
import type { EntryBlock, EntryBlockBuffers } from '../../ledger/entry-block.ts';
import type { Database } from '../schema.ts';

export interface BackendCapabilities {
  readonly name: 'sqlite' | 'postgres';
  /** Column type of an auto-incrementing 64-bit key. */
  readonly serialType: 'integer' | 'bigserial';
  /** Makes a `serialType` column the auto-incrementing primary key. */
  serialPrimaryKey(column: ColumnDefinitionBuilder): ColumnDefinitionBuilder;
  /** Column type of raw bytes. */
  readonly bytesType: 'blob' | 'bytea';
  /** Most bind parameters one statement may carry. */
  readonly maxParameters: number;
  /** Group-commit transactions worth having in flight at once: 1 where writers are serialised anyway (SQLite). */
  readonly appendTransactionsInFlight: number;
  /**
   * Serialises schema migrations across processes for the current transaction (PostgreSQL: an advisory lock keyed by
   * schema; SQLite: BEGIN IMMEDIATE already holds the write lock).
   */
  lockMigrations(trx: Kysely<Database>): Promise<void>;
  /** True when `error` is the driver's unique-constraint violation. */
  isUniqueViolation(error: unknown): boolean;
  /**
   * Takes the sequencer role for the current transaction; false when another process holds it.
   * SQLite serialises writers through its write lock, so there it is always true.
   */
  tryLockSequencer(trx: Kysely<Database>): Promise<boolean>;
}

/** Reads sequenced entries in bulk off the main thread (its own connection), as LedgerStore.readEntryBlock. */
export interface EntryBlockReader {
  read(fromIndex: number, toIndex: number, reuse?: EntryBlockBuffers): Promise<EntryBlock>;
}

export interface OpenedDatabase {
  readonly db: Kysely<Database>;
  readonly capabilities: BackendCapabilities;
  /** Where the backend has one (SQLite): bulk reads on a worker thread, for `writ verify`. */
  readonly entryBlockReader?: EntryBlockReader;
  close(): Promise<void>;
}
