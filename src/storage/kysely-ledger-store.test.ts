// Runs the LedgerStore contract against SQLite and PostgreSQL.
import { ledgerStoreContract } from './testing/ledger-store.contract.ts';
import { testBackends } from './testing/test-databases.ts';

for (const backend of testBackends) ledgerStoreContract(backend);
