// The GatewayCredentialStore port over Kysely: one implementation for SQLite and PostgreSQL.
import type { Kysely, Selectable } from 'kysely';
import type { GrantId } from '../access/access-types.ts';
import type {
  CredentialQuery,
  GatewayCredential,
  GatewayCredentialId,
  GatewayCredentialStore,
  GatewayCredentialTransaction,
} from '../gateway/gateway-credential-store.ts';
import type { AuditedTransactions } from './audited-transaction.ts';
import type { Database } from './schema.ts';
import type { GatewayCredentialsTable } from './schema-gateway.ts';

type Executor = Kysely<Database>;

function credentialRow(c: GatewayCredential): GatewayCredentialsTable {
  return {
    id: c.id,
    user_id: c.userId,
    resource_id: c.resourceId,
    grant_id: c.grantId,
    level: c.level,
    scram_salt: Buffer.from(c.verifier.salt),
    scram_iterations: c.verifier.iterations,
    scram_stored_key: Buffer.from(c.verifier.storedKey),
    scram_server_key: Buffer.from(c.verifier.serverKey),
    created_at_ms: c.createdAtMs,
    expires_at_ms: c.expiresAtMs,
  };
}

/** Copies the bytes out: a driver's Buffer may be a view into a larger shared one. */
function toCredential(row: Selectable<GatewayCredentialsTable>): GatewayCredential {
  return {
    id: row.id as GatewayCredentialId,
    userId: row.user_id,
    resourceId: row.resource_id,
    grantId: row.grant_id as GrantId,
    level: row.level,
    verifier: {
      salt: Buffer.from(row.scram_salt),
      iterations: row.scram_iterations,
      storedKey: Buffer.from(row.scram_stored_key),
      serverKey: Buffer.from(row.scram_server_key),
    },
    createdAtMs: row.created_at_ms,
    expiresAtMs: row.expires_at_ms,
  };
}

async function trimUnexpired(trx: Executor, userId: string, resourceId: string, nowMs: number, keep: number): Promise<number> {
  const surplus = await trx
    .selectFrom('gateway_credentials')
    .select('id')
    .where('user_id', '=', userId)
    .where('resource_id', '=', resourceId)
    .where('expires_at_ms', '>', nowMs)
    .orderBy('created_at_ms', 'desc')
    .orderBy('id', 'desc')
    .limit(1000)
    .offset(keep)
    .execute();
  if (surplus.length === 0) return 0;
  const result = await trx.deleteFrom('gateway_credentials').where('id', 'in', surplus.map((r) => r.id)).executeTakeFirst();
  return Number(result.numDeletedRows);
}

function transactionOver(trx: Executor, ledger: GatewayCredentialTransaction['ledger']): GatewayCredentialTransaction {
  return {
    ledger,
    async insert(credential) {
      await trx.insertInto('gateway_credentials').values(credentialRow(credential)).execute();
    },
    trimUnexpired: (userId, resourceId, nowMs, keep) => trimUnexpired(trx, userId, resourceId, nowMs, keep),
    async deleteExpiredBefore(beforeMs) {
      const result = await trx.deleteFrom('gateway_credentials').where('expires_at_ms', '<', beforeMs).executeTakeFirst();
      return Number(result.numDeletedRows);
    },
  };
}

async function list(db: Executor, query: CredentialQuery): Promise<GatewayCredential[]> {
  const mine = db.selectFrom('gateway_credentials').selectAll().where('user_id', '=', query.userId).where('resource_id', '=', query.resourceId);
  const rows =
    query.state === 'unexpired'
      ? await mine.where('expires_at_ms', '>', query.nowMs).orderBy('created_at_ms', 'desc').orderBy('id', 'desc').limit(query.limit).execute()
      : await mine
          .where('expires_at_ms', '<=', query.nowMs)
          .where('expires_at_ms', '>', query.sinceMs ?? Number.MIN_SAFE_INTEGER)
          .orderBy('expires_at_ms', 'desc')
          .orderBy('id', 'desc')
          .limit(query.limit)
          .execute();
  return rows.map(toCredential);
}

/** Creates the GatewayCredentialStore; its transactions append ledger entries through `transactions`. */
export function createKyselyGatewayCredentialStore(db: Executor, transactions: AuditedTransactions): GatewayCredentialStore {
  return {
    transact: (work) => transactions.run((trx, ledger) => work(transactionOver(trx, ledger))),
    list: (query) => list(db, query),
  };
}
