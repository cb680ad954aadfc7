// The retention API's answers as the CLI reads them.
import { z } from 'zod';

const keepDays = z.union([z.number().int(), z.literal('forever')]);

export const retentionOverview = z.object({
  rules: z.array(z.object({ typePrefix: z.string(), keepDays })),
  defaultKeepDays: keepDays,
  runEveryHours: z.number().int(),
  batchSize: z.number().int(),
  removedCount: z.number().int(),
  retentionFloor: z.number().int(),
  activeHolds: z.number().int(),
});
export type RetentionOverviewAnswer = z.infer<typeof retentionOverview>;

export const retentionReport = z.object({
  runId: z.string().nullable(),
  dryRun: z.boolean(),
  removedCount: z.number().int(),
  heldCount: z.number().int(),
  ranges: z.array(z.tuple([z.number().int(), z.number().int()])),
  rangesTruncated: z.boolean(),
  batches: z.number().int(),
});
export type RetentionReportAnswer = z.infer<typeof retentionReport>;

export const holdAnswer = z.object({
  id: z.string(),
  scope: z.union([
    z.object({ kind: z.literal('subject'), subjectId: z.string() }),
    z.object({ kind: z.literal('resource'), resourceId: z.string() }),
    z.object({ kind: z.literal('time'), from: z.string(), to: z.string() }),
  ]),
  reason: z.string(),
  placedBy: z.string(),
  placedAt: z.string(),
  released: z.object({ by: z.string(), at: z.string(), reason: z.string() }).nullable(),
});
export type HoldAnswer = z.infer<typeof holdAnswer>;

export const holdsList = z.object({ holds: z.array(holdAnswer) });
