// API tokens: create (secret shown once), authenticate in constant time, record use hourly, revoke, list.
import { formatEventTime } from '../events/event-time.ts';
import { AppError } from '../shared/app-error.ts';
import {
  formatApiToken,
  parseApiToken,
  parseScopes,
  parseTokenName,
  scopesBeyondRoles,
  type ApiToken,
  type ApiTokenId,
  type ApiTokenRecord,
} from './api-token.ts';
import { assertMayAct, requireSelfOrAdmin } from './authority.ts';
import { actorOf, cleanOrigin, loadUser, readPage, target, userActor, type IdentityContext, type Page, type PageRequest, type RequestOrigin } from './identity-context.ts';
import { isAdmin, type Principal, type TokenPrincipal } from './principal.ts';
import { digestSecret, newSecret, secretMatches } from './secret-tokens.ts';
import type { UserId, UserRecord } from './user.ts';

export interface CreateApiTokenInput {
  readonly name: string;
  readonly scopes: readonly string[];
  /** Absent: the token never expires (it can still be revoked). */
  readonly expiresAtMs?: number | undefined;
  /** Another user's id, for administrators issuing tokens to services; defaults to the actor. */
  readonly ownerId?: UserId | undefined;
}

export interface CreatedApiToken {
  readonly token: ApiToken;
  /** `writ_<id>_<secret>`: shown this once, never stored or logged. */
  readonly tokenText: string;
}

/** Compared against when no token has the presented id, so a miss costs as much as a hit. */
const missDigest = digestSecret(newSecret());

function checkExpiry(ctx: IdentityContext, expiresAtMs: number | undefined): void {
  if (expiresAtMs === undefined) return;
  const nowMs = ctx.clock.nowMs();
  if (!Number.isSafeInteger(expiresAtMs) || expiresAtMs <= nowMs || expiresAtMs > nowMs + ctx.settings.maxTokenLifetimeMs) {
    throw new AppError('invalid_input', `a token's expiry must be in the future and at most ${Math.round(ctx.settings.maxTokenLifetimeMs / 86_400_000)} days away`, {
      details: { field: 'expiresAt' },
    });
  }
}

async function createApiToken(ctx: IdentityContext, actor: Principal, input: CreateApiTokenInput): Promise<CreatedApiToken> {
  const ownerId = input.ownerId ?? actor.userId;
  requireSelfOrAdmin(actor, ownerId, "issue tokens for another user's account");
  const name = parseTokenName(input.name);
  const scopes = parseScopes(input.scopes);
  checkExpiry(ctx, input.expiresAtMs);
  const beyondActor = scopes.filter((scope) => !actor.scopes.includes(scope));
  if (beyondActor.length > 0) throw new AppError('forbidden', `this credential cannot grant scopes it does not hold: ${beyondActor.join(', ')}`);
  const owner = await loadUser(ctx.store, ownerId);
  const beyondOwner = scopesBeyondRoles(scopes, owner.roles);
  if (beyondOwner.length > 0) throw new AppError('forbidden', `"${owner.username}" may not hold these scopes with roles ${owner.roles.join(', ')}: ${beyondOwner.join(', ')}`);
  if (owner.disabled) throw new AppError('invalid_input', `"${owner.username}" is disabled`);
  const secret = newSecret();
  const token: ApiToken = {
    id: ctx.ids.next() as ApiTokenId,
    ownerId,
    name,
    scopes,
    createdAtMs: ctx.clock.nowMs(),
    expiresAtMs: input.expiresAtMs,
    lastUsedAtMs: undefined,
    revokedAtMs: undefined,
  };
  const record: ApiTokenRecord = { ...token, secretDigest: digestSecret(secret) };
  await ctx.store.transact(async (tx) => {
    await tx.insertApiToken(record);
    const data = { tokenId: record.id, tokenName: name, ownerId, scopes: [...scopes], ...(record.expiresAtMs === undefined ? {} : { expiresAt: formatEventTime(record.expiresAtMs) }) };
    await ctx.record(tx, [{ type: 'auth.api_token.created', actor: actorOf(actor), targets: [target('api_token', record.id), target('user', ownerId)], outcome: 'success', data }]);
  });
  return { token, tokenText: formatApiToken(record.id, secret) };
}

function usable(token: ApiTokenRecord | undefined, owner: UserRecord | undefined, nowMs: number): boolean {
  if (token === undefined || owner === undefined || owner.disabled) return false;
  return token.revokedAtMs === undefined && (token.expiresAtMs === undefined || nowMs < token.expiresAtMs);
}

async function authenticateApiToken(ctx: IdentityContext, tokenText: string, requestOrigin: RequestOrigin | undefined): Promise<TokenPrincipal | undefined> {
  const parsed = parseApiToken(tokenText);
  if (parsed === undefined) return undefined;
  const token = await ctx.store.findApiToken(parsed.id);
  const matches = secretMatches(token?.secretDigest ?? missDigest, parsed.secret);
  const owner = token === undefined ? undefined : await ctx.store.findUserById(token.ownerId);
  const nowMs = ctx.clock.nowMs();
  if (!matches || token === undefined || owner === undefined || !usable(token, owner, nowMs)) return undefined;
  const origin = cleanOrigin(requestOrigin);
  const interval = ctx.settings.tokenUseRecordIntervalMs;
  if (token.lastUsedAtMs === undefined || token.lastUsedAtMs <= nowMs - interval) {
    await ctx.store.transact(async (tx) => {
      if (!(await tx.markApiTokenUsed(token.id, nowMs, nowMs - interval + 1))) return;
      const actor = userActor(owner, origin, 'api_token');
      await ctx.record(tx, [{ type: 'auth.api_token.used', actor, targets: [target('api_token', token.id)], outcome: 'success', data: { tokenId: token.id, ownerId: owner.id } }]);
    });
  }
  const base = { userId: owner.id, username: owner.username, kind: owner.kind, roles: owner.roles, mustChangePassword: false };
  return { ...base, groups: await ctx.store.groupNamesOf(owner.id), scopes: token.scopes, ip: origin.ip, userAgent: origin.userAgent, via: 'token', tokenId: token.id };
}

async function revokeApiToken(ctx: IdentityContext, actor: Principal, tokenId: ApiTokenId): Promise<void> {
  assertMayAct(actor);
  const token = await ctx.store.findApiToken(tokenId);
  // Someone else's token is reported as missing, so token ids cannot be probed.
  if (token === undefined || (token.ownerId !== actor.userId && !isAdmin(actor))) throw new AppError('not_found', `token ${tokenId} does not exist`);
  await ctx.store.transact(async (tx) => {
    if (!(await tx.revokeApiToken(tokenId, ctx.clock.nowMs()))) return;
    const data = { tokenId, ownerId: token.ownerId };
    await ctx.record(tx, [{ type: 'auth.api_token.revoked', actor: actorOf(actor), targets: [target('api_token', tokenId), target('user', token.ownerId)], outcome: 'success', data }]);
  });
}

async function listApiTokens(ctx: IdentityContext, actor: Principal, query: PageRequest & { ownerId?: UserId | undefined; allOwners?: boolean | undefined }): Promise<Page<ApiToken>> {
  assertMayAct(actor);
  const ownerId = query.allOwners === true ? undefined : (query.ownerId ?? actor.userId);
  if (ownerId !== actor.userId && !isAdmin(actor)) throw new AppError('forbidden', "only an administrator may list other users' tokens");
  return readPage(ctx.settings.maxPageSize, query, (page) => ctx.store.listApiTokens(ownerId, page), (token) => token.id);
}

/** The API token commands, bound to the context. */
export function tokenCommands(ctx: IdentityContext) {
  return {
    createApiToken: (actor: Principal, input: CreateApiTokenInput) => createApiToken(ctx, actor, input),
    authenticateApiToken: (tokenText: string, origin?: RequestOrigin) => authenticateApiToken(ctx, tokenText, origin),
    revokeApiToken: (actor: Principal, tokenId: ApiTokenId) => revokeApiToken(ctx, actor, tokenId),
    listApiTokens: (actor: Principal, query: PageRequest & { ownerId?: UserId | undefined; allOwners?: boolean | undefined } = {}) => listApiTokens(ctx, actor, query),
  };
}
