// The retention API (admin): the rules in force and the retention floor, a run or a dry run, and legal holds placed, listed and released.
import { z } from 'zod';
import type { LegalHold } from '../ledger/legal-holds.ts';
import type { RetentionDeps } from '../ledger/retention-run.ts';
import { listHolds, placeHold, releaseHold, runRetentionAsAdmin, showRetention } from '../identity/retention-commands.ts';
import { AppError } from '../shared/app-error.ts';
import { ADMINS } from './api-auth.ts';
import type { ApiRoutes } from './api-plugin.ts';
import type { IdentityAuthenticator } from './identity-authenticator.ts';

export interface RetentionRouteDeps {
  readonly retention: RetentionDeps;
  readonly authenticator: IdentityAuthenticator;
}

const keepDays = z.union([z.number().int(), z.literal('forever')]);
const scopeSchema = z.union([
  z.object({ kind: z.literal('subject'), subjectId: z.string() }),
  z.object({ kind: z.literal('resource'), resourceId: z.string() }),
  z.object({ kind: z.literal('time'), from: z.string(), to: z.string() }),
]);
const holdAnswer = z.object({
  id: z.string(),
  scope: scopeSchema,
  reason: z.string(),
  placedBy: z.string(),
  placedAt: z.string(),
  released: z.object({ by: z.string(), at: z.string(), reason: z.string() }).nullable(),
});
const overviewAnswer = z.object({
  rules: z.array(z.object({ typePrefix: z.string(), keepDays })),
  defaultKeepDays: keepDays,
  runEveryHours: z.number().int(),
  batchSize: z.number().int(),
  removedCount: z.number().int(),
  retentionFloor: z.number().int(),
  activeHolds: z.number().int(),
});
const runBody = z.object({ dryRun: z.boolean().default(false) }).strict();
const runAnswer = z.object({
  runId: z.string().nullable(),
  dryRun: z.boolean(),
  removedCount: z.number().int(),
  heldCount: z.number().int(),
  ranges: z.array(z.tuple([z.number().int(), z.number().int()])),
  rangesTruncated: z.boolean(),
  batches: z.number().int(),
});
/** The scope is checked by the command (bounded zod there), so its errors name the hold's fields. */
const placeBody = z.object({ scope: z.record(z.string().max(32), z.unknown()), reason: z.string().min(1).max(1024) }).strict();
const releaseBody = z.object({ reason: z.string().min(1).max(1024) }).strict();
const holdParams = z.object({ id: z.string().min(1).max(64) });
const listQuery = z.object({ all: z.enum(['true', 'false']).default('false') });

function holdView(hold: LegalHold): z.infer<typeof holdAnswer> {
  const released = hold.released === undefined ? null : { by: hold.released.by, at: new Date(hold.released.atMs).toISOString(), reason: hold.released.reason };
  return { id: hold.id, scope: hold.scope, reason: hold.reason, placedBy: hold.placedBy, placedAt: new Date(hold.placedAtMs).toISOString(), released };
}

/** @example apiPlugin(app, { routes: [retentionRoutes({ retention, authenticator })] }) */
export function retentionRoutes(deps: RetentionRouteDeps): ApiRoutes {
  return (api) => {
    const principal = (request: { principal?: Parameters<IdentityAuthenticator['principalOf']>[0] | undefined }) => {
      if (request.principal === undefined) throw new AppError('unauthorized', 'this needs credentials');
      return deps.authenticator.principalOf(request.principal);
    };
    api.get('/v1/retention', { auth: ADMINS, schema: { tags: ['ledger'], summary: 'The retention rules in force, what retention has removed, the retention floor and the active holds (admin)', response: { 200: overviewAnswer } } }, async (request) => {
      const overview = await showRetention(deps.retention, principal(request));
      const { rules, defaultKeepDays, runEveryHours, batchSize } = overview.settings;
      return { rules, defaultKeepDays, runEveryHours, batchSize, removedCount: overview.removedCount, retentionFloor: overview.floor, activeHolds: overview.activeHolds };
    });
    api.post('/v1/retention/run', { auth: ADMINS, schema: { tags: ['ledger'], summary: 'Run retention now, or with dryRun report what it would remove and change nothing (admin)', body: runBody, response: { 200: runAnswer } } }, async (request) => {
      const report = await runRetentionAsAdmin(deps.retention, principal(request), { dryRun: request.body.dryRun });
      return { ...report, runId: report.runId ?? null, ranges: report.ranges.map(([first, last]) => [first, last] as [number, number]) };
    });
    api.get('/v1/holds', { auth: ADMINS, schema: { tags: ['ledger'], summary: 'Legal holds, newest first; all=true includes released ones (admin)', querystring: listQuery, response: { 200: z.object({ holds: z.array(holdAnswer) }) } } }, async (request) => {
      const holds = await listHolds(deps.retention, principal(request), { includeReleased: request.query.all === 'true' });
      return { holds: holds.map(holdView) };
    });
    api.post('/v1/holds', { auth: ADMINS, schema: { tags: ['ledger'], summary: 'Place a legal hold on a subject, a resource or a time range, with a reason (admin)', body: placeBody, response: { 201: holdAnswer } } }, async (request, reply) => {
      const hold = await placeHold(deps.retention, principal(request), request.body.scope, request.body.reason);
      return reply.code(201).send(holdView(hold));
    });
    api.post('/v1/holds/:id/release', { auth: ADMINS, schema: { tags: ['ledger'], summary: 'Release a legal hold, with a reason (admin)', params: holdParams, body: releaseBody, response: { 200: holdAnswer } } }, async (request) => {
      return holdView(await releaseHold(deps.retention, principal(request), request.params.id, request.body.reason));
    });
  };
}
