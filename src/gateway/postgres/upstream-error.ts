// The one error of the upstream side: why Writ could not reach, secure, authenticate to or understand a PostgreSQL server.

export const upstreamErrorKinds = ['unreachable', 'timeout', 'tls', 'authentication', 'rejected', 'protocol'] as const;

/**
 * - unreachable: no TCP connection (refused, unknown host, reset by the network)
 * - timeout: the deadline passed before the session was ready
 * - tls: the server refused TLS where it was required, or its certificate did not verify
 * - authentication: the server refused the credentials, or asked for a method Writ does not speak
 * - rejected: the server refused the session after authentication (unknown database, too many connections, a failed initial statement)
 * - protocol: the server sent something PostgreSQL never sends
 */
export type UpstreamErrorKind = (typeof upstreamErrorKinds)[number];

/** Subject of messages raised by code that does not know which server it is talking to. */
export const UNNAMED_UPSTREAM = 'The upstream server';

export class UpstreamError extends Error {
  readonly kind: UpstreamErrorKind;
  /** SQLSTATE of the upstream ErrorResponse, when the server sent one. */
  declare readonly sqlState?: string;

  constructor(kind: UpstreamErrorKind, message: string, options?: { sqlState?: string | undefined; cause?: unknown }) {
    super(message, options?.cause === undefined ? undefined : { cause: options.cause });
    this.name = 'UpstreamError';
    this.kind = kind;
    if (options?.sqlState !== undefined) this.sqlState = options.sqlState;
  }

  /** The same error with the server named, for messages raised by code that only knew it as "the upstream server". */
  naming(upstreamName: string): UpstreamError {
    if (!this.message.startsWith(UNNAMED_UPSTREAM)) return this;
    const message = upstreamName + this.message.slice(UNNAMED_UPSTREAM.length);
    return new UpstreamError(this.kind, message, { sqlState: this.sqlState, cause: this.cause });
  }
}

/** True when `error` is an UpstreamError, optionally of the given kind. */
export function isUpstreamError(error: unknown, kind?: UpstreamErrorKind): error is UpstreamError {
  return error instanceof UpstreamError && (kind === undefined || error.kind === kind);
}

/** "PostgreSQL at 127.0.0.1:5432", "PostgreSQL at [::1]:5432": how messages name a server. */
export function describeUpstream(target: { readonly host: string; readonly port: number }): string {
  const host = target.host.includes(':') ? `[${target.host}]` : target.host;
  return `PostgreSQL at ${host}:${target.port}`;
}

/** The upstream server violated the protocol; `what` completes "The upstream server sent ...". */
export function upstreamProtocolError(what: string): UpstreamError {
  return new UpstreamError('protocol', `${UNNAMED_UPSTREAM} sent ${what}`);
}
