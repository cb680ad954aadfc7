// What the CLI needs from the identity API's answers: permissive schemas requiring only printed fields, so server additions never break it.
import { z } from 'zod';
import { pageOf } from '../../http/access-schemas.ts';

const text = z.string().max(4096);
const when = z.string().max(64);

export const userAnswer = z.object({
  id: text,
  username: text,
  displayName: text.optional(),
  email: text.nullish(),
  kind: text.optional(),
  roles: z.array(text),
  disabled: z.boolean().optional(),
  mustChangePassword: z.boolean().optional(),
  createdAt: when.optional(),
});
export type UserAnswer = z.infer<typeof userAnswer>;

export const cliTokenAnswer = z.object({ token: z.string().min(1).max(512), tokenId: z.string().min(1).max(64), expiresAt: when.nullable(), user: userAnswer });

export const meAnswer = z.object({
  user: userAnswer,
  groups: z.array(text),
  via: text,
  scopes: z.array(text),
});

export const usersPage = pageOf(userAnswer);
export const createdUserAnswer = z.object({ user: userAnswer, oneTimePassword: z.string().nullish() });
export const passwordResetAnswer = z.object({ oneTimePassword: z.string().nullish() });

export const groupAnswer = z.object({ id: text.optional(), name: text, description: text.optional(), createdAt: when.optional() });
export type GroupAnswer = z.infer<typeof groupAnswer>;
export const groupsPage = pageOf(groupAnswer);
export const addedAnswer = z.object({ added: z.boolean() });
export const removedAnswer = z.object({ removed: z.boolean() });

export const tokenAnswer = z.object({
  id: text,
  ownerId: text.optional(),
  name: text,
  scopes: z.array(text),
  createdAt: when.optional(),
  expiresAt: when.nullish(),
  lastUsedAt: when.nullish(),
  revokedAt: when.nullish(),
});
export type TokenAnswer = z.infer<typeof tokenAnswer>;
export const tokensPage = pageOf(tokenAnswer);
export const createdTokenAnswer = z.object({ token: z.string().min(1).max(512), tokenId: text, details: tokenAnswer.partial().optional() });

/** Answers with no body (204), or a body the CLI does not read. */
export const ignoredAnswer = z.unknown();
