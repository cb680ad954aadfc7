// What the PostgreSQL gateway needs from the rest of Writ, as plain functions the composition root supplies.
import type { SecureContext } from 'node:tls';
import type { Grant } from '../../access/access-types.ts';
import type { AuditEntryFactory } from '../../events/audit-entry.ts';
import type { GroupCommitAppender } from '../../ledger/group-commit.ts';
import type { Clock } from '../../shared/clock.ts';
import type { IdGenerator } from '../../shared/ids.ts';
import type { CredentialLookup } from '../gateway-credentials.ts';
import type { SessionEnforcement } from './statement-judge.ts';
import type { UpstreamTarget } from './upstream-connection.ts';

/** A resource the gateway can relay to, as the policy in force describes it. */
export interface GatewayResource {
  readonly id: string;
  readonly levels: readonly string[];
  enforcement(level: string): SessionEnforcement;
  /** Where and as whom Writ connects for `level`; secrets are resolved here, never shown. */
  upstream(level: string): Promise<UpstreamTarget>;
}

export interface GatewayDeps {
  readonly clock: Clock;
  readonly ids: IdGenerator;
  readonly appender: GroupCommitAppender;
  readonly auditEntry: AuditEntryFactory;
  readonly resource: (id: string) => GatewayResource | undefined;
  readonly findCredentials: (userName: string, resourceId: string, nowMs: number) => Promise<CredentialLookup>;
  readonly getGrant: (grantId: string) => Promise<Grant | undefined>;
  readonly log: GatewayLog;
}

export interface GatewayLog {
  info(details: object, message: string): void;
  warn(details: object, message: string): void;
  error(details: object, message: string): void;
}

export interface GatewaySettings {
  /** TLS offered on SSLRequest; undefined: SSLRequest is answered 'N'. */
  readonly tls: SecureContext | undefined;
  /** Refuse connections that did not negotiate TLS. */
  readonly requireTls: boolean;
  /** Startup, TLS and authentication must finish within this. */
  readonly startupTimeoutMs: number;
  readonly upstreamConnectTimeoutMs: number;
  /** Connections at once, established or not; more are refused with 53300. */
  readonly maxConnections: number;
  /** Connections still in startup at once (a slow-start flood cannot starve established sessions). */
  readonly maxStartingConnections: number;
  readonly maxMessageBytes: number;
  readonly completionBatch: number;
  readonly completionFlushMs: number;
  readonly grantTickMs: number;
  readonly grantRefreshMs: number;
}

export const defaultGatewaySettings: GatewaySettings = {
  tls: undefined,
  requireTls: false,
  startupTimeoutMs: 10_000,
  upstreamConnectTimeoutMs: 10_000,
  maxConnections: 10_000,
  maxStartingConnections: 512,
  maxMessageBytes: 64 * 1024 * 1024,
  completionBatch: 200,
  completionFlushMs: 1000,
  grantTickMs: 200,
  grantRefreshMs: 500,
};
