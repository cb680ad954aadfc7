// The identity core's persistence port: reads, and writes that run in one transaction with the ledger writer.
import type { LedgerWriter } from '../ledger/ledger-store.ts';
import type { ApiToken, ApiTokenId, ApiTokenRecord } from './api-token.ts';
import type { Group, GroupId } from './group.ts';
import type { RecentFailures } from './login-throttle.ts';
import type { SessionId, SessionRecord } from './session.ts';
import type { Role, User, UserId, UserRecord } from './user.ts';

/** Keyset pagination: at most `limit` rows ordered by the listing's key, starting after `after`. */
export interface PageQuery {
  readonly limit: number;
  readonly after: string | undefined;
}

/** Changes to a user; absent fields stay as they are, `email: null` clears the address. */
export interface UserPatch {
  readonly displayName?: string;
  readonly email?: string | null;
  readonly roles?: readonly Role[];
  readonly disabled?: boolean;
  readonly mustChangePassword?: boolean;
  readonly passwordHash?: string;
  readonly updatedAtMs: number;
}

export interface LoginFailureQuery {
  readonly accountKey: string;
  readonly ip: string | undefined;
  readonly sinceMs: number;
  /** Most recent failures to return per key. */
  readonly limit: number;
}

export interface IdentityReader {
  countUsers(): Promise<number>;
  findUserById(id: UserId): Promise<UserRecord | undefined>;
  findUserByUsername(username: string): Promise<UserRecord | undefined>;
  /** Ordered by username. */
  listUsers(page: PageQuery): Promise<User[]>;
  findGroupByName(name: string): Promise<Group | undefined>;
  /** Ordered by name. */
  listGroups(page: PageQuery): Promise<Group[]>;
  /** Members ordered by username. */
  listGroupMembers(groupId: GroupId, page: PageQuery): Promise<User[]>;
  countGroupMembers(groupId: GroupId): Promise<number>;
  /** Names of the user's groups, sorted. */
  groupNamesOf(userId: UserId): Promise<string[]>;
  findSessionById(id: SessionId): Promise<SessionRecord | undefined>;
  findSessionByTokenDigest(digest: Uint8Array): Promise<SessionRecord | undefined>;
  findApiToken(id: ApiTokenId): Promise<ApiTokenRecord | undefined>;
  /** Ordered by id (creation order); every owner's when `ownerId` is undefined. */
  listApiTokens(ownerId: UserId | undefined, page: PageQuery): Promise<ApiToken[]>;
  /** Failure times at or after `sinceMs`, newest first, under the account key and from the IP. */
  recentLoginFailures(query: LoginFailureQuery): Promise<RecentFailures>;
}

export interface IdentityWriter {
  /** Throws AppError('conflict') when the username is taken. */
  insertUser(user: UserRecord): Promise<void>;
  updateUser(id: UserId, patch: UserPatch): Promise<void>;
  /** Throws AppError('conflict') when the name is taken. */
  insertGroup(group: Group): Promise<void>;
  /** Deletes the group and its memberships. */
  deleteGroup(id: GroupId): Promise<void>;
  /** False when the user already was a member. */
  addGroupMember(groupId: GroupId, userId: UserId, atMs: number): Promise<boolean>;
  /** False when the user was not a member. */
  removeGroupMember(groupId: GroupId, userId: UserId): Promise<boolean>;
  insertSession(session: SessionRecord): Promise<void>;
  /** False when no such session was left (someone else ended it first). */
  deleteSession(id: SessionId): Promise<boolean>;
  /** Ends every session of the user but `exceptId`; returns the ids it ended. */
  deleteSessionsOfUser(userId: UserId, exceptId: SessionId | undefined): Promise<SessionId[]>;
  /** Throws AppError('conflict') when the owner already has a token of that name. */
  insertApiToken(token: ApiTokenRecord): Promise<void>;
  /** False when the token was already revoked. */
  revokeApiToken(id: ApiTokenId, atMs: number): Promise<boolean>;
  /** Sets the last-use time unless it is already at or after `unlessSinceMs`; true when it did. */
  markApiTokenUsed(id: ApiTokenId, atMs: number, unlessSinceMs: number): Promise<boolean>;
  recordLoginFailure(failure: { accountKey: string; ip: string | undefined; atMs: number }): Promise<void>;
  /** Forgets the account's failures (after a successful sign-in) and everyone's before `staleBeforeMs`. */
  forgetLoginFailures(accountKey: string | undefined, staleBeforeMs: number): Promise<void>;
}

/** One database transaction: state writes and the ledger entries that record them commit together. */
export interface IdentityTransaction extends IdentityReader, IdentityWriter {
  readonly ledger: LedgerWriter;
}

export interface IdentityStore extends IdentityReader {
  /** Runs `work` in one transaction; if it throws, nothing it wrote (state or ledger) is kept. */
  transact<T>(work: (tx: IdentityTransaction) => Promise<T>): Promise<T>;
  /**
   * Records that a session was just used (sliding idle timeout). Bookkeeping, not an access change, so it is
   * written outside the ledger; the service calls it at most once a minute per session.
   */
  touchSession(id: SessionId, lastSeenAtMs: number): Promise<void>;
}
