// The Kysely PersonalDataEraser: one audited transaction deletes a subject's log_personal rows and appends the erasure entry.
import type { PersonalDataEraser } from '../ledger/personal-data-eraser.ts';
import type { AuditedTransactions } from './audited-transaction.ts';

/** @example await createKyselyPersonalDataEraser(transactions).eraseSubject('0193…', (count) => entryOf(count)) */
export function createKyselyPersonalDataEraser(transactions: AuditedTransactions): PersonalDataEraser {
  return {
    eraseSubject(subjectId, record) {
      return transactions.run(async (trx, ledger) => {
        const result = await trx
          .deleteFrom('log_personal')
          .where((eb) =>
            eb.or([
              eb('event_id', 'in', eb.selectFrom('log_entries').select('event_id').where('actor_id', '=', subjectId)),
              eb('event_id', 'in', eb.selectFrom('log_pending').select('event_id').where('actor_id', '=', subjectId)),
            ]),
          )
          .executeTakeFirst();
        const erasedCount = Number(result.numDeletedRows);
        await ledger.appendPending([record(erasedCount)]);
        return erasedCount;
      });
    },
  };
}
