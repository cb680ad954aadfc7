// The identity API's bodies and answers: sign-in, users, groups, API tokens (secrets appear only in the answer that creates them).
import { z } from 'zod';
import type { ApiToken } from '../identity/api-token.ts';
import type { Group } from '../identity/group.ts';
import type { User } from '../identity/user.ts';

const username = z.string().trim().min(1).max(64);
const password = z.string().min(1).max(1024);
const iso = (ms: number | undefined): string | null => (ms === undefined ? null : new Date(ms).toISOString());

export const loginBody = z.strictObject({ username, password });
export const cliTokenBody = z.strictObject({ username, password, newPassword: password.optional(), name: z.string().min(1).max(128).optional() });
export const passwordBody = z.strictObject({ currentPassword: password, newPassword: password });

export const userView = z.object({
  id: z.string(),
  username: z.string(),
  displayName: z.string(),
  email: z.string().nullable(),
  kind: z.string(),
  roles: z.array(z.string()),
  disabled: z.boolean(),
  mustChangePassword: z.boolean(),
  createdAt: z.string(),
  updatedAt: z.string(),
});

export function toUserView(u: User): z.infer<typeof userView> {
  return {
    id: u.id,
    username: u.username,
    displayName: u.displayName,
    email: u.email ?? null,
    kind: u.kind,
    roles: [...u.roles],
    disabled: u.disabled,
    mustChangePassword: u.mustChangePassword,
    createdAt: new Date(u.createdAtMs).toISOString(),
    updatedAt: new Date(u.updatedAtMs).toISOString(),
  };
}

export const groupView = z.object({ id: z.string(), name: z.string(), description: z.string(), createdAt: z.string() });
export function toGroupView(g: Group): z.infer<typeof groupView> {
  return { id: g.id, name: g.name, description: g.description, createdAt: new Date(g.createdAtMs).toISOString() };
}

export const tokenView = z.object({
  id: z.string(),
  ownerId: z.string(),
  name: z.string(),
  scopes: z.array(z.string()),
  createdAt: z.string(),
  expiresAt: z.string().nullable(),
  lastUsedAt: z.string().nullable(),
  revokedAt: z.string().nullable(),
});
export function toTokenView(t: ApiToken): z.infer<typeof tokenView> {
  return {
    id: t.id,
    ownerId: t.ownerId,
    name: t.name,
    scopes: [...t.scopes],
    createdAt: new Date(t.createdAtMs).toISOString(),
    expiresAt: iso(t.expiresAtMs),
    lastUsedAt: iso(t.lastUsedAtMs),
    revokedAt: iso(t.revokedAtMs),
  };
}

export const meView = z.object({ user: userView, groups: z.array(z.string()), via: z.enum(['session', 'token']), scopes: z.array(z.string()) });
export const sessionAnswer = z.object({ user: userView, csrfToken: z.string(), expiresAt: z.string() });
export const cliTokenAnswer = z.object({ token: z.string(), tokenId: z.string(), expiresAt: z.string().nullable(), user: userView });

export const createUserBody = z.strictObject({
  username,
  displayName: z.string().trim().min(1).max(256).optional(),
  email: z.string().trim().max(320).optional(),
  kind: z.enum(['person', 'service']).optional(),
  roles: z.array(z.enum(['admin', 'auditor', 'user'])).max(3).optional(),
  password: password.optional(),
});
export const patchUserBody = z.strictObject({
  displayName: z.string().trim().min(1).max(256).optional(),
  email: z.string().trim().max(320).nullable().optional(),
  roles: z.array(z.enum(['admin', 'auditor', 'user'])).max(3).optional(),
  disabled: z.boolean().optional(),
});
export const createGroupBody = z.strictObject({ name: z.string().trim().min(1).max(63), description: z.string().max(1024).optional() });
export const createTokenBody = z.strictObject({
  name: z.string().trim().min(1).max(128),
  scopes: z.array(z.string().min(1).max(64)).min(1).max(16),
  expiresInSeconds: z.number().int().min(60).max(5 * 366 * 86_400).optional(),
  ownerId: z.string().min(1).max(64).optional(),
});
export const listQuery = z.strictObject({ cursor: z.string().max(200).optional(), limit: z.coerce.number().int().min(1).max(500).default(50) });
export const tokenListQuery = listQuery.extend({ all: z.enum(['true', 'false']).optional() });
export const userParams = z.strictObject({ user: z.string().min(1).max(64) });
export const groupParams = z.strictObject({ name: z.string().min(1).max(63) });
export const memberParams = z.strictObject({ name: z.string().min(1).max(63), user: z.string().min(1).max(64) });
export const tokenParams = z.strictObject({ id: z.string().min(1).max(64) });
