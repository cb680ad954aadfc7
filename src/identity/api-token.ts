// API tokens for people, services and AI agents: the closed scope list, the token text format, the stored record.
import { AppError } from '../shared/app-error.ts';
import type { Role, UserId } from './user.ts';

export type ApiTokenId = string & { readonly __brand: 'ApiTokenId' };

/**
 * Every scope a token may carry; a browser session holds them all. Every authenticated API route names the scopes
 * that let a token call it (`admin` stands for all of them); a token holds no other power of its owner's.
 */
export const apiScopes = [
  'events:write',
  'log:read',
  'requests:read',
  'requests:write',
  'reviews:write',
  'grants:write',
  'policy:write',
  /** List, create and revoke the owner's API tokens. */
  'tokens:write',
  /** Change the owner's own password and profile. */
  'account:write',
  'admin',
] as const;
export type ApiScope = (typeof apiScopes)[number];

/**
 * Roles the token's owner must hold (one of) to be given a scope. Scopes not listed are open to every
 * user: they only let a token do what its owner could do with a session.
 */
export const scopeRequiresRole: Readonly<Partial<Record<ApiScope, readonly Role[]>>> = {
  admin: ['admin'],
  'policy:write': ['admin'],
  'events:write': ['admin'],
  'log:read': ['admin', 'auditor'],
};

export const API_TOKEN_PREFIX = 'writ_';
export const MAX_TOKEN_NAME_LENGTH = 128;
/** `writ_<token id as 32 hex digits>_<secret as 43 base64url characters>`. */
const TOKEN_PATTERN = /^writ_([0-9a-f]{32})_([A-Za-z0-9_-]{43})$/;

export interface ApiToken {
  readonly id: ApiTokenId;
  readonly ownerId: UserId;
  readonly name: string;
  readonly scopes: readonly ApiScope[];
  readonly createdAtMs: number;
  readonly expiresAtMs: number | undefined;
  /** Updated at most once an hour (with its `auth.api_token.used` event), so accurate to within an hour. */
  readonly lastUsedAtMs: number | undefined;
  readonly revokedAtMs: number | undefined;
}

/** A token as stored: the SHA-256 digest of its secret, never the secret. */
export interface ApiTokenRecord extends ApiToken {
  readonly secretDigest: Uint8Array;
}

/**
 * The text handed to the token's holder, once.
 * @example formatApiToken('0193f1e2-7c1a-7b3e-9f00-1c2d3e4f5a6b' as ApiTokenId, secret) // 'writ_0193f1e27c1a7b3e9f001c2d3e4f5a6b_…'
 */
export function formatApiToken(id: ApiTokenId, secret: string): string {
  return `${API_TOKEN_PREFIX}${id.replaceAll('-', '')}_${secret}`;
}

/**
 * Splits token text into its id and secret; undefined when it is not shaped like a Writ token.
 * @example parseApiToken(formatApiToken(id, secret)) // { id, secret }
 */
export function parseApiToken(text: string): { id: ApiTokenId; secret: string } | undefined {
  const match = TOKEN_PATTERN.exec(text);
  const hex = match?.[1];
  const secret = match?.[2];
  if (hex === undefined || secret === undefined) return undefined;
  const id = `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`;
  return { id: id as ApiTokenId, secret };
}

/**
 * Checks scope names from outside: known, at least one, no duplicates (order of `apiScopes`).
 * @example parseScopes(['log:read', 'log:read']) // ['log:read']
 */
export function parseScopes(given: readonly string[]): ApiScope[] {
  for (const scope of given) {
    if (!(apiScopes as readonly string[]).includes(scope)) {
      throw new AppError('invalid_input', `unknown scope "${scope.slice(0, 64)}" (known: ${apiScopes.join(', ')})`, { details: { field: 'scopes' } });
    }
  }
  if (given.length === 0) throw new AppError('invalid_input', 'a token needs at least one scope', { details: { field: 'scopes' } });
  return apiScopes.filter((scope) => given.includes(scope));
}

/**
 * Checks a token name: 1 to 128 printable characters, trimmed.
 * @example parseTokenName(' ci deploy ') // 'ci deploy'
 */
export function parseTokenName(value: string): string {
  const name = value.trim();
  // eslint-disable-next-line no-control-regex
  if (name.length === 0 || name.length > MAX_TOKEN_NAME_LENGTH || /[\u0000-\u001f\u007f]/.test(name)) {
    throw new AppError('invalid_input', `token name must be 1 to ${MAX_TOKEN_NAME_LENGTH} printable characters`, { details: { field: 'name' } });
  }
  return name;
}

/**
 * The scopes of `wanted` the owner's roles do not allow.
 * @example scopesBeyondRoles(['admin', 'requests:read'], ['user']) // ['admin']
 */
export function scopesBeyondRoles(wanted: readonly ApiScope[], ownerRoles: readonly Role[]): ApiScope[] {
  return wanted.filter((scope) => {
    const needed = scopeRequiresRole[scope];
    return needed !== undefined && !needed.some((role) => ownerRoles.includes(role));
  });
}
