// Retention rules: an ordered list of event type prefixes with how long their entries' content is kept, and a default.
import { z } from 'zod';

const MAX_KEEP_DAYS = 36_500;
const DAY_MS = 86_400_000;

/** Days to keep, or `forever`. */
const KEEP_DAYS_HINT = `expected a whole number of days from 1 to ${MAX_KEEP_DAYS}, or "forever"`;
export const keepDaysSchema = z.union(
  [z.number({ error: KEEP_DAYS_HINT }).int(KEEP_DAYS_HINT).min(1, KEEP_DAYS_HINT).max(MAX_KEEP_DAYS, KEEP_DAYS_HINT), z.literal('forever', { error: KEEP_DAYS_HINT })],
  { error: KEEP_DAYS_HINT },
);
export type KeepDays = z.output<typeof keepDaysSchema>;

const typePrefixSchema = z
  .string({ error: 'expected an event type prefix such as "gateway."' })
  .min(1)
  .max(128)
  .regex(/^[a-z][a-z0-9_]*(\.[a-z0-9_]+)*\.?$/, 'expected an event type prefix such as "gateway." or "access.request." (lower case, dotted)');

/** A strict mapping's error: unknown keys by name, anything else as `expected`. */
function mappingError(expected: string, allowed: string): (issue: { code: string; keys?: string[] }) => string {
  return (issue) => (issue.code === 'unrecognized_keys' ? `unknown setting ${(issue.keys ?? []).map((k) => `"${k}"`).join(', ')} (allowed: ${allowed})` : expected);
}

export const retentionRuleSchema = z.strictObject(
  { typePrefix: typePrefixSchema, keepDays: keepDaysSchema },
  { error: mappingError('expected a rule { typePrefix, keepDays }', 'typePrefix, keepDays') },
);
export type RetentionRule = z.output<typeof retentionRuleSchema>;

/** The `retention` section of the configuration. Nothing configured keeps everything forever. */
export const retentionSettingsSchema = z
  .strictObject(
    {
      rules: z.array(retentionRuleSchema, { error: 'expected a list of rules' }).max(64, 'expected at most 64 rules').default([]),
      defaultKeepDays: keepDaysSchema.default('forever'),
      runEveryHours: z.number().int().min(1).max(24 * 31).default(24),
      batchSize: z.number().int().min(1).max(1000).default(500),
    },
    { error: mappingError('expected a mapping with rules, defaultKeepDays, runEveryHours and batchSize', 'rules, defaultKeepDays, runEveryHours, batchSize') },
  )
  .superRefine((settings, context) => {
    settings.rules.forEach((rule, at) => {
      const earlier = settings.rules.slice(0, at).findIndex((before) => rule.typePrefix.startsWith(before.typePrefix));
      if (earlier >= 0) {
        context.addIssue({
          code: 'custom',
          path: ['rules', at, 'typePrefix'],
          message: `rule ${at + 1} ("${rule.typePrefix}") never applies: rule ${earlier + 1} ("${settings.rules[earlier]?.typePrefix ?? ''}") comes first and matches every type it matches`,
        });
      }
    });
  });
export type RetentionSettings = z.output<typeof retentionSettingsSchema>;

/** Settings when none are configured: keep everything forever, never remove anything silently. */
export const keepForever: RetentionSettings = Object.freeze({ rules: [], defaultKeepDays: 'forever', runEveryHours: 24, batchSize: 500 });

/** Types that are the account of retention itself: never removed, whatever the rules say. */
export const protectedTypes: ReadonlySet<string> = new Set(['ledger.retention.ran', 'ledger.hold.placed', 'ledger.hold.released']);

/**
 * How long entries of `type` are kept: the first rule whose prefix it starts with, else the default.
 * @example keepDaysFor({ rules: [{ typePrefix: 'gateway.', keepDays: 400 }], defaultKeepDays: 2557, ... }, 'gateway.session.started') // 400
 */
export function keepDaysFor(settings: Pick<RetentionSettings, 'rules' | 'defaultKeepDays'>, type: string): KeepDays {
  if (protectedTypes.has(type)) return 'forever';
  return settings.rules.find((rule) => type.startsWith(rule.typePrefix))?.keepDays ?? settings.defaultKeepDays;
}

/** True when no rule and no default ever removes anything. */
export function keepsEverything(settings: Pick<RetentionSettings, 'rules' | 'defaultKeepDays'>): boolean {
  return settings.defaultKeepDays === 'forever' && settings.rules.every((rule) => rule.keepDays === 'forever');
}

/**
 * The time (canonical event time text) before which an entry kept `keepDays` is past its period at `nowMs`.
 * @example cutoffTime(400, Date.UTC(2026, 0, 1)) // '2024-11-27T00:00:00.000Z'
 */
export function cutoffTime(keepDays: number, nowMs: number): string {
  return new Date(Math.max(0, nowMs - keepDays * DAY_MS)).toISOString();
}

/** The latest cutoff of any rule: no entry at or after it is past its period. Undefined when everything is kept. */
export function latestCutoff(settings: Pick<RetentionSettings, 'rules' | 'defaultKeepDays'>, nowMs: number): string | undefined {
  const days = [...settings.rules.map((rule) => rule.keepDays), settings.defaultKeepDays].filter((d): d is number => d !== 'forever');
  return days.length === 0 ? undefined : cutoffTime(Math.min(...days), nowMs);
}
