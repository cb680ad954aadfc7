// Converts between identity records of the core and rows of the identity tables.
import type { Selectable } from 'kysely';
import type { ApiScope, ApiToken, ApiTokenId, ApiTokenRecord } from '../identity/api-token.ts';
import type { Group, GroupId } from '../identity/group.ts';
import type { SessionId, SessionRecord } from '../identity/session.ts';
import type { Role, User, UserId, UserKind, UserRecord } from '../identity/user.ts';
import type {
  IdentityApiTokensTable,
  IdentityGroupsTable,
  IdentitySessionsTable,
  IdentityUsersTable,
} from './schema-identity.ts';

function toBuffer(bytes: Uint8Array): Buffer {
  return Buffer.isBuffer(bytes) ? bytes : Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
}

function list<T extends string>(text: string): T[] {
  return text === '' ? [] : (text.split(',') as T[]);
}

function optional<T>(value: T | null): T | undefined {
  return value ?? undefined;
}

export function userRow(user: UserRecord): IdentityUsersTable {
  return {
    id: user.id,
    username: user.username,
    display_name: user.displayName,
    email: user.email ?? null,
    kind: user.kind,
    roles: user.roles.join(','),
    disabled: user.disabled ? 1 : 0,
    must_change_password: user.mustChangePassword ? 1 : 0,
    password_hash: user.passwordHash ?? null,
    created_at_ms: user.createdAtMs,
    updated_at_ms: user.updatedAtMs,
  };
}

export function toUser(row: Selectable<IdentityUsersTable>): User {
  return {
    id: row.id as UserId,
    username: row.username,
    displayName: row.display_name,
    email: optional(row.email),
    kind: row.kind as UserKind,
    roles: list<Role>(row.roles),
    disabled: row.disabled !== 0,
    mustChangePassword: row.must_change_password !== 0,
    createdAtMs: row.created_at_ms,
    updatedAtMs: row.updated_at_ms,
  };
}

export function toUserRecord(row: Selectable<IdentityUsersTable>): UserRecord {
  return { ...toUser(row), passwordHash: optional(row.password_hash) };
}

export function toGroup(row: Selectable<IdentityGroupsTable>): Group {
  return { id: row.id as GroupId, name: row.name, description: row.description, createdAtMs: row.created_at_ms };
}

export function sessionRow(session: SessionRecord): IdentitySessionsTable {
  return {
    id: session.id,
    user_id: session.userId,
    token_digest: toBuffer(session.tokenDigest),
    csrf_digest: toBuffer(session.csrfDigest),
    created_at_ms: session.createdAtMs,
    last_seen_at_ms: session.lastSeenAtMs,
    expires_at_ms: session.expiresAtMs,
    ip: session.ip ?? null,
    user_agent: session.userAgent ?? null,
  };
}

export function toSession(row: Selectable<IdentitySessionsTable>): SessionRecord {
  return {
    id: row.id as SessionId,
    userId: row.user_id as UserId,
    tokenDigest: row.token_digest,
    csrfDigest: row.csrf_digest,
    createdAtMs: row.created_at_ms,
    lastSeenAtMs: row.last_seen_at_ms,
    expiresAtMs: row.expires_at_ms,
    ip: optional(row.ip),
    userAgent: optional(row.user_agent),
  };
}

export function apiTokenRow(token: ApiTokenRecord): IdentityApiTokensTable {
  return {
    id: token.id,
    owner_id: token.ownerId,
    name: token.name,
    scopes: token.scopes.join(','),
    secret_digest: toBuffer(token.secretDigest),
    created_at_ms: token.createdAtMs,
    expires_at_ms: token.expiresAtMs ?? null,
    last_used_at_ms: token.lastUsedAtMs ?? null,
    revoked_at_ms: token.revokedAtMs ?? null,
  };
}

export function toApiToken(row: Omit<Selectable<IdentityApiTokensTable>, 'secret_digest'>): ApiToken {
  return {
    id: row.id as ApiTokenId,
    ownerId: row.owner_id as UserId,
    name: row.name,
    scopes: list<ApiScope>(row.scopes),
    createdAtMs: row.created_at_ms,
    expiresAtMs: optional(row.expires_at_ms),
    lastUsedAtMs: optional(row.last_used_at_ms),
    revokedAtMs: optional(row.revoked_at_ms),
  };
}

export function toApiTokenRecord(row: Selectable<IdentityApiTokensTable>): ApiTokenRecord {
  return { ...toApiToken(row), secretDigest: row.secret_digest };
}
