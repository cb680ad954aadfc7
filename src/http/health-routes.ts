// Health and metrics: /healthz (JSON, for load balancers and people) and /metrics (Prometheus text), both public.
import type { FastifyInstance } from 'fastify';
import type { LedgerStore } from '../ledger/ledger-store.ts';
import type { PublicationStatus } from '../ledger/witness-publisher.ts';

export interface HealthOptions {
  readonly store: LedgerStore;
  /** Witness publication as this process sees it (WritApp.publication); undefined without a witness policy. */
  readonly publication?: () => PublicationStatus | undefined;
  readonly nowMs?: () => number;
}

/** Publication lagging longer than this makes the server "degraded" (it still answers: appends do not wait for witnesses). */
export const PUBLICATION_LAG_DEGRADED_MS = 30_000;

/** A witness is up when it has been asked and its last request ended with a cosignature. */
function isWitnessUp(w: PublicationStatus['witnesses'][number]): boolean {
  return w.consecutiveFailures === 0 && w.lastAttemptAtMs !== undefined;
}

/** How long the oldest signed but unpublished checkpoint has waited, in seconds (0 when all are published). */
function lagSeconds(status: PublicationStatus, nowMs: number): number {
  return status.unpublishedSinceMs === undefined ? 0 : Math.max(0, (nowMs - status.unpublishedSinceMs) / 1000);
}

function publicationView(status: PublicationStatus, nowMs: number): Record<string, unknown> {
  return {
    quorum: status.quorum,
    signedSize: status.signedSize,
    publishedSize: status.publishedSize,
    unpublishedForSeconds: lagSeconds(status, nowMs),
    witnesses: status.witnesses.map((w) => ({
      name: w.name,
      url: w.url,
      up: isWitnessUp(w),
      lastCosignedSize: w.lastCosignedSize ?? null,
      lastCosignedAt: w.lastCosignedAtMs === undefined ? null : new Date(w.lastCosignedAtMs).toISOString(),
      lastError: w.lastError ?? null,
      consecutiveFailures: w.consecutiveFailures,
    })),
  };
}

function label(value: string): string {
  return value.replace(/\\/g, '\\\\').replace(/"/g, '\\"').replace(/\n/g, '\\n');
}

/** Prometheus text exposition of the log and its witnesses. */
export function metricsText(signedSize: number, publishedSize: number, status: PublicationStatus | undefined, nowMs: number): string {
  const lines = [
    '# HELP writ_log_signed_size Entries in the newest signed checkpoint.',
    '# TYPE writ_log_signed_size gauge',
    `writ_log_signed_size ${signedSize}`,
    '# HELP writ_log_published_size Entries in the newest published checkpoint (cosigned by a witness quorum under a witness policy).',
    '# TYPE writ_log_published_size gauge',
    `writ_log_published_size ${publishedSize}`,
  ];
  if (status === undefined) return `${lines.join('\n')}\n`;
  lines.push('# HELP writ_log_publication_lag_seconds How long the oldest signed but unpublished checkpoint has waited for its quorum.');
  lines.push('# TYPE writ_log_publication_lag_seconds gauge', `writ_log_publication_lag_seconds ${lagSeconds(status, nowMs)}`);
  const families: [string, string, string, (w: PublicationStatus['witnesses'][number]) => number][] = [
    ['writ_witness_up', 'gauge', 'Whether the witness answered its last request with a cosignature.', (w) => (isWitnessUp(w) ? 1 : 0)],
    ['writ_witness_cosigned_size', 'gauge', 'The largest tree size the witness has cosigned for this process.', (w) => w.lastCosignedSize ?? 0],
    ['writ_witness_requests_total', 'counter', 'add-checkpoint requests sent to the witness.', (w) => w.requests],
    ['writ_witness_failures_total', 'counter', 'Rounds in which the witness did not cosign.', (w) => w.failures],
    ['writ_witness_request_seconds_total', 'counter', 'Time spent in add-checkpoint requests to the witness.', (w) => w.requestSecondsTotal],
  ];
  for (const [name, type, help, value] of families) {
    lines.push(`# HELP ${name} ${help}`, `# TYPE ${name} ${type}`);
    for (const w of status.witnesses) lines.push(`${name}{witness="${label(w.name)}"} ${value(w)}`);
  }
  return `${lines.join('\n')}\n`;
}

export function registerHealthRoutes(app: FastifyInstance, options: HealthOptions): void {
  const nowMs = options.nowMs ?? Date.now;
  app.get('/healthz', async () => {
    const checkpoint = await options.store.latestCheckpoint();
    const status = options.publication?.();
    if (status === undefined) return { status: 'ok', treeSize: checkpoint?.size ?? 0 };
    const publication = publicationView(status, nowMs());
    const lagging = lagSeconds(status, nowMs()) * 1000 > PUBLICATION_LAG_DEGRADED_MS;
    return { status: lagging ? 'degraded' : 'ok', treeSize: checkpoint?.size ?? 0, publication };
  });
  app.get('/metrics', async (_request, reply) => {
    const [signed, published] = await Promise.all([options.store.latestCheckpoint(), options.store.latestPublishedCheckpoint()]);
    const body = metricsText(signed?.size ?? 0, published?.size ?? 0, options.publication?.(), nowMs());
    return reply.header('cache-control', 'no-store').type('text/plain; version=0.0.4; charset=utf-8').send(body);
  });
}
