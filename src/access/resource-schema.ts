// The `resources` section of a policy file: what Writ guards, its labels, connection and per-level credentials.
import { z } from 'zod';
import { labels, plainText, slug, text } from './policy-fields.ts';
import { secretRefSchema } from './resource-secrets.ts';

const HOST = /^[A-Za-z0-9._:[\]-]{1,253}$/;

/** A resource id: a slug, unique in the file. */
export const resourceIdSchema = slug.brand<'ResourceId'>();
export type ResourceId = z.output<typeof resourceIdSchema>;

/** An access level name, such as `read-only`; which ones exist depends on the resource kind. */
export const levelNameSchema = slug.brand<'LevelName'>();
export type LevelName = z.output<typeof levelNameSchema>;

const postgresConnectionSchema = z.strictObject(
  {
    host: z.string({ error: 'expected a host name or IP address' }).regex(HOST, { error: 'expected a host name or IP address' }),
    port: z
      .number({ error: 'expected a port number' })
      .int({ error: 'expected a port number' })
      .min(1, { error: 'expected a port from 1 to 65535' })
      .max(65_535, { error: 'expected a port from 1 to 65535' })
      .default(5432),
    database: plainText(63),
    tls: z.enum(['disable', 'prefer', 'require', 'verify-full'], { error: 'expected one of disable, prefer, require, verify-full' }).default('require'),
  },
  { error: 'expected a mapping with host, port, database and tls' },
);

const postgresLevelSchema = z.strictObject(
  { username: plainText(63), password: secretRefSchema.optional() },
  { error: 'expected a mapping with username and, optionally, password (a secret reference)' },
);

const commonResourceFields = {
  id: resourceIdSchema,
  name: text(200),
  description: text(2000).optional(),
  labels: labels.default({}),
};

const postgresResourceSchema = z.strictObject({
  ...commonResourceFields,
  kind: z.literal('postgres'),
  connection: postgresConnectionSchema,
  levels: z
    .record(levelNameSchema, postgresLevelSchema, { error: 'expected a mapping of access levels, like { read-only: { username: ... } }' })
    .refine((record) => Object.keys(record).length >= 1, { error: 'expected at least one access level' }),
});

/** One guarded resource; `kind` selects the shape of `connection` and `levels`. */
export const resourceSchema = z.discriminatedUnion('kind', [postgresResourceSchema], {
  error: 'expected a resource with a kind (postgres)',
});

export type Resource = z.output<typeof resourceSchema>;
export type PostgresConnection = z.output<typeof postgresConnectionSchema>;

/** A resource as events and API responses show it: connection details without any credentials. */
export interface PublicResource {
  readonly id: ResourceId;
  readonly kind: Resource['kind'];
  readonly name: string;
  readonly description?: string;
  readonly labels: Readonly<Record<string, string>>;
  readonly connection: PostgresConnection;
  readonly levels: readonly LevelName[];
}

/**
 * The resource without secret references or usernames: safe for events, logs and API responses.
 * @example toPublicResource(resource).levels // ['read-only', 'read-write']
 */
export function toPublicResource(resource: Resource): PublicResource {
  const view: PublicResource = {
    id: resource.id,
    kind: resource.kind,
    name: resource.name,
    labels: { ...resource.labels },
    connection: { ...resource.connection },
    levels: Object.keys(resource.levels) as LevelName[],
  };
  return resource.description === undefined ? view : { ...view, description: resource.description };
}
