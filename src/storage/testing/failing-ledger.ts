// Audited transactions whose ledger append can be made to fail once, after the command's state writes, as a full disk would.
import type { AuditedTransactions } from '../audited-transaction.ts';

export interface FailingLedger {
  readonly transactions: AuditedTransactions;
  /** Makes the next ledger append inside a transaction throw. */
  readonly failNextAppend: () => void;
}

/** @example const { transactions, failNextAppend } = withFailingLedger(createAuditedTransactions(db, caps, notify)) */
export function withFailingLedger(real: AuditedTransactions): FailingLedger {
  let failNext = false;
  return {
    transactions: {
      run: (work) =>
        real.run((trx, ledger) =>
          work(trx, {
            async appendPending(entries) {
              if (failNext) {
                failNext = false;
                throw new Error('injected ledger failure');
              }
              await ledger.appendPending(entries);
            },
          }),
        ),
    },
    failNextAppend: () => {
      failNext = true;
    },
  };
}
