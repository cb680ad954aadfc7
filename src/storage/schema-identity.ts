// The identity tables as Kysely sees them: users, groups, memberships, sessions, API tokens, login failures.
import type { Generated } from 'kysely';

export interface IdentityUsersTable {
  id: string;
  username: string;
  display_name: string;
  email: string | null;
  kind: string;
  /** Comma-separated role names, e.g. `admin,user`. */
  roles: string;
  /** 0 or 1: both backends store flags as integers. */
  disabled: number;
  must_change_password: number;
  password_hash: string | null;
  created_at_ms: number;
  updated_at_ms: number;
}

export interface IdentityGroupsTable {
  id: string;
  name: string;
  description: string;
  created_at_ms: number;
}

export interface IdentityGroupMembersTable {
  group_id: string;
  user_id: string;
  added_at_ms: number;
}

export interface IdentitySessionsTable {
  id: string;
  user_id: string;
  /** SHA-256 of the session token. */
  token_digest: Buffer;
  /** SHA-256 of the CSRF token. */
  csrf_digest: Buffer;
  created_at_ms: number;
  last_seen_at_ms: number;
  expires_at_ms: number;
  ip: string | null;
  user_agent: string | null;
}

export interface IdentityApiTokensTable {
  id: string;
  owner_id: string;
  name: string;
  /** Comma-separated scope names. */
  scopes: string;
  /** SHA-256 of the token's secret. */
  secret_digest: Buffer;
  created_at_ms: number;
  expires_at_ms: number | null;
  last_used_at_ms: number | null;
  revoked_at_ms: number | null;
}

export interface IdentityLoginFailuresTable {
  seq: Generated<number>;
  account_key: string;
  ip: string | null;
  at_ms: number;
}

export interface IdentityTables {
  identity_users: IdentityUsersTable;
  identity_groups: IdentityGroupsTable;
  identity_group_members: IdentityGroupMembersTable;
  identity_sessions: IdentitySessionsTable;
  identity_api_tokens: IdentityApiTokensTable;
  identity_login_failures: IdentityLoginFailuresTable;
}
