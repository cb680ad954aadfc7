// The `resources` section of a policy file: what Writ guards, its labels, connection and per-level credentials.
import { z } from 'zod';
import { guardrailListSchema, type Guardrail } from './guardrail-schema.ts';
import { flag, labels, plainText, slug, text } from './policy-fields.ts';
import { secretRefSchema } from './resource-secrets.ts';

export type { Guardrail } from './guardrail-schema.ts';

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

const READ_ONLY_LEVEL = 'read-only';

const postgresLevelSchema = z.strictObject(
  {
    username: plainText(63),
    password: secretRefSchema.optional(),
    readOnly: flag.optional(),
    guardrails: guardrailListSchema.optional(),
    logParameters: flag.optional(),
    allowSuperuser: flag.optional(),
  },
  { error: 'expected a mapping with username and, optionally, password (a secret reference), readOnly, guardrails, logParameters and allowSuperuser' },
);

type PostgresLevel = z.output<typeof postgresLevelSchema>;

/** Guardrail names must be unique among the rules that apply to a level: the resource's and the level's own. */
function checkGuardrailNames(resource: { guardrails?: readonly Guardrail[] | undefined; levels: Record<string, PostgresLevel> }, context: z.RefinementCtx): void {
  const resourceNames = new Map<string, number>();
  (resource.guardrails ?? []).forEach((rule, index) => {
    if (resourceNames.has(rule.name)) context.addIssue({ code: 'custom', message: `duplicate guardrail name "${rule.name}"`, path: ['guardrails', index, 'name'], input: rule.name });
    else resourceNames.set(rule.name, index);
  });
  for (const [level, settings] of Object.entries(resource.levels)) {
    const seen = new Set<string>();
    (settings.guardrails ?? []).forEach((rule, index) => {
      const path = ['levels', level, 'guardrails', index, 'name'];
      if (resourceNames.has(rule.name)) context.addIssue({ code: 'custom', message: `guardrail name "${rule.name}" is used by the resource's guardrails too`, path, input: rule.name });
      else if (seen.has(rule.name)) context.addIssue({ code: 'custom', message: `duplicate guardrail name "${rule.name}"`, path, input: rule.name });
      seen.add(rule.name);
    });
    if (level === READ_ONLY_LEVEL && settings.readOnly === false) {
      context.addIssue({ code: 'custom', message: 'the read-only level is always read-only: offer read-write for changes', path: ['levels', level, 'readOnly'], input: false });
    }
  }
}

const commonResourceFields = {
  id: resourceIdSchema,
  name: text(200),
  description: text(2000).optional(),
  labels: labels.default({}),
};

const postgresResourceSchema = z
  .strictObject({
    ...commonResourceFields,
    kind: z.literal('postgres'),
    connection: postgresConnectionSchema,
    guardrails: guardrailListSchema.optional(),
    levels: z
      .record(levelNameSchema, postgresLevelSchema, { error: 'expected a mapping of access levels, like { read-only: { username: ... } }' })
      .refine((record) => Object.keys(record).length >= 1, { error: 'expected at least one access level' }),
  })
  .superRefine(checkGuardrailNames);

/** One guarded resource; `kind` selects the shape of `connection` and `levels`. */
export const resourceSchema = z.discriminatedUnion('kind', [postgresResourceSchema], {
  error: 'expected a resource with a kind (postgres)',
});

export type Resource = z.output<typeof resourceSchema>;
export type PostgresConnection = z.output<typeof postgresConnectionSchema>;

/** What the gateway enforces for a session at one level. */
export interface LevelEnforcement {
  /** Only reads: the gateway refuses anything that writes (and the upstream session is read-only too). */
  readonly readOnly: boolean;
  /** The resource's guardrails, then the level's own. */
  readonly guardrails: readonly Guardrail[];
  /** Whether audit events carry bind parameter values; when false they are redacted. */
  readonly logParameters: boolean;
  /**
   * Whether a read-only session may run as a database superuser. Off unless the policy says so: a superuser can lift
   * read-only mode and run programs on the database host, so the database's own enforcement would be gone.
   */
  readonly allowSuperuser: boolean;
}

/**
 * The enforcement settings of `levelName` on `resource`, defaults filled in:
 * `readOnly` is true for the `read-only` level unless set, `logParameters` and `allowSuperuser` are false unless set.
 * @example levelEnforcement(resource, 'read-only') // { readOnly: true, guardrails: [], logParameters: false, allowSuperuser: false }
 */
export function levelEnforcement(resource: Resource, levelName: string): LevelEnforcement {
  const level = Object.hasOwn(resource.levels, levelName) ? resource.levels[levelName as LevelName] : undefined;
  return {
    readOnly: level?.readOnly ?? levelName === READ_ONLY_LEVEL,
    guardrails: [...(resource.guardrails ?? []), ...(level?.guardrails ?? [])],
    logParameters: level?.logParameters ?? false,
    allowSuperuser: level?.allowSuperuser ?? false,
  };
}

/** A resource as events and API responses show it: connection details without any credentials. */
export interface PublicResource {
  readonly id: ResourceId;
  readonly kind: Resource['kind'];
  readonly name: string;
  readonly description?: string;
  readonly labels: Readonly<Record<string, string>>;
  readonly connection: PostgresConnection;
  readonly levels: readonly LevelName[];
  /** What the gateway enforces per level (guardrails are not secret: people may see why a statement is refused). */
  readonly enforcement: Readonly<Record<string, LevelEnforcement>>;
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
    enforcement: Object.fromEntries(Object.keys(resource.levels).map((level) => [level, levelEnforcement(resource, level)])),
  };
  return resource.description === undefined ? view : { ...view, description: resource.description };
}
