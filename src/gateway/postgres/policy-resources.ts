// A policy resource as the gateway uses it: what each level enforces and where, as whom, Writ connects upstream.
import { levelEnforcement, type Resource } from '../../access/resource-schema.ts';
import { resolveSecretRef, type SecretSources } from '../../access/resource-secrets.ts';
import { AppError } from '../../shared/app-error.ts';
import type { GatewayResource } from './gateway-deps.ts';
import type { UpstreamTarget } from './upstream-connection.ts';

/**
 * Wraps `resource`; secrets are resolved at each connection, so a rotated password file takes effect at once.
 * @example await gatewayResourceOf(resource, { env: process.env, readFile }).upstream('read-only')
 */
export function gatewayResourceOf(resource: Resource, secrets: SecretSources): GatewayResource {
  const levels = Object.keys(resource.levels);
  return {
    id: resource.id,
    levels,
    enforcement: (level) => levelEnforcement(resource, level),
    async upstream(level): Promise<UpstreamTarget> {
      const credentials = Object.hasOwn(resource.levels, level) ? resource.levels[level as keyof typeof resource.levels] : undefined;
      if (credentials === undefined) throw new AppError('not_found', `${resource.id} has no access level "${level}" in the policy in force`);
      const target: UpstreamTarget = {
        host: resource.connection.host,
        port: resource.connection.port,
        database: resource.connection.database,
        user: credentials.username,
        tls: resource.connection.tls,
      };
      if (credentials.password === undefined) return target;
      const password = await resolveSecretRef(credentials.password, secrets);
      return password === '' ? target : { ...target, password };
    },
  };
}
