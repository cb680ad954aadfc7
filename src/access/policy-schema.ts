// The policy file (`writ.policy.yaml`) as a zod schema: resources, and policies saying who may request what and who approves.
import { z } from 'zod';
import { duration, flag, groupNames, labels, positiveInteger, slug, text, userNames } from './policy-fields.ts';
import { isKnownTimeZone, minutesOfDay, weekdays } from './policy-working-hours.ts';
import { levelNameSchema, resourceIdSchema, resourceSchema } from './resource-schema.ts';

export const policyNameSchema = slug.brand<'PolicyName'>();
export type PolicyName = z.output<typeof policyNameSchema>;

export const stageNameSchema = slug.brand<'StageName'>();
export type StageName = z.output<typeof stageNameSchema>;

/**
 * The ticket pattern as a regular expression that must match the whole ticket.
 * @example compileTicketPattern('OPS-[0-9]+').test('OPS-12') // true
 */
export function compileTicketPattern(pattern: string): RegExp {
  return new RegExp(`^(?:${pattern})$`, 'u');
}

const ticketPattern = z
  .string({ error: 'expected a regular expression' })
  .min(1, { error: 'expected a regular expression' })
  .max(200, { error: 'expected a regular expression of at most 200 characters' })
  .superRefine((pattern, context) => {
    try {
      compileTicketPattern(pattern);
    } catch (error) {
      const why = error instanceof Error ? error.message.replace(/^Invalid regular expression: \/.*\/[a-z]*: /s, '') : 'invalid';
      context.addIssue({ code: 'custom', message: `expected a valid regular expression (${why.slice(0, 120)})`, input: pattern });
    }
  });

const clock = z
  .string({ error: 'expected a time of day such as "09:00"' })
  .refine((value) => minutesOfDay(value) !== undefined, { error: 'expected a time of day such as "09:00" (00:00 to 24:00)' });

const workingHoursSchema = z
  .strictObject(
    {
      days: z
        .array(z.enum(weekdays, { error: 'expected a day: mon, tue, wed, thu, fri, sat or sun' }), { error: 'expected a list of days' })
        .min(1, { error: 'expected at least one day' })
        .max(7, { error: 'expected at most 7 days' }),
      from: clock,
      to: clock,
      timeZone: z
        .string({ error: 'expected a time zone such as Europe/Berlin' })
        .max(64, { error: 'expected a time zone such as Europe/Berlin' })
        .refine(isKnownTimeZone, { error: 'expected a known IANA time zone such as Europe/Berlin' }),
    },
    { error: 'expected a mapping with days, from, to and timeZone' },
  )
  .refine((hours) => (minutesOfDay(hours.from) ?? 0) < (minutesOfDay(hours.to) ?? 0), {
    error: '"from" must be earlier than "to" (hours that cross midnight are two rules)',
    path: ['to'],
  });

const levelList = z
  .array(levelNameSchema, { error: 'expected a list of access levels' })
  .min(1, { error: 'expected at least one access level' })
  .max(16, { error: 'expected at most 16 access levels' });

const stageSchema = z
  .strictObject(
    { name: stageNameSchema, groups: groupNames.default([]), users: userNames.default([]), count: positiveInteger.default(1) },
    { error: 'expected a stage: { name, groups, users, count }' },
  )
  .refine((stage) => stage.groups.length + stage.users.length > 0, { error: 'a stage names at least one approver group or user' });

const autoApproveRuleSchema = z.strictObject(
  {
    name: slug.optional(),
    levels: levelList.optional(),
    requesterGroups: groupNames.optional(),
    workingHours: workingHoursSchema.optional(),
    maxDuration: duration.optional(),
  },
  { error: 'expected an auto-approval rule such as { levels: [read-only], workingHours: ... }' },
);

const resourceSelectorSchema = z
  .strictObject(
    {
      ids: z.array(resourceIdSchema, { error: 'expected a list of resource ids' }).min(1).max(256).optional(),
      labels: labels.optional(),
    },
    { error: 'expected { ids: [...] } or { labels: { key: value } }' },
  )
  .refine((selector) => (selector.ids === undefined) !== (selector.labels === undefined), {
    error: 'expected exactly one of ids or labels',
  })
  .refine((selector) => selector.labels === undefined || Object.keys(selector.labels).length > 0, {
    error: 'expected at least one label to select by',
  });

const policySchema = z.strictObject(
  {
    name: policyNameSchema,
    description: text(2000).optional(),
    requesters: z
      .strictObject({ groups: groupNames.default([]), users: userNames.default([]) }, { error: 'expected { groups: [...], users: [...] }' })
      .refine((who) => who.groups.length + who.users.length > 0, { error: 'expected at least one group or user who may request' }),
    resources: resourceSelectorSchema,
    levels: levelList,
    maxDuration: duration,
    reason: z
      .strictObject({ required: flag.default(true), ticketPattern: ticketPattern.optional() }, { error: 'expected { required, ticketPattern }' })
      .default({ required: true }),
    pendingTtl: duration.default('24h'),
    approval: z.strictObject(
      {
        stages: z.array(stageSchema, { error: 'expected a list of stages' }).min(1, { error: 'expected at least one stage' }).max(8),
        onDenial: z.enum(['deny', 'ignore'], { error: 'expected deny or ignore' }).default('deny'),
        selfApproval: flag.default(false),
      },
      { error: 'expected { stages: [...], onDenial, selfApproval }' },
    ),
    autoApprove: z.array(autoApproveRuleSchema, { error: 'expected a list of auto-approval rules' }).max(16).default([]),
    breakGlass: z
      .strictObject(
        { allowed: flag.default(false), notify: groupNames.default([]), maxDuration: duration.optional() },
        { error: 'expected { allowed, notify, maxDuration }' },
      )
      .default({ allowed: false, notify: [] }),
  },
  { error: 'expected a policy mapping with name, requesters, resources, levels, maxDuration and approval' },
);

/** The whole policy file. `version` is the format's version, not the document's. */
export const policyDocumentSchema = z.strictObject(
  {
    version: z.literal(1, { error: 'expected version: 1' }),
    resources: z.array(resourceSchema, { error: 'expected a list of resources' }).max(1000).default([]),
    policies: z.array(policySchema, { error: 'expected a list of policies' }).max(1000).default([]),
  },
  { error: 'expected a mapping with version, resources and policies' },
);

export type PolicyDocument = z.output<typeof policyDocumentSchema>;
export type Policy = PolicyDocument['policies'][number];
export type ApprovalStage = Policy['approval']['stages'][number];
export type AutoApproveRule = Policy['autoApprove'][number];
