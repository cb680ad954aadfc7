// Short-lived gateway passwords: issued under the caller's active grant (only a SCRAM verifier is kept), and looked up at connect.
import type { AccessDeps } from '../access/access-deps.ts';
import type { ResourceSummary } from '../access/access-policy.ts';
import { grantState, type Grant } from '../access/access-types.ts';
import type { AuditEntryFactory } from '../events/audit-entry.ts';
import type { EventInput } from '../events/event-schema.ts';
import { formatEventTime } from '../events/event-time.ts';
import type { IdentityReader } from '../identity/identity-store.ts';
import { newSecret } from '../identity/secret-tokens.ts';
import { USERNAME_PATTERN } from '../identity/user.ts';
import { AppError } from '../shared/app-error.ts';
import type { IdGenerator } from '../shared/ids.ts';
import type { GatewayCredential, GatewayCredentialId, GatewayCredentialStore } from './gateway-credential-store.ts';
import { createScramVerifier, gatewayCredentialSalt, type ScramVerifier } from './postgres/scram-verifier.ts';

/** Unexpired credentials one user may hold for one resource; issuing another deletes the oldest. */
export const MAX_UNEXPIRED_CREDENTIALS = 16;
/** How long an expired credential is kept, so the gateway can say "your grant ended" rather than "wrong password". */
export const EXPIRED_CREDENTIAL_RETENTION_MS = 24 * 3600 * 1000;
/** Recently expired credentials the gateway is shown besides the unexpired ones. */
export const MAX_EXPIRED_CANDIDATES = 16;
/** Open grants of one user on one resource looked at when choosing one (far more than anyone holds). */
const MAX_OPEN_GRANTS = 200;

export interface GatewayCredentialDeps {
  readonly credentials: GatewayCredentialStore;
  /** Grants come from the access engine's store; the policy in force names resources and their kinds. */
  readonly access: Pick<AccessDeps, 'store' | 'policy'>;
  readonly users: Pick<IdentityReader, 'findUserByUsername'>;
  readonly ids: IdGenerator;
  readonly auditEntry: AuditEntryFactory;
}

/** Who asks for a credential (for themselves); the name and addresses go to the erasable part of the event. */
export interface GatewayActor {
  readonly userId: string;
  readonly userName: string;
  readonly ip?: string | undefined;
  readonly userAgent?: string | undefined;
  readonly authMethod?: string | undefined;
}

export interface IssueCredentialInput {
  readonly resourceId: string;
  /** Needed only when the caller holds active grants at several levels. */
  readonly level?: string | undefined;
}

export interface IssuedGatewayCredential {
  readonly credentialId: GatewayCredentialId;
  readonly userName: string;
  readonly resourceId: string;
  readonly level: string;
  readonly grantId: Grant['id'];
  /** The password, shown to the caller this once; Writ keeps only its verifier. */
  readonly password: string;
  /** The end of the grant at issue. */
  readonly expiresAtMs: number;
}

export interface CredentialCandidate {
  readonly credentialId: GatewayCredentialId;
  readonly grantId: Grant['id'];
  readonly level: string;
  readonly verifier: ScramVerifier;
  readonly expiresAtMs: number;
}

export interface CredentialLookup {
  readonly user: { readonly id: string; readonly name: string } | undefined;
  /** Unexpired ones (newest first), then those expired within the last 24 h (latest expiry first). */
  readonly candidates: readonly CredentialCandidate[];
}

function requestHint(resource: ResourceSummary, level: string | undefined): string {
  const levels = level ?? (resource.levels.length === 1 ? resource.levels[0] : undefined) ?? `<${resource.levels.join('|')}>`;
  return `run writ request ${resource.id} --level ${levels} --for 1h --reason "..."`;
}

function knownResource(deps: GatewayCredentialDeps, resourceId: string): ResourceSummary {
  const resource = deps.access.policy().resource(resourceId);
  if (resource === undefined) throw new AppError('not_found', `there is no resource "${resourceId}"; writ resources lists those you may ask for`);
  if (resource.kind !== 'postgres') throw new AppError('invalid_input', `${resourceId} is a ${resource.kind} resource; the gateway serves PostgreSQL resources only`);
  return resource;
}

/** Why no grant fits, in words that say what to do next. */
function noGrant(resource: ResourceSummary, level: string | undefined, open: readonly Grant[], nowMs: number): AppError {
  const scheduled = open.filter((g) => grantState(g, nowMs) === 'scheduled' && (level === undefined || g.level === level)).sort((a, b) => a.startsAtMs - b.startsAtMs)[0];
  if (scheduled !== undefined) {
    return new AppError('forbidden', `your ${scheduled.level} grant for ${resource.id} starts at ${formatEventTime(scheduled.startsAtMs)}; connect then`);
  }
  const held = [...new Set(open.filter((g) => grantState(g, nowMs) === 'active').map((g) => g.level))];
  const holding = held.length === 0 ? '' : ` (you hold ${held.join(' and ')})`;
  const at = level === undefined ? '' : ` at ${level}`;
  return new AppError('forbidden', `no active grant for ${resource.id}${at}${holding}; ${requestHint(resource, level)}`);
}

/**
 * The grant a credential is issued under: the caller's active grant on the resource (at `level`, when given)
 * that ends last.
 */
async function chooseGrant(deps: GatewayCredentialDeps, actor: GatewayActor, input: IssueCredentialInput, nowMs: number): Promise<Grant> {
  const resource = knownResource(deps, input.resourceId);
  const page = await deps.access.store.listGrants({ userId: actor.userId, resourceId: resource.id, state: 'open', nowMs, limit: MAX_OPEN_GRANTS });
  const active = page.items.filter((g) => grantState(g, nowMs) === 'active' && (input.level === undefined || g.level === input.level));
  const levels = [...new Set(active.map((g) => g.level))].sort();
  if (levels.length > 1) {
    throw new AppError('invalid_input', `you hold active grants for ${resource.id} at ${levels.join(' and ')}; choose one with --level`, { details: { levels } });
  }
  const chosen = active.sort((a, b) => b.endsAtMs - a.endsAtMs)[0];
  if (chosen === undefined) throw noGrant(resource, input.level, page.items, nowMs);
  return chosen;
}

function issuedEvent(actor: GatewayActor, credential: GatewayCredential, grant: Grant): EventInput {
  const eventActor: EventInput['actor'] = { kind: 'user', id: actor.userId, name: actor.userName };
  if (actor.ip !== undefined) eventActor.ip = actor.ip;
  if (actor.userAgent !== undefined) eventActor.userAgent = actor.userAgent.slice(0, 1024);
  if (actor.authMethod !== undefined) eventActor.authMethod = actor.authMethod;
  return {
    type: 'gateway.credential.issued',
    actor: eventActor,
    targets: [
      { kind: 'resource', id: grant.resourceId },
      { kind: 'request', id: grant.requestId },
      { kind: 'grant', id: grant.id },
    ],
    outcome: 'success',
    context: { requestId: grant.requestId, grantId: grant.id },
    data: {
      credentialId: credential.id,
      grantId: grant.id,
      requestId: grant.requestId,
      resourceId: grant.resourceId,
      level: grant.level,
      expiresAt: formatEventTime(credential.expiresAtMs),
    },
  };
}

/**
 * Issues a gateway password under the caller's active grant on a PostgreSQL resource. It expires when the grant
 * is due to end; Writ stores only its SCRAM-SHA-256 verifier, keeps at most 16 unexpired per user and resource,
 * and records `gateway.credential.issued` in the same transaction. The password is in the answer, and only there.
 * @example const { password } = await issueGatewayCredential(deps, { userId: alice.id, userName: 'alice' }, { resourceId: 'pg-prod' }, clock.nowMs())
 */
export async function issueGatewayCredential(deps: GatewayCredentialDeps, actor: GatewayActor, input: IssueCredentialInput, nowMs: number): Promise<IssuedGatewayCredential> {
  const grant = await chooseGrant(deps, actor, input, nowMs);
  const password = newSecret();
  const credential: GatewayCredential = {
    id: deps.ids.next() as GatewayCredentialId,
    userId: actor.userId,
    resourceId: grant.resourceId,
    grantId: grant.id,
    level: grant.level,
    verifier: createScramVerifier(password, gatewayCredentialSalt(actor.userId, grant.resourceId)),
    createdAtMs: nowMs,
    expiresAtMs: grant.endsAtMs,
  };
  await deps.credentials.transact(async (tx) => {
    await tx.deleteExpiredBefore(nowMs - EXPIRED_CREDENTIAL_RETENTION_MS);
    await tx.insert(credential);
    await tx.trimUnexpired(actor.userId, grant.resourceId, nowMs, MAX_UNEXPIRED_CREDENTIALS);
    await tx.ledger.appendPending([deps.auditEntry(issuedEvent(actor, credential, grant))]);
  });
  return { credentialId: credential.id, userName: actor.userName, resourceId: grant.resourceId, level: grant.level, grantId: grant.id, password, expiresAtMs: credential.expiresAtMs };
}

function toCandidate(c: GatewayCredential): CredentialCandidate {
  return { credentialId: c.id, grantId: c.grantId, level: c.level, verifier: c.verifier, expiresAtMs: c.expiresAtMs };
}

/**
 * What the gateway checks a client's SCRAM proof against: the credentials of the named user for the resource,
 * unexpired ones first, then those expired within 24 h. All share one salt (gatewayCredentialSalt). An unknown
 * name gives no user; a disabled user gives no candidates. The gateway still checks the grant of the one that matches.
 * @example const { user, candidates } = await findGatewayCredentials(deps, 'alice', 'pg-prod', clock.nowMs())
 */
export async function findGatewayCredentials(deps: GatewayCredentialDeps, userName: string, resourceId: string, nowMs: number): Promise<CredentialLookup> {
  const name = userName.toLowerCase();
  if (!USERNAME_PATTERN.test(name)) return { user: undefined, candidates: [] };
  const record = await deps.users.findUserByUsername(name);
  if (record === undefined) return { user: undefined, candidates: [] };
  const user = { id: record.id, name: record.username };
  if (record.disabled) return { user, candidates: [] };
  const query = { userId: record.id, resourceId, nowMs } as const;
  const unexpired = await deps.credentials.list({ ...query, state: 'unexpired', limit: MAX_UNEXPIRED_CREDENTIALS });
  const expired = await deps.credentials.list({ ...query, state: 'expired', sinceMs: nowMs - EXPIRED_CREDENTIAL_RETENTION_MS, limit: MAX_EXPIRED_CANDIDATES });
  return { user, candidates: [...unexpired, ...expired].map(toCandidate) };
}
