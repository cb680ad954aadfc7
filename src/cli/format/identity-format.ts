// Users, groups and API tokens as text: tables for lists, label/value blocks for one.
import type { GroupAnswer, TokenAnswer, UserAnswer } from '../client/identity-answers.ts';
import { formatFields, formatTable } from './table-format.ts';
import { formatRelative, formatWhen } from './time-format.ts';

function userState(u: UserAnswer): string {
  if (u.disabled === true) return 'disabled';
  return u.mustChangePassword === true ? 'must change password' : 'active';
}

export function formatUserTable(users: readonly UserAnswer[]): string {
  return formatTable(
    ['username', 'name', 'roles', 'kind', 'state'],
    users.map((u) => [u.username, u.displayName ?? '', u.roles.join(','), u.kind ?? '', userState(u)]),
  );
}

export function formatUser(u: UserAnswer, nowMs: number): string {
  return formatFields([
    ['username', u.username],
    ['id', u.id],
    ['name', u.displayName],
    ['email', u.email ?? undefined],
    ['kind', u.kind],
    ['roles', u.roles.join(', ')],
    ['state', userState(u)],
    ['created', u.createdAt === undefined ? undefined : formatWhen(u.createdAt, nowMs)],
  ]);
}

export function formatGroupTable(groups: readonly GroupAnswer[]): string {
  return formatTable(['name', 'description'], groups.map((g) => [g.name, g.description ?? '']));
}

function tokenState(t: TokenAnswer, nowMs: number): string {
  if (t.revokedAt !== undefined && t.revokedAt !== null) return 'revoked';
  if (t.expiresAt !== undefined && t.expiresAt !== null && Date.parse(t.expiresAt) <= nowMs) return 'expired';
  return 'active';
}

export function formatTokenTable(tokens: readonly TokenAnswer[], nowMs: number, withOwner: boolean): string {
  const headers = ['id', 'name', 'scopes', 'state', 'expires', 'last used', ...(withOwner ? ['owner'] : [])];
  const rows = tokens.map((t) => [
    t.id,
    t.name,
    t.scopes.join(','),
    tokenState(t, nowMs),
    t.expiresAt === undefined || t.expiresAt === null ? 'never' : formatRelative(t.expiresAt, nowMs),
    t.lastUsedAt === undefined || t.lastUsedAt === null ? 'never' : formatRelative(t.lastUsedAt, nowMs),
    ...(withOwner ? [t.ownerId ?? ''] : []),
  ]);
  return formatTable(headers, rows);
}
