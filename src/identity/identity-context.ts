// What every identity command shares: dependencies, the audit helper, actors for events, request origins, pages.
import { isIP } from 'node:net';
import type { AuditEntryFactory } from '../events/audit-entry.ts';
import type { EventInput } from '../events/event-schema.ts';
import { AppError } from '../shared/app-error.ts';
import type { Clock } from '../shared/clock.ts';
import type { IdGenerator } from '../shared/ids.ts';
import type { IdentityReader, IdentityStore, IdentityTransaction, PageQuery } from './identity-store.ts';
import type { IdentitySettings } from './identity-settings.ts';
import type { PasswordHasher } from './password-hasher.ts';
import type { Principal } from './principal.ts';
import type { User, UserId, UserRecord } from './user.ts';

export type EventActor = EventInput['actor'];

/** Where a request came from, as the edge saw it. Invalid values are dropped, not refused. */
export interface RequestOrigin {
  readonly ip?: string | undefined;
  readonly userAgent?: string | undefined;
}

export interface IdentityContext {
  readonly store: IdentityStore;
  readonly clock: Clock;
  readonly ids: IdGenerator;
  readonly settings: IdentitySettings;
  readonly hasher: PasswordHasher;
  readonly sleep: (ms: number) => Promise<void>;
  /** Appends the events' ledger entries inside the transaction (ARCHITECTURE rule 2). */
  record(tx: IdentityTransaction, events: readonly EventInput[]): Promise<void>;
}

/** @example createRecorder(auditEntry)(tx, [{ type: 'identity.user.disabled', actor, outcome: 'success', data }]) */
export function createRecorder(auditEntry: AuditEntryFactory): IdentityContext['record'] {
  return (tx, events) => tx.ledger.appendPending(events.map((event) => auditEntry(event)));
}

/** Writ itself, for first start. */
export const systemActor: EventActor = { kind: 'system', id: 'writ' };

/**
 * The event actor of a principal: its user id in the entry; username, IP and user agent as personal data.
 * @example actorOf(principal) // { kind: 'user', id: '0193…', name: 'alice', authMethod: 'session', ip: '10.0.0.1' }
 */
export function actorOf(principal: Principal): EventActor {
  return {
    kind: principal.kind === 'service' ? 'service' : 'user',
    id: principal.userId,
    name: principal.username,
    authMethod: principal.via === 'session' ? 'session' : 'api_token',
    ip: principal.ip,
    userAgent: principal.userAgent,
  };
}

/**
 * The event actor of a user acting through a credential, e.g. while signing in.
 * @example userActor(user, { ip: '10.0.0.1' }, 'password')
 */
export function userActor(user: User, origin: CleanOrigin, authMethod: string): EventActor {
  return { kind: user.kind === 'service' ? 'service' : 'user', id: user.id, name: user.username, authMethod, ip: origin.ip, userAgent: origin.userAgent };
}

export interface CleanOrigin {
  readonly ip: string | undefined;
  readonly userAgent: string | undefined;
}

/**
 * Keeps an IP only when it is one, and a user agent trimmed to 1024 printable characters.
 * @example cleanOrigin({ ip: 'unknown', userAgent: 'curl/8' }) // { ip: undefined, userAgent: 'curl/8' }
 */
export function cleanOrigin(origin: RequestOrigin | undefined): CleanOrigin {
  const ip = origin?.ip !== undefined && isIP(origin.ip) !== 0 ? origin.ip : undefined;
  // eslint-disable-next-line no-control-regex
  const agent = origin?.userAgent?.replace(/[\u0000-\u001f\u007f]/g, '').trim().slice(0, 1024);
  return { ip, userAgent: agent === undefined || agent === '' ? undefined : agent };
}

/** A target of an event. */
export function target(kind: 'user' | 'group' | 'session' | 'api_token', id: string): { kind: string; id: string } {
  return { kind, id };
}

export interface PageRequest {
  readonly limit?: number | undefined;
  /** `nextCursor` of the previous page. */
  readonly cursor?: string | undefined;
}

export interface Page<T> {
  readonly items: readonly T[];
  /** Pass it back as `cursor` for the next page; undefined on the last page. */
  readonly nextCursor: string | undefined;
}

/**
 * Reads one page with keyset pagination: asks for one row more than shown to know whether another page exists.
 * @example await readPage(50, { limit: 10 }, (q) => store.listUsers(q), (u) => u.username)
 */
export async function readPage<T>(maxPageSize: number, request: PageRequest, fetch: (query: PageQuery) => Promise<T[]>, keyOf: (item: T) => string): Promise<Page<T>> {
  const limit = request.limit ?? 50;
  if (!Number.isInteger(limit) || limit < 1 || limit > maxPageSize) {
    throw new AppError('invalid_input', `page size must be a whole number from 1 to ${maxPageSize} (got ${limit})`, { details: { field: 'limit' } });
  }
  if (request.cursor !== undefined && request.cursor.length > 256) throw new AppError('invalid_input', 'the cursor is not one Writ gave out', { details: { field: 'cursor' } });
  const rows = await fetch({ limit: limit + 1, after: request.cursor });
  const items = rows.slice(0, limit);
  const last = items[items.length - 1];
  return { items, nextCursor: rows.length > limit && last !== undefined ? keyOf(last) : undefined };
}

/**
 * The user, or `not_found`.
 * @example const user = await loadUser(tx, userId)
 */
export async function loadUser(reader: IdentityReader, userId: UserId): Promise<UserRecord> {
  const user = await reader.findUserById(userId);
  if (user === undefined) throw new AppError('not_found', `user ${userId} does not exist`);
  return user;
}
