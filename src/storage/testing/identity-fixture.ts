// A real database with the identity store, the ledger and a manual clock, for tests of identity commands on both backends.
import { createAuditEntryFactory } from '../../events/audit-entry.ts';
import { readEntry, type AuditEvent } from '../../events/event-preparation.ts';
import { defaultIdentitySettings, type IdentitySettings } from '../../identity/identity-settings.ts';
import { createIdentityService, type IdentityService } from '../../identity/identity-service.ts';
import type { IdentityStore } from '../../identity/identity-store.ts';
import type { SessionPrincipal } from '../../identity/principal.ts';
import { createManualClock } from '../../shared/clock.ts';
import { createUuidV7Generator } from '../../shared/ids.ts';
import { createAuditedTransactions } from '../audited-transaction.ts';
import { withFailingLedger } from './failing-ledger.ts';
import { createKyselyIdentityStore } from '../kysely-identity-store.ts';
import { openDatabase } from '../open-database.ts';
import { createTestDatabase } from './test-databases.ts';

export const T0 = Date.UTC(2026, 10, 25, 9, 0, 0);
export const ADMIN_PASSWORD = 'root of all trust 2026';

/** Cheap argon2 for speed: a settings parameter, not a test-only branch. */
export const testSettings: IdentitySettings = { ...defaultIdentitySettings, argon2: { memoryKiB: 1024, timeCost: 1, parallelism: 1 } };

/** One appended event with the exact bytes the ledger holds for it (entry and personal part). */
export interface LedgerRecord {
  readonly event: AuditEvent;
  readonly bytes: Buffer;
}

export interface IdentityFixture {
  readonly identity: IdentityService;
  readonly store: IdentityStore;
  readonly clock: ReturnType<typeof createManualClock>;
  /** Every delay the service waited out (the manual clock moved by it). */
  readonly sleeps: number[];
  /** Makes the next ledger append inside a command fail (to test atomicity). */
  failNextAppend(): void;
  /** Every event appended so far, in order, with its personal part joined back. */
  events(): Promise<LedgerRecord[]>;
  /** Signs in as the bootstrapped admin. */
  signInAdmin(): Promise<SessionPrincipal>;
  close(): Promise<void>;
}

export async function createIdentityFixture(backend: 'sqlite' | 'postgres', settings: IdentitySettings = testSettings): Promise<IdentityFixture> {
  const testDb = await createTestDatabase(backend);
  const opened = await openDatabase({ dataDir: testDb.dataDir, pgUrl: testDb.pgUrl, durability: 'normal' });
  const clock = createManualClock(T0);
  const ids = createUuidV7Generator(clock);
  const real = createAuditedTransactions(opened.db, opened.capabilities, () => undefined);
  const failing = withFailingLedger(real);
  const transactions = failing.transactions;
  const store = createKyselyIdentityStore(opened.db, transactions, opened.capabilities);
  const sleeps: number[] = [];
  const sleep = (ms: number): Promise<void> => {
    sleeps.push(ms);
    clock.advanceMs(ms);
    return Promise.resolve();
  };
  const identity = createIdentityService({ store, clock, ids, auditEntry: createAuditEntryFactory({ clock, ids }), settings, sleep });
  return {
    identity,
    store,
    clock,
    sleeps,
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
    async signInAdmin() {
      await identity.bootstrapAdmin({ password: ADMIN_PASSWORD });
      const result = await identity.login({ username: 'admin', password: ADMIN_PASSWORD, ip: '192.0.2.1', userAgent: 'test' });
      if (result.kind !== 'signed-in') throw new Error(`admin sign-in failed: ${result.kind}`);
      return result.principal;
    },
    async close() {
      await opened.close();
      await testDb.dispose();
    },
  };
}
