// A real database with the access, identity and gateway credential stores, a manual clock and two users, for gateway credential tests.
import type { AccessDeps } from '../../access/access-deps.ts';
import type { AccessActor } from '../../access/access-policy.ts';
import type { Grant } from '../../access/access-types.ts';
import { createRequest } from '../../access/request-commands.ts';
import { decideRequest } from '../../access/review-commands.ts';
import { createAuditEntryFactory } from '../../events/audit-entry.ts';
import { readEntry, type AuditEvent } from '../../events/event-preparation.ts';
import type { GatewayCredentialDeps } from '../../gateway/gateway-credentials.ts';
import type { UserId } from '../../identity/user.ts';
import { createManualClock } from '../../shared/clock.ts';
import { createUuidV7Generator } from '../../shared/ids.ts';
import { createAuditedTransactions } from '../audited-transaction.ts';
import type { OpenedDatabase } from '../dialects/capabilities.ts';
import { createKyselyAccessStore } from '../kysely-access-store.ts';
import { createKyselyGatewayCredentialStore } from '../kysely-gateway-credential-store.ts';
import { createKyselyIdentityStore } from '../kysely-identity-store.ts';
import { openDatabase } from '../open-database.ts';
import { fixturePolicy, T0 } from './access-fixture.ts';
import { withFailingLedger } from './failing-ledger.ts';
import { createTestDatabase } from './test-databases.ts';

export { T0 };

export interface GatewayFixture {
  readonly deps: GatewayCredentialDeps;
  readonly access: AccessDeps & { clock: ReturnType<typeof createManualClock> };
  readonly clock: ReturnType<typeof createManualClock>;
  readonly db: OpenedDatabase['db'];
  /** alice (engineers) and bob (leads): real users, so the gateway's lookup by name finds them. */
  readonly alice: AccessActor;
  readonly bob: AccessActor;
  /** A grant for `who`: read-only is approved at once by the fixture policy, read-write needs bob. */
  grant(who: AccessActor, level: 'read-only' | 'read-write', options?: { durationSeconds?: number; startAtMs?: number }): Promise<Grant>;
  disable(who: AccessActor): Promise<void>;
  failNextAppend(): void;
  /** Every event appended so far, with its personal part joined back, and the bytes the ledger holds. */
  events(): Promise<{ event: AuditEvent; bytes: Buffer }[]>;
  close(): Promise<void>;
}

async function insertUser(deps: { store: ReturnType<typeof createKyselyIdentityStore> }, id: string, username: string): Promise<void> {
  await deps.store.transact((tx) =>
    tx.insertUser({ id: id as UserId, username, displayName: username, email: undefined, kind: 'person', roles: ['user'], disabled: false, mustChangePassword: false, createdAtMs: T0, updatedAtMs: T0, passwordHash: undefined }),
  );
}

export async function createGatewayFixture(backend: 'sqlite' | 'postgres'): Promise<GatewayFixture> {
  const testDb = await createTestDatabase(backend);
  const opened = await openDatabase({ dataDir: testDb.dataDir, pgUrl: testDb.pgUrl, durability: 'normal' });
  const clock = createManualClock(T0);
  const ids = createUuidV7Generator(clock);
  const failing = withFailingLedger(createAuditedTransactions(opened.db, opened.capabilities, () => undefined));
  const auditEntry = createAuditEntryFactory({ clock, ids });
  const policy = fixturePolicy({ autoApproveLevel: 'read-only', stages: [{ name: 'leads', groups: ['leads'], users: [], count: 1 }] });
  const access = { store: createKyselyAccessStore(opened.db, failing.transactions), policy: () => policy, clock, ids, auditEntry };
  const users = createKyselyIdentityStore(opened.db, failing.transactions, opened.capabilities);
  const alice: AccessActor = { userId: ids.next(), username: 'alice', roles: ['user'], groups: ['engineers'], ip: '192.0.2.7' };
  const bob: AccessActor = { userId: ids.next(), username: 'bob', roles: ['user'], groups: ['leads'] };
  await insertUser({ store: users }, alice.userId, alice.username);
  await insertUser({ store: users }, bob.userId, bob.username);
  const deps: GatewayCredentialDeps = { credentials: createKyselyGatewayCredentialStore(opened.db, failing.transactions), access, users, ids, auditEntry };
  return {
    deps,
    access,
    clock,
    db: opened.db,
    alice,
    bob,
    async grant(who, level, options = {}) {
      const input = { resourceId: 'pg-prod', level, durationSeconds: options.durationSeconds ?? 3600, reason: 'INC-1', ticket: undefined, startAtMs: options.startAtMs };
      const { request, grant } = await createRequest(access, who, input);
      if (grant !== undefined) return grant;
      const decided = await decideRequest(access, bob, request.id, { verdict: 'approve', comment: undefined, durationSeconds: undefined, startAtMs: undefined });
      if (decided.grant === undefined) throw new Error('the fixture grant was not approved');
      return decided.grant;
    },
    async disable(who) {
      await users.transact((tx) => tx.updateUser(who.userId as UserId, { disabled: true, updatedAtMs: clock.nowMs() }));
    },
    failNextAppend: failing.failNextAppend,
    async events() {
      const rows = await opened.db
        .selectFrom('log_pending')
        .leftJoin('log_personal', 'log_personal.event_id', 'log_pending.event_id')
        .select(['log_pending.entry', 'log_personal.value'])
        .orderBy('log_pending.seq')
        .execute();
      return rows.map((row) => ({ event: readEntry(row.entry, row.value ?? undefined), bytes: Buffer.concat([row.entry, row.value ?? Buffer.alloc(0)]) }));
    },
    async close() {
      await opened.close();
      await testDb.dispose();
    },
  };
}
