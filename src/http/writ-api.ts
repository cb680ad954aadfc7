// The whole /api of one Writ process: identity authentication and every route module, from the app's parts.
import type { AccessDeps } from '../access/access-deps.ts';
import type { AccessActor } from '../access/access-policy.ts';
import type { PolicyHolder } from '../access/apply-policy.ts';
import type { WritConfig } from '../config/config-schema.ts';
import type { EventSearch } from '../events/event-search.ts';
import type { GatewayCredentialDeps } from '../gateway/gateway-credentials.ts';
import type { IdentityService } from '../identity/identity-service.ts';
import type { IdentityStore } from '../identity/identity-store.ts';
import type { SubjectErasureDeps } from '../identity/subject-erasure.ts';
import type { RetentionDeps } from '../ledger/retention-run.ts';
import type { Principal } from '../identity/principal.ts';
import { toPublicUser, toUserId, type User } from '../identity/user.ts';
import type { GroupCommitAppender } from '../ledger/group-commit.ts';
import type { LedgerStore } from '../ledger/ledger-store.ts';
import type { NoteSigner } from '../ledger/signed-note.ts';
import type { TileCache } from '../ledger/tiles.ts';
import type { WitnessPolicy } from '../ledger/witness-policy.ts';
import type { IdGenerator } from '../shared/ids.ts';
import { accessRoutes } from './access-routes.ts';
import type { ApiOptions } from './api-plugin.ts';
import { eventRoutes, LOG_READERS } from './event-routes.ts';
import { evidenceBundleRoutes } from './evidence-bundle-routes.ts';
import { gatewayRoutes } from './gateway-routes.ts';
import { createIdentityAuthenticator } from './identity-authenticator.ts';
import { identityRoutes } from './identity-routes.ts';
import { logKeyRoutes } from './log-key-routes.ts';
import { policyRoutes } from './policy-routes.ts';
import { createChangeFeed, streamRoutes } from './stream-routes.ts';
import { retentionRoutes } from './retention-routes.ts';
import { subjectRoutes } from './subject-routes.ts';

export interface WritApiParts {
  readonly store: LedgerStore;
  readonly eventSearch: EventSearch;
  readonly appender: GroupCommitAppender;
  readonly ids: IdGenerator;
  readonly tileCache: TileCache;
  /** The log's signer: only its public verifier key is served. */
  readonly signer: Pick<NoteSigner, 'verifierKey'>;
  readonly witnessPolicy: WitnessPolicy | undefined;
  readonly identity: IdentityService;
  readonly identityStore: IdentityStore;
  readonly access: AccessDeps;
  readonly policy: PolicyHolder;
  readonly gatewayCredentials: GatewayCredentialDeps;
  /** Erasure of a data subject's personal data. */
  readonly subjectErasure: SubjectErasureDeps;
  /** Retention rules and legal holds. */
  readonly retention: RetentionDeps;
  /** Where the PostgreSQL gateway listens and the address clients are told to use. */
  readonly config: Pick<WritConfig, 'pgListen' | 'pgAdvertise'>;
  /** Told after an access command changed stored times (the scheduler re-reads them). */
  readonly onAccessChanged: () => void;
}


function actorFrom(principal: Principal): AccessActor {
  return {
    userId: principal.userId,
    username: principal.username,
    roles: principal.roles,
    groups: principal.groups,
    ip: principal.ip,
    userAgent: principal.userAgent,
    authMethod: principal.via === 'token' ? 'api_token' : 'session',
  };
}

/**
 * @example buildServer({ ..., api: writApiOptions({ ...app, onAccessChanged: () => scheduler.poke() }) })
 */
export function writApiOptions(parts: WritApiParts): ApiOptions {
  const authenticator = createIdentityAuthenticator(parts.identity);
  const findUser = async (idOrName: string): Promise<User | undefined> => {
    const id = toUserId(idOrName);
    const record = id === undefined ? await parts.identityStore.findUserByUsername(idOrName) : await parts.identityStore.findUserById(id);
    return record === undefined ? undefined : toPublicUser(record);
  };
  const actorOf = (api: Parameters<typeof authenticator.principalOf>[0]): Promise<AccessActor> => Promise.resolve(actorFrom(authenticator.principalOf(api)));
  const membersOf = async (groups: readonly string[]): Promise<Map<string, string[]>> => {
    const members = new Map<string, string[]>();
    for (const name of groups) {
      const group = await parts.identityStore.findGroupByName(name);
      const users = group === undefined ? [] : await parts.identityStore.listGroupMembers(group.id, { limit: 1000, after: undefined });
      members.set(name, users.filter((u) => !u.disabled).map((u) => u.username));
    }
    return members;
  };
  const subjectOf = async (username: string): Promise<{ username: string; groups: string[] } | undefined> => {
    const user = await parts.identityStore.findUserByUsername(username);
    return user === undefined ? undefined : { username: user.username, groups: await parts.identityStore.groupNamesOf(user.id) };
  };
  // Dashboards hear of every access change this process makes (server-sent events on /api/v1/stream).
  const feed = createChangeFeed();
  const onAccessChanged = (): void => {
    parts.onAccessChanged();
    feed.publish('access');
  };
  return {
    authenticator,
    routes: [
      identityRoutes({ identity: parts.identity, authenticator, clock: parts.access.clock, findUser }),
      accessRoutes({ access: parts.access, actorOf, onChanged: onAccessChanged }),
      streamRoutes({ feed, hearers: { log: LOG_READERS }, logSize: async () => (await parts.store.latestCheckpoint())?.size ?? 0 }),
      policyRoutes({ access: parts.access, holder: parts.policy, actorOf, subjectOf, membersOf }),
      eventRoutes({ store: parts.store, search: parts.eventSearch, appender: parts.appender, clock: parts.access.clock, ids: parts.ids, tiles: parts.tileCache }),
      subjectRoutes({ erasure: parts.subjectErasure, authenticator }),
      evidenceBundleRoutes({
        store: parts.store,
        search: parts.eventSearch,
        tiles: parts.tileCache,
        appender: parts.appender,
        auditEntry: parts.access.auditEntry,
        clock: parts.access.clock,
        verifierKey: parts.signer.verifierKey,
        witnessPolicyText: parts.witnessPolicy?.text,
        authenticator,
      }),
      retentionRoutes({ retention: parts.retention, authenticator }),
      logKeyRoutes({ verifierKey: parts.signer.verifierKey, witnessPolicy: parts.witnessPolicy }),
      gatewayRoutes({ credentials: parts.gatewayCredentials, clock: parts.access.clock, actorOf, pgListen: parts.config.pgListen, pgAdvertise: parts.config.pgAdvertise }),
    ],
  };
}
