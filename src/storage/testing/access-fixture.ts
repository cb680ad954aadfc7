// A real database with the access store, the ledger and a manual clock, for tests of access commands on both backends.
import type { AccessDeps } from '../../access/access-deps.ts';
import type { AccessActor, AccessPolicy, ResourceSummary } from '../../access/access-policy.ts';
import type { WorkflowSnapshot } from '../../access/access-types.ts';
import { createAuditEntryFactory } from '../../events/audit-entry.ts';
import type { LedgerStore } from '../../ledger/ledger-store.ts';
import { createManualClock } from '../../shared/clock.ts';
import { createUuidV7Generator } from '../../shared/ids.ts';
import { createAuditedTransactions } from '../audited-transaction.ts';
import { withFailingLedger } from './failing-ledger.ts';
import { createKyselyAccessStore } from '../kysely-access-store.ts';
import { createKyselyLedgerStore } from '../kysely-ledger-store.ts';
import { openDatabase } from '../open-database.ts';
import { createTestDatabase } from './test-databases.ts';

export const T0 = Date.UTC(2026, 10, 25, 9, 0, 0);

/** A small hand-written policy for workflow tests (the Cedar-backed one has its own tests). */
export interface FixturePolicyOptions {
  stages?: WorkflowSnapshot['stages'];
  onDenial?: 'deny' | 'ignore';
  selfApproval?: boolean;
  autoApproveLevel?: string;
  breakGlass?: boolean;
  maxDurationSeconds?: number;
  pendingTtlSeconds?: number;
}

export function fixturePolicy(options: FixturePolicyOptions = {}): AccessPolicy {
  const resources: ResourceSummary[] = [{ id: 'pg-prod', kind: 'postgres', name: 'Production', labels: { env: 'prod' }, levels: ['read-only', 'read-write'] }];
  const workflow: WorkflowSnapshot = {
    policy: 'fixture',
    stages: options.stages ?? [{ name: 'leads', groups: ['leads'], users: [], count: 1 }],
    onDenial: options.onDenial ?? 'deny',
    selfApproval: options.selfApproval ?? false,
    maxDurationSeconds: options.maxDurationSeconds ?? 8 * 3600,
  };
  return {
    version: 1,
    resource: (id) => resources.find((r) => r.id === id),
    resources: () => resources,
    decideRequest(ask) {
      if (!resources.some((r) => r.id === ask.resourceId && r.levels.includes(ask.level))) return { kind: 'deny', reasons: [`no policy lets ${ask.requester.username} request ${ask.level} on ${ask.resourceId}`] };
      if (ask.durationSeconds > workflow.maxDurationSeconds) return { kind: 'deny', reasons: [`the longest grant is ${workflow.maxDurationSeconds} s`] };
      if (ask.breakGlass) return options.breakGlass === true ? { kind: 'break-glass', workflow, notify: ['security'] } : { kind: 'deny', reasons: ['break-glass is not allowed'] };
      if (ask.level === options.autoApproveLevel) return { kind: 'auto-approve', workflow, rule: 'fixture.auto' };
      return { kind: 'needs-approval', workflow, pendingTtlSeconds: options.pendingTtlSeconds ?? 3600 };
    },
    decideReview({ reviewer, request, stage }) {
      const spec = request.workflow.stages[stage];
      if (spec === undefined || !(spec.users.includes(reviewer.username) || spec.groups.some((g) => reviewer.groups.includes(g)))) return { kind: 'deny', reason: 'not a reviewer of this stage' };
      const self = reviewer.userId === request.requesterId;
      if (self && !request.workflow.selfApproval) return { kind: 'deny', reason: 'self-approval is forbidden' };
      return { kind: 'allow', selfApproval: self };
    },
  };
}

export function actor(name: string, groups: string[] = [], roles: AccessActor['roles'] = ['user']): AccessActor {
  return { userId: `u-${name}`, username: name, roles, groups, ip: '192.0.2.7' };
}

export interface AccessFixture {
  readonly deps: AccessDeps & { clock: ReturnType<typeof createManualClock> };
  readonly ledger: LedgerStore;
  /** Sets the policy the commands see. */
  setPolicy(policy: AccessPolicy): void;
  /** Makes the next ledger append inside a command fail (to test atomicity). */
  failNextAppend(): void;
  /** Every event type appended so far, pending or sequenced, in order. */
  eventTypes(): Promise<string[]>;
  close(): Promise<void>;
}

export async function createAccessFixture(backend: 'sqlite' | 'postgres', policy: AccessPolicy = fixturePolicy()): Promise<AccessFixture> {
  const testDb = await createTestDatabase(backend);
  const opened = await openDatabase({ dataDir: testDb.dataDir, pgUrl: testDb.pgUrl, durability: 'normal' });
  const clock = createManualClock(T0);
  const ids = createUuidV7Generator(clock);
  const real = createAuditedTransactions(opened.db, opened.capabilities, () => undefined);
  let current = policy;
  const failing = withFailingLedger(real);
  const transactions = failing.transactions;
  const auditEntry = createAuditEntryFactory({ clock, ids });
  const deps = { store: createKyselyAccessStore(opened.db, transactions), policy: () => current, clock, ids, auditEntry };
  return {
    deps,
    ledger: createKyselyLedgerStore(opened.db, opened.capabilities),
    setPolicy: (next) => {
      current = next;
    },
    failNextAppend: failing.failNextAppend,
    async eventTypes() {
      const rows = await opened.db.selectFrom('log_pending').select(['event_type']).orderBy('seq').execute();
      return rows.map((r) => r.event_type);
    },
    async close() {
      await opened.close();
      await testDb.dispose();
    },
  };
}
