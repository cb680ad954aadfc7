// Authentication events: sign-ins, sessions, passwords and API tokens of Writ's own users. No secret ever goes in one.
import { z } from 'zod';
import { strictShape } from '../event-schema.ts';
import { defineEvent, fields } from './event-definition.ts';

const loginMethod = z.enum(['password', 'oidc', 'api_token', 'scram_sha_256']);
/** The real reason, for auditors; the caller is only told that the sign-in failed. */
const loginFailure = z.enum(['unknown_user', 'bad_credentials', 'account_disabled', 'no_password', 'throttled', 'credentials_expired', 'mfa_failed']);
const scopes = z.array(z.string().min(1).max(64)).max(32);

export const authEvents = [
  defineEvent(
    'auth.login.succeeded',
    1,
    'A user signed in and a browser session began.',
    strictShape({ method: loginMethod, sessionId: fields.id, expiresAt: fields.time, mfa: z.boolean() }),
  ),
  defineEvent(
    'auth.login.failed',
    1,
    'A sign-in was refused. The typed username is in the actor name (personal data), never in the entry.',
    strictShape({
      method: loginMethod,
      failure: loginFailure,
      attempt: z.number().int().min(1).max(1_000_000).optional(),
      retryAfterMs: fields.durationMs.optional(),
    }),
  ),
  defineEvent(
    'auth.session.ended',
    1,
    'A browser session ended: logout, an idle or absolute timeout noticed, or revocation.',
    strictShape({
      sessionId: fields.id,
      endReason: z.enum(['logout', 'expired', 'revoked']),
      timeout: z.enum(['idle', 'absolute']).optional(),
      durationMs: fields.durationMs,
    }),
  ),
  defineEvent(
    'auth.sessions.revoked',
    1,
    'Every (other) session of a user was ended, e.g. on a password change or when the user was disabled.',
    strictShape({
      userId: fields.id,
      sessionIds: z.array(fields.id).max(10_000),
      cause: z.enum(['password_changed', 'password_reset', 'user_disabled']),
    }),
  ),
  defineEvent(
    'auth.password.changed',
    1,
    'A password was changed by its user (outcome failure: the current password was wrong) or reset by an admin.',
    strictShape({
      userId: fields.id,
      by: z.enum(['self', 'admin']),
      mustChangePassword: z.boolean(),
      failure: z.enum(['bad_current_password', 'throttled']).optional(),
    }),
  ),
  defineEvent(
    'auth.api_token.created',
    1,
    'An API token was issued; the token itself is never logged.',
    strictShape({
      tokenId: fields.id,
      tokenName: fields.name,
      ownerId: fields.id,
      scopes,
      expiresAt: fields.time.optional(),
    }),
  ),
  defineEvent(
    'auth.api_token.used',
    1,
    'An API token authenticated a request. Recorded at most once per token per hour, to keep volume sane.',
    strictShape({ tokenId: fields.id, ownerId: fields.id }),
  ),
  defineEvent('auth.api_token.revoked', 1, 'An API token was revoked.', strictShape({ tokenId: fields.id, ownerId: fields.id })),
] as const;
