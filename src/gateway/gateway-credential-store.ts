// The gateway credentials' persistence port: SCRAM verifiers of short-lived passwords, each tied to one grant.
import type { GrantId } from '../access/access-types.ts';
import type { LedgerWriter } from '../ledger/ledger-store.ts';
import type { ScramVerifier } from './postgres/scram-verifier.ts';

export type GatewayCredentialId = string & { readonly __brand: 'GatewayCredentialId' };

/** A stored credential: never the password, only what checks a SCRAM proof made with it. */
export interface GatewayCredential {
  readonly id: GatewayCredentialId;
  readonly userId: string;
  readonly resourceId: string;
  readonly grantId: GrantId;
  readonly level: string;
  readonly verifier: ScramVerifier;
  readonly createdAtMs: number;
  /** When the grant was due to end at issue; the gateway still checks the grant itself (it may be revoked). */
  readonly expiresAtMs: number;
}

/** The writes of one issue; its ledger entry commits with them or not at all. */
export interface GatewayCredentialTransaction {
  readonly ledger: LedgerWriter;
  insert(credential: GatewayCredential): Promise<void>;
  /**
   * Keeps the `keep` newest credentials of the user for the resource that are unexpired at `nowMs` and deletes
   * the older unexpired ones; returns how many it deleted.
   */
  trimUnexpired(userId: string, resourceId: string, nowMs: number, keep: number): Promise<number>;
  /** Deletes every credential (of anyone) that expired before `beforeMs`; returns how many. */
  deleteExpiredBefore(beforeMs: number): Promise<number>;
}

export interface CredentialQuery {
  readonly userId: string;
  readonly resourceId: string;
  /** `unexpired`: expiring after `nowMs`, newest issued first; `expired`: expired in (`sinceMs`, `nowMs`], latest expiry first. */
  readonly state: 'unexpired' | 'expired';
  readonly nowMs: number;
  /** Only with `expired`: the start of the window. */
  readonly sinceMs?: number;
  readonly limit: number;
}

export interface GatewayCredentialStore {
  transact<T>(work: (tx: GatewayCredentialTransaction) => Promise<T>): Promise<T>;
  list(query: CredentialQuery): Promise<GatewayCredential[]>;
}
