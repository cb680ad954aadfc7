// Runs the IdentityStore contract against SQLite and PostgreSQL.
import { identityStoreContract } from './testing/identity-store.contract.ts';
import { testBackends } from './testing/test-databases.ts';

for (const backend of testBackends) identityStoreContract(backend);
