// The composition root: the only place that wires configuration, storage, the ledger, identity and access together.
import { readFile } from 'node:fs/promises';
import pino, { type Logger } from 'pino';
import type { AccessDeps } from './access/access-deps.ts';
import { startAccessScheduler, type AccessScheduler } from './access/access-scheduler.ts';
import { createPolicyHolder, type PolicyHolder } from './access/apply-policy.ts';
import { createIdentityService, type IdentityService } from './identity/identity-service.ts';
import { identitySettingsFromConfig } from './identity/identity-settings.ts';
import type { IdentityStore } from './identity/identity-store.ts';
import type { WritConfig } from './config/config-schema.ts';
import { createAuditEntryFactory, type AuditEntryFactory } from './events/audit-entry.ts';
import { createEventRecorder, type EventRecorder } from './events/event-recorder.ts';
import type { EventSearch } from './events/event-search.ts';
import { findGatewayCredentials, type GatewayCredentialDeps } from './gateway/gateway-credentials.ts';
import type { GatewayDeps } from './gateway/postgres/gateway-deps.ts';
import { gatewayResourceOf } from './gateway/postgres/policy-resources.ts';
import { createGroupCommitAppender, type GroupCommitAppender } from './ledger/group-commit.ts';
import type { LedgerStore } from './ledger/ledger-store.ts';
import { startSequencerLoop, type SequencerLoop } from './ledger/sequencer-loop.ts';
import type { NoteSigner } from './ledger/signed-note.ts';
import { createTileCache, type TileCache } from './ledger/tiles.ts';
import { startRetentionLoop, type RetentionLoop } from './ledger/retention-loop.ts';
import type { RetentionDeps } from './ledger/retention-run.ts';
import type { WitnessPolicy } from './ledger/witness-policy.ts';
import { startWitnessPublisher, type PublicationStatus, type WitnessPublisher } from './ledger/witness-publisher.ts';
import type { SubjectErasureDeps } from './identity/subject-erasure.ts';
import { systemClock, type Clock } from './shared/clock.ts';
import { createUuidV7Generator, type IdGenerator } from './shared/ids.ts';
import { createAuditedTransactions, type AuditedTransactions } from './storage/audited-transaction.ts';
import { createKyselyAccessStore } from './storage/kysely-access-store.ts';
import { createKyselyEventSearch } from './storage/kysely-event-search.ts';
import { createKyselyGatewayCredentialStore } from './storage/kysely-gateway-credential-store.ts';
import { createKyselyIdentityStore } from './storage/kysely-identity-store.ts';
import { createKyselyLedgerStore } from './storage/kysely-ledger-store.ts';
import { createKyselyPersonalDataEraser } from './storage/kysely-personal-data-eraser.ts';
import { createKyselyRetentionStore } from './storage/kysely-retention-store.ts';
import { openDatabase } from './storage/open-database.ts';
import { loadSigner } from './storage/signing-key-file.ts';
import { loadLogWitnessPolicy } from './witness/log-witness-policy.ts';
import { createWitnessClient } from './witness/witness-client.ts';

export interface WritApp {
  readonly config: WritConfig;
  readonly logger: Logger;
  readonly clock: Clock;
  readonly store: LedgerStore;
  readonly signer: NoteSigner;
  readonly recorder: EventRecorder;
  readonly ids: IdGenerator;
  /** State change and audit entries in one transaction; the stores of identity and access build on it. */
  readonly transactions: AuditedTransactions;
  readonly auditEntry: AuditEntryFactory;
  /** Appends prepared entries with group commit; one call's entries commit together or not at all. */
  readonly appender: GroupCommitAppender;
  readonly eventSearch: EventSearch;
  readonly identity: IdentityService;
  readonly identityStore: IdentityStore;
  /** The access engine's commands read their store, policy, clock and ids from here. */
  readonly access: AccessDeps;
  /** The policy in force (refreshed from the store; another process may apply a newer version). */
  readonly policy: PolicyHolder;
  /** Short-lived gateway passwords: issued under a grant (`issueGatewayCredential`), looked up at connect (`findGatewayCredentials`). */
  readonly gatewayCredentials: GatewayCredentialDeps;
  /** Erasure of a data subject's personal data (`eraseSubject`): the eraser and the audit entry factory. */
  readonly subjectErasure: SubjectErasureDeps;
  /** Retention (the configured rules) and legal holds: `runRetention`, `placeHold`, ... */
  readonly retention: RetentionDeps;
  /** Starts this process's retention schedule (nothing when the rules keep everything); `close` stops it. */
  startRetention(): RetentionLoop;
  /** What the PostgreSQL gateway needs: the ledger, the policy's resources (secrets from the environment and files), credentials and grants. */
  gatewayDeps(): GatewayDeps;
  /** Starts this process's access scheduler (expiry, scheduled starts, notices). */
  startScheduler(): AccessScheduler;
  /** The process's tile cache for proofs, receipts and served tiles (filled from committed storage only). */
  readonly tileCache: TileCache;
  /**
   * Starts this process's sequencer (it integrates only while it holds the sequencer role), and under a witness policy
   * its publisher unless `publish` is false.
   */
  startSequencer(options?: { readonly publish?: boolean }): SequencerLoop;
  /** The log's witness policy (WRIT_WITNESS_POLICY); without one, checkpoints are published as soon as they are signed. */
  readonly witnessPolicy: WitnessPolicy | undefined;
  /** Witnesses and publication as this process sees them; undefined without a witness policy or before startSequencer. */
  publication(): PublicationStatus | undefined;
  close(): Promise<void>;
}

/** How long the log waits for one witness's answer. */
const WITNESS_TIMEOUT_MS = 10_000;

/** Tiles the process keeps for proofs: every tile of a log of about 1,000,000 entries (at most 64 MiB). */
const TILE_CACHE_TILES = 4096;

export function createLogger(config: WritConfig): Logger {
  const redact = ['config.logKey', 'config.logReadToken', 'config.pgUrl', 'config.adminPassword', 'req.headers.authorization', 'req.headers.cookie', 'req.headers["x-csrf-token"]'];
  return pino({ level: config.logLevel, redact }, pino.destination(2));
}

/**
 * Opens Writ over the configured store.
 * @example const app = await openApp(loadConfig({}, process.env, undefined)); await app.close();
 */
export async function openApp(config: WritConfig, options: { logger?: Logger; clock?: Clock; sleep?: (ms: number) => Promise<void> } = {}): Promise<WritApp> {
  const logger = options.logger ?? createLogger(config);
  const clock = options.clock ?? systemClock;
  const signer = loadSigner({ dataDir: config.dataDir, origin: config.logOrigin, operatorKey: config.logKey });
  const witnessPolicy = loadLogWitnessPolicy(config.witnessPolicyFile, signer.verifierKey);
  const opened = await openDatabase({ dataDir: config.dataDir, pgUrl: config.pgUrl, durability: config.durability });
  const store = createKyselyLedgerStore(opened.db, opened.capabilities, opened.entryBlockReader, witnessPolicy === undefined ? 'signed' : 'witnessed');
  const loops: SequencerLoop[] = [];
  const appender = createGroupCommitAppender(store, {
    maxBatch: config.sequencerBatchSize,
    maxInFlight: opened.capabilities.appendTransactionsInFlight,
    onCommitted: (count) => {
      notifySequencer(count);
    },
  });
  const ids = createUuidV7Generator(clock);
  const recorder = createEventRecorder({ appender, clock, ids });
  const notifySequencer = (count: number): void => {
    for (const loop of loops) loop.notify(count);
  };
  const transactions = createAuditedTransactions(opened.db, opened.capabilities, notifySequencer);
  const auditEntry = createAuditEntryFactory({ clock, ids });
  const identityStore = createKyselyIdentityStore(opened.db, transactions, opened.capabilities);
  const identity = createIdentityService({ store: identityStore, clock, ids, auditEntry, settings: identitySettingsFromConfig(config), sleep: options.sleep });
  const policy = createPolicyHolder();
  const access: AccessDeps = { store: createKyselyAccessStore(opened.db, transactions), policy: () => policy.current(), clock, ids, auditEntry };
  await policy.refresh(access.store);
  const gatewayCredentials: GatewayCredentialDeps = { credentials: createKyselyGatewayCredentialStore(opened.db, transactions), access, users: identityStore, ids, auditEntry };
  const schedulers: AccessScheduler[] = [];
  const retention: RetentionDeps = { store: createKyselyRetentionStore(opened.db, transactions, () => clock.nowMs()), settings: config.retention, auditEntry, clock, ids };
  const retentionLoops: RetentionLoop[] = [];
  const tileCache = createTileCache(TILE_CACHE_TILES);
  let publisher: WitnessPublisher | undefined;
  const startPublisher = (policy: WitnessPolicy): WitnessPublisher =>
    startWitnessPublisher({
      store,
      policy,
      client: createWitnessClient({ timeoutMs: WITNESS_TIMEOUT_MS }),
      clock,
      tileCache,
      onError: (message, error) => {
        logger.warn(error === undefined ? {} : { err: error }, message);
      },
    });
  return {
    config,
    logger,
    clock,
    store,
    signer,
    recorder,
    ids,
    transactions,
    auditEntry,
    appender,
    eventSearch: createKyselyEventSearch(opened.db),
    tileCache,
    witnessPolicy,
    publication: () => publisher?.status(),
    identity,
    identityStore,
    access,
    policy,
    gatewayCredentials,
    subjectErasure: { eraser: createKyselyPersonalDataEraser(transactions), auditEntry },
    retention,
    startRetention() {
      const loop = startRetentionLoop(retention, {
        onError: (error) => {
          logger.error({ err: error }, 'retention run failed; it runs again at the next interval');
        },
        onRan: (report) => {
          logger.info({ removed: report.removedCount, held: report.heldCount, batches: report.batches }, 'retention run finished');
        },
      });
      retentionLoops.push(loop);
      return loop;
    },
    gatewayDeps: () => ({
      clock,
      ids,
      appender,
      auditEntry,
      resource: (id) => {
        const resource = policy.engine()?.document.resources.find((candidate) => candidate.id === id);
        return resource === undefined ? undefined : gatewayResourceOf(resource, { env: process.env, readFile: (path) => readFile(path, 'utf8') });
      },
      findCredentials: (userName, resourceId, nowMs) => findGatewayCredentials(gatewayCredentials, userName, resourceId, nowMs),
      getGrant: (grantId) => access.store.getGrant(grantId as Parameters<typeof access.store.getGrant>[0]),
      log: logger,
    }),
    startScheduler() {
      const scheduler = startAccessScheduler(
        access,
        {
          maxSleepMs: 5000,
          onError: (error) => {
            logger.error({ err: error }, 'access scheduler failed; retrying');
          },
          beforeRun: () => policy.refresh(access.store),
        },
      );
      schedulers.push(scheduler);
      return scheduler;
    },
    startSequencer(options = {}) {
      // A short-lived command (writ log append) leaves publication to the serving process, whose publisher polls.
      if (witnessPolicy !== undefined && options.publish !== false) publisher ??= startPublisher(witnessPolicy);
      const loop = startSequencerLoop(
        { store, signer, clock, batchSize: config.sequencerBatchSize },
        {
          pollMs: config.sequencerPollMs,
          onError: (error) => {
            logger.error({ err: error }, 'sequencing failed; retrying');
          },
          onIntegrated: () => publisher?.notify(),
        },
      );
      loops.push(loop);
      return loop;
    },
    async close() {
      await Promise.all(schedulers.map((scheduler) => scheduler.stop()));
      await Promise.all(retentionLoops.map((loop) => loop.stop()));
      await Promise.all(loops.map((loop) => loop.stop()));
      await publisher?.stop();
      await opened.close();
    },
  };
}
