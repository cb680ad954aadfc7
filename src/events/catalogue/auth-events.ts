// Authentication events: sign-ins, sessions and API tokens of Writ's own users.
import { z } from 'zod';
import { strictShape } from '../event-schema.ts';
import { defineEvent, fields } from './event-definition.ts';

const loginMethod = z.enum(['password', 'oidc', 'api_token', 'scram_sha_256']);

export const authEvents = [
  defineEvent(
    'auth.login.succeeded',
    1,
    'A user signed in.',
    strictShape({ method: loginMethod, sessionId: fields.id, mfa: z.boolean() }),
  ),
  defineEvent(
    'auth.login.failed',
    1,
    'A sign-in was refused.',
    strictShape({
      method: loginMethod,
      failure: z.enum(['unknown_user', 'bad_credentials', 'account_locked', 'credentials_expired', 'mfa_failed']),
      attempt: z.number().int().min(1).max(1_000_000).optional(),
    }),
  ),
  defineEvent(
    'auth.session.ended',
    1,
    'A signed-in session ended.',
    strictShape({ sessionId: fields.id, endReason: z.enum(['logout', 'expired', 'revoked']), durationMs: fields.durationMs }),
  ),
  defineEvent(
    'auth.api_token.created',
    1,
    'An API token was issued; the token itself is never logged.',
    strictShape({
      tokenId: fields.id,
      tokenName: fields.name,
      scopes: z.array(z.string().min(1).max(64)).max(32),
      expiresAt: fields.time.optional(),
    }),
  ),
  defineEvent('auth.api_token.revoked', 1, 'An API token was revoked before it expired.', strictShape({ tokenId: fields.id })),
] as const;
