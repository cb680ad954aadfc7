// One database transaction that changes state and appends its audit entries together (ARCHITECTURE rule 2).
import type { Kysely } from 'kysely';
import type { LedgerWriter } from '../ledger/ledger-store.ts';
import type { BackendCapabilities } from './dialects/capabilities.ts';
import { insertPending } from './pending-insert.ts';
import type { Database } from './schema.ts';

export interface AuditedTransactions {
  /**
   * Runs `work` in one transaction; entries it appends through `ledger` commit or roll back with its
   * state changes. After a commit that appended entries, the sequencer is told.
   */
  run<T>(work: (trx: Kysely<Database>, ledger: LedgerWriter) => Promise<T>): Promise<T>;
}

/** @example await createAuditedTransactions(db, caps, notify).run(async (trx, ledger) => { ...; await ledger.appendPending([entry]); }) */
export function createAuditedTransactions(
  db: Kysely<Database>,
  caps: BackendCapabilities,
  onCommitted: (count: number) => void,
): AuditedTransactions {
  return {
    async run(work) {
      let appended = 0;
      const result = await db.transaction().execute(async (trx) => {
        const ledger: LedgerWriter = {
          async appendPending(entries) {
            if (entries.length === 0) return;
            await insertPending(trx, entries, caps);
            appended += entries.length;
          },
        };
        return work(trx, ledger);
      });
      if (appended > 0) onCommitted(appended);
      return result;
    },
  };
}
