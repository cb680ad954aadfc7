// What the PostgreSQL gateway needs from the rest of Writ, as plain functions the composition root supplies.
import type { SecureContext } from 'node:tls';
import type { Grant } from '../../access/access-types.ts';
import type { AuditEntryFactory } from '../../events/audit-entry.ts';
import { defaultLoginThrottle, type LoginThrottleSettings } from '../../identity/login-throttle.ts';
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
  /** Startup, TLS and authentication must finish within this (a slow sign-in holds a starting slot until then). */
  readonly startupTimeoutMs: number;
  readonly upstreamConnectTimeoutMs: number;
  /** Connections at once, established or not; more are refused with 53300. */
  readonly maxConnections: number;
  /** Connections still in startup at once (a slow-start flood cannot starve established sessions). */
  readonly maxStartingConnections: number;
  /** Connections still in startup at once from one source (an IPv4 address or an IPv6 /64); more get 53300. */
  readonly maxStartingPerSource: number;
  /**
   * Largest message before authentication (SASLInitialResponse, SASLResponse), checked on its length field
   * before it is buffered. Held bytes per starting connection stay under max(10,000, this + 5) plus one read.
   */
  readonly maxPreAuthMessageBytes: number;
  /** Largest message of an authenticated session. */
  readonly maxMessageBytes: number;
  /** Anonymous refusals (before authentication) are written as one summary per source per interval. */
  readonly refusalSummaryIntervalMs: number;
  /** Sources summarised separately per interval; the rest share one `other` summary. */
  readonly refusalSummaryMaxSources: number;
  /** Failed gateway sign-ins per claimed user name and per source: the HTTP sign-in rule (ADR 0005), in memory. */
  readonly loginThrottle: LoginThrottleSettings;
  /** User names and sources the login throttle remembers at most. */
  readonly loginThrottleMaxKeys: number;
  readonly completionBatch: number;
  readonly completionFlushMs: number;
  readonly grantTickMs: number;
  readonly grantRefreshMs: number;
}

export const defaultGatewaySettings: GatewaySettings = {
  tls: undefined,
  requireTls: false,
  startupTimeoutMs: 5000,
  upstreamConnectTimeoutMs: 10_000,
  maxConnections: 10_000,
  maxStartingConnections: 512,
  maxStartingPerSource: 32,
  maxPreAuthMessageBytes: 8192,
  maxMessageBytes: 64 * 1024 * 1024,
  refusalSummaryIntervalMs: 60_000,
  refusalSummaryMaxSources: 1000,
  loginThrottle: defaultLoginThrottle,
  loginThrottleMaxKeys: 100_000,
  completionBatch: 200,
  completionFlushMs: 1000,
  grantTickMs: 200,
  grantRefreshMs: 500,
};
