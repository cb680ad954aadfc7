// The gateway API's bodies and answers (zod, bounded): a short-lived credential and how to connect with it; the CLI shares them.
import { z } from 'zod';
import type { IssuedGatewayCredential } from '../gateway/gateway-credentials.ts';

const slug = z.string().min(1).max(64).regex(/^[a-z0-9][a-z0-9._-]*$/, 'expected lower-case letters, digits, ".", "_" or "-"');

export const issueCredentialBody = z.strictObject({
  resourceId: slug,
  /** Needed only when you hold active grants at several levels on the resource. */
  level: slug.optional(),
});

export const issuedCredentialView = z.object({
  credentialId: z.string(),
  resourceId: z.string(),
  level: z.string(),
  grantId: z.string(),
  /** The user name to connect as: your Writ user name. */
  user: z.string(),
  /** Shown once: Writ keeps only its SCRAM verifier. */
  password: z.string(),
  /** When the credential stops working: the end of the grant. */
  expiresAt: z.string(),
  host: z.string(),
  port: z.number().int(),
  /** The database name to ask the gateway for: the resource id. */
  database: z.string(),
  connectionString: z.string(),
  psqlCommand: z.string(),
});
export type IssuedCredentialView = z.infer<typeof issuedCredentialView>;

/** Where clients reach the gateway. */
export interface GatewayAddress {
  readonly host: string;
  readonly port: number;
}

/**
 * A libpq connection URI; every part that could hold a reserved character is percent-encoded.
 * @example connectionUri({ user: 'alice', password: 'p', host: '::1', port: 7432, database: 'pg-prod' }) // 'postgresql://alice:p@[::1]:7432/pg-prod?sslmode=prefer'
 */
export function connectionUri(parts: { user: string; password: string; host: string; port: number; database: string }): string {
  const host = parts.host.includes(':') ? `[${parts.host}]` : parts.host;
  return `postgresql://${encodePart(parts.user)}:${encodePart(parts.password)}@${host}:${parts.port}/${encodePart(parts.database)}?sslmode=prefer`;
}

/** RFC 3986 percent-encoding, stricter than encodeURIComponent: `!'()*` too, so no shell sees history expansion or quotes. */
function encodePart(text: string): string {
  return encodeURIComponent(text).replace(/[!'()*]/g, (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`);
}

/** The API's answer to an issue: the credential once, and ready-made ways to connect with it. */
export function toIssuedCredentialView(issued: IssuedGatewayCredential, address: GatewayAddress): IssuedCredentialView {
  const connectionString = connectionUri({ user: issued.userName, password: issued.password, host: address.host, port: address.port, database: issued.resourceId });
  return {
    credentialId: issued.credentialId,
    resourceId: issued.resourceId,
    level: issued.level,
    grantId: issued.grantId,
    user: issued.userName,
    password: issued.password,
    expiresAt: new Date(issued.expiresAtMs).toISOString(),
    host: address.host,
    port: address.port,
    database: issued.resourceId,
    connectionString,
    // Every part is percent-encoded, so nothing in the URI means anything to a shell inside double quotes.
    psqlCommand: `psql "${connectionString}"`,
  };
}
