// The validated, frozen configuration of one Writ process.
import { z } from 'zod';
import { keepForever, retentionSettingsSchema } from '../ledger/retention-rules.ts';

/** The retention section; from the environment it comes as JSON text. */
const retentionSetting = z.preprocess((value, context) => {
  if (typeof value !== 'string') return value;
  try {
    return JSON.parse(value) as unknown;
  } catch {
    context.addIssue({ code: 'custom', message: 'expected JSON such as {"rules":[{"typePrefix":"gateway.","keepDays":400}],"defaultKeepDays":2557}' });
    return z.NEVER;
  }
}, retentionSettingsSchema);

const listenPattern = /^(\[[0-9a-fA-F:]+\]|[A-Za-z0-9.-]+):(\d{1,5})$/;

/**
 * The host and port of a HOST:PORT setting; an IPv6 host loses its brackets.
 * @example hostAndPort('[::1]:7432') // { host: '::1', port: 7432 }
 */
export function hostAndPort(setting: string): { host: string; port: number } {
  const at = setting.lastIndexOf(':');
  return { host: setting.slice(0, at).replace(/^\[|\]$/g, ''), port: Number(setting.slice(at + 1)) };
}

/** A HOST:PORT setting whose port is at least `minPort` (0 lets the system choose one). */
function hostPortSetting(example: string, minPort: 0 | 1) {
  return z
    .string()
    .max(300)
    .regex(listenPattern, `must be HOST:PORT, e.g. ${example}`)
    .refine((value) => {
      const { port } = hostAndPort(value);
      return port >= minPort && port <= 65_535;
    }, `the port must be ${minPort} to 65535`);
}

export const configSchema = z
  .object({
    dataDir: z.string().min(1).max(4096).default('./.writ'),
    pgUrl: z
      .string()
      .max(4096)
      .regex(/^postgres(ql)?:\/\//, 'must be a postgres:// or postgresql:// URL')
      .optional(),
    durability: z.enum(['normal', 'full']).default('normal'),
    logOrigin: z
      .string()
      .min(1)
      .max(255)
      .regex(/^[^\s+]+$/, 'must have no spaces and no "+" (it is the checkpoint origin and the key name)')
      .optional(),
    logKey: z.string().max(1024).optional(),
    logReadToken: z.string().min(16, 'must be at least 16 characters').max(1024).optional(),
    listen: z.string().max(300).regex(listenPattern, 'must be HOST:PORT, e.g. 127.0.0.1:7070').default('127.0.0.1:7070'),
    /** Where the PostgreSQL gateway listens. */
    pgListen: hostPortSetting('127.0.0.1:7432', 0).default('127.0.0.1:7432'),
    /** The gateway address clients are told to use (`writ connect`) when they reach it through another address (a proxy, NAT, DNS name). */
    pgAdvertise: hostPortSetting('db-gateway.example.com:5432', 1).optional(),
    /** The gateway's TLS certificate and key (PEM files); without them Writ generates a certificate once and keeps it in the data directory. */
    pgTlsCert: z.string().min(1).max(4096).optional(),
    pgTlsKey: z.string().min(1).max(4096).optional(),
    /** `on`: the gateway refuses clients that did not negotiate TLS. */
    pgRequireTls: z.enum(['on', 'off']).default('off'),
    /** A gateway client must finish TLS, startup and authentication within this; until then it holds a starting slot. */
    pgStartupTimeoutMs: z.coerce.number().int().min(500).max(120_000).default(5000),
    /** Gateway connections still starting (not yet authenticated) at once; more are refused with 53300. */
    pgMaxStarting: z.coerce.number().int().min(1).max(100_000).default(512),
    /** Of those, from one source (an IPv4 address or an IPv6 /64) at once. */
    pgMaxStartingPerSource: z.coerce.number().int().min(1).max(100_000).default(32),
    /** Largest gateway message before authentication (SASL messages need well under 1 KiB). */
    pgMaxPreAuthMessageBytes: z.coerce.number().int().min(512).max(65_536).default(8192),
    /** Refusals before authentication are written as one summary per source per this interval. */
    pgRefusalSummarySeconds: z.coerce.number().int().min(1).max(3600).default(60),
    /** The demo database (`demo-db` in the example policy): an embedded PostgreSQL on `demoListen`, started by `writ serve`. */
    demoDb: z.enum(['on', 'off']).default('on'),
    demoListen: hostPortSetting('127.0.0.1:7433', 0).default('127.0.0.1:7433'),
    logLevel: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info'),
    sequencerBatchSize: z.coerce.number().int().min(1).max(16_384).default(4096),
    sequencerPollMs: z.coerce.number().int().min(5).max(60_000).default(50),
    sessionIdleMinutes: z.coerce.number().int().min(1).max(24 * 60).default(30),
    sessionAbsoluteHours: z.coerce.number().int().min(1).max(30 * 24).default(12),
    /** The first start's admin password; without it a one-time password is generated and printed. */
    adminPassword: z.string().min(1).max(1024).optional(),
    /** A policy file applied at start (a new version only when its content changed). */
    policyFile: z.string().min(1).max(4096).optional(),
    /** The witness policy (C2SP tlog-policy): the witnesses each checkpoint goes to, and the quorum publication waits for. */
    witnessPolicyFile: z.string().min(1).max(4096).optional(),
    /** Retention rules by event type prefix, and how often `writ serve` applies them; without any, everything is kept forever. */
    retention: retentionSetting.default(keepForever),
  })
  .strict();

export type WritConfig = Readonly<z.infer<typeof configSchema>>;

/** Where each setting may come from, in the names each source uses. */
export const configEnvNames = {
  dataDir: 'WRIT_DATA',
  pgUrl: 'WRIT_PG_URL',
  durability: 'WRIT_DURABILITY',
  logOrigin: 'WRIT_LOG_ORIGIN',
  logKey: 'WRIT_LOG_KEY',
  logReadToken: 'WRIT_LOG_READ_TOKEN',
  listen: 'WRIT_LISTEN',
  pgListen: 'WRIT_PG_LISTEN',
  pgAdvertise: 'WRIT_PG_ADVERTISE',
  pgTlsCert: 'WRIT_PG_TLS_CERT',
  pgTlsKey: 'WRIT_PG_TLS_KEY',
  pgRequireTls: 'WRIT_PG_REQUIRE_TLS',
  pgStartupTimeoutMs: 'WRIT_PG_STARTUP_TIMEOUT_MS',
  pgMaxStarting: 'WRIT_PG_MAX_STARTING',
  pgMaxStartingPerSource: 'WRIT_PG_MAX_STARTING_PER_SOURCE',
  pgMaxPreAuthMessageBytes: 'WRIT_PG_MAX_PREAUTH_MESSAGE_BYTES',
  pgRefusalSummarySeconds: 'WRIT_PG_REFUSAL_SUMMARY_SECONDS',
  demoDb: 'WRIT_DEMO_DB',
  demoListen: 'WRIT_DEMO_LISTEN',
  logLevel: 'WRIT_LOG_LEVEL',
  sequencerBatchSize: 'WRIT_SEQUENCER_BATCH_SIZE',
  sequencerPollMs: 'WRIT_SEQUENCER_POLL_MS',
  sessionIdleMinutes: 'WRIT_SESSION_IDLE_MINUTES',
  sessionAbsoluteHours: 'WRIT_SESSION_ABSOLUTE_HOURS',
  adminPassword: 'WRIT_ADMIN_PASSWORD',
  policyFile: 'WRIT_POLICY_FILE',
  witnessPolicyFile: 'WRIT_WITNESS_POLICY',
  retention: 'WRIT_RETENTION',
} as const satisfies Record<keyof WritConfig, `WRIT_${string}`>;

/** Settings that are secrets: never logged, printed or put in an event. */
export const secretSettings: ReadonlySet<keyof WritConfig> = new Set(['logKey', 'logReadToken', 'pgUrl', 'adminPassword']);
