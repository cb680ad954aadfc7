// GET /api/v1/evidence-bundles: auditors and administrators download an evidence bundle (one tar), the export on the ledger first.
import { z } from 'zod';
import type { AuditEntryFactory } from '../events/audit-entry.ts';
import type { EventSearch } from '../events/event-search.ts';
import { actorOf } from '../identity/identity-context.ts';
import type { GroupCommitAppender } from '../ledger/group-commit.ts';
import type { LedgerStore } from '../ledger/ledger-store.ts';
import type { TileCache } from '../ledger/tiles.ts';
import { bundleExportedEvent, parseBundleBound, prepareEvidenceBundle, type BundleRequest } from '../reports/evidence-bundle-export.ts';
import { packBundle } from '../reports/evidence-bundle-tar.ts';
import { AppError } from '../shared/app-error.ts';
import type { Clock } from '../shared/clock.ts';
import { writVersion } from '../shared/writ-version.ts';
import type { RouteNeeds } from './api-auth.ts';
import type { ApiRoutes } from './api-plugin.ts';
import { listQuerySchema, problemResponses, problemSchema } from './event-schemas.ts';
import type { IdentityAuthenticator } from './identity-authenticator.ts';

export interface EvidenceBundleRouteDeps {
  readonly store: LedgerStore;
  readonly search: EventSearch;
  readonly tiles: TileCache;
  readonly appender: GroupCommitAppender;
  readonly auditEntry: AuditEntryFactory;
  readonly clock: Clock;
  readonly verifierKey: string;
  readonly witnessPolicyText: string | undefined;
  readonly authenticator: IdentityAuthenticator;
}

/** Bundles carry personal values: only auditors and administrators (for tokens, with log:read). */
const auditors: RouteNeeds = { roles: ['auditor', 'admin'], scopes: ['log:read'] };
/** A bundle reads and proves up to 100,000 entries: a few a minute per address are plenty. */
const bundleLimit = { rateLimit: { max: 6, timeWindow: 60_000 } };
const bound = z.string().min(1).max(64);

export const bundleQuerySchema = listQuerySchema
  .pick({ type: true, actor: true, target: true, outcome: true, requestId: true, grantId: true })
  .extend({
    from: bound.optional().describe('first log index (a whole number) or RFC 3339 time, inclusive'),
    to: bound.optional().describe('log index or RFC 3339 time to stop before (exclusive)'),
    redact: z.enum(['true', 'false']).default('false').describe('"true": leave personal values out (entries keep their commitments)'),
  });

const tarAnswer = z.string().describe('application/x-tar: the evidence bundle (README.md, manifest.json, checkpoint, keys/log.vkey, witness-policy, entries/*.ndjson); check it with "writ verify --bundle"');

function requestOf(query: z.infer<typeof bundleQuerySchema>): BundleRequest {
  return {
    from: query.from === undefined ? undefined : parseBundleBound(query.from, 'from'),
    to: query.to === undefined ? undefined : parseBundleBound(query.to, 'to'),
    type: query.type,
    actor: query.actor,
    target: query.target,
    outcome: query.outcome,
    requestId: query.requestId,
    grantId: query.grantId,
    redact: query.redact === 'true',
  };
}

/** @example apiPlugin(app, { routes: [evidenceBundleRoutes({ store, search, tiles, appender, auditEntry, clock, verifierKey, witnessPolicyText, authenticator })] }) */
export function evidenceBundleRoutes(deps: EvidenceBundleRouteDeps): ApiRoutes {
  return (api) => {
    api.get(
      '/v1/evidence-bundles',
      {
        auth: auditors,
        config: bundleLimit,
        schema: {
          tags: ['ledger'],
          summary: 'Download an evidence bundle: the selected entries with receipts against the published checkpoint, personal values unless redact=true (auditor or admin; recorded on the ledger)',
          querystring: bundleQuerySchema,
          response: { 200: tarAnswer, ...problemResponses, 404: problemSchema, 413: problemSchema, 503: problemSchema },
        },
      },
      async (request, reply) => {
        if (request.principal === undefined) throw new AppError('unauthorized', 'this needs credentials');
        const bundle = await prepareEvidenceBundle(
          { store: deps.store, search: deps.search, tiles: deps.tiles, verifierKey: deps.verifierKey, witnessPolicyText: deps.witnessPolicyText, nowMs: () => deps.clock.nowMs(), tool: writVersion() },
          requestOf(request.query),
        );
        // Personal data leaves only after its export is durable on the ledger.
        await deps.appender.append([deps.auditEntry(bundleExportedEvent(bundle, actorOf(deps.authenticator.principalOf(request.principal)), 'api'))]);
        const name = `evidence-${bundle.checkpointSize}-${bundle.selection.fromIndex}-${bundle.selection.toIndex}${bundle.redacted ? '-redacted' : ''}.tar`;
        // Fastify pipes a stream as it is (no serializer); the 200 schema only documents the answer.
        const tar = packBundle(bundle.members(), new Date(deps.clock.nowMs())) as unknown as z.infer<typeof tarAnswer>;
        return reply
          .header('content-type', 'application/x-tar')
          .header('content-disposition', `attachment; filename="${name}"`)
          .header('cache-control', 'no-store')
          .send(tar);
      },
    );
  };
}
