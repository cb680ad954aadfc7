// The layout of an evidence bundle (writ-evidence-bundle/v1): its file names, manifest and entry lines, shared by export and verification.
import { z } from 'zod';
import { canonicalize } from './canonical-json.ts';

export const BUNDLE_FORMAT = 'writ-evidence-bundle/v1';
/** The most entries one bundle may hold; a larger selection is refused (narrow the range or add filters). */
export const MAX_BUNDLE_ENTRIES = 100_000;
/** Entries per `entries/NNNNNN.ndjson` file: each is built in memory, so this bounds memory while streaming. */
export const ENTRIES_PER_CHUNK = 1000;

export const bundleFiles = {
  readme: 'README.md',
  manifest: 'manifest.json',
  checkpoint: 'checkpoint',
  logKey: 'keys/log.vkey',
  witnessPolicy: 'witness-policy',
} as const;

const CHUNK_NAME = /^entries\/([0-9]{6})\.ndjson$/;

/** The name of the `n`th file of entry lines, from 0: `entries/000000.ndjson`. */
export function chunkName(n: number): string {
  return `entries/${String(n).padStart(6, '0')}.ndjson`;
}

/** The number of an entries file, or undefined when `name` is not one. */
export function chunkNumberOf(name: string): number | undefined {
  const match = CHUNK_NAME.exec(name);
  return match?.[1] === undefined ? undefined : Number(match[1]);
}

const text = (maxLength: number) => z.string().min(1).max(maxLength);
const count = z.number().int().min(0).max(Number.MAX_SAFE_INTEGER);
const time = z.string().regex(/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z$/, 'expected a canonical UTC time such as 2026-11-26T09:00:00.000Z');

/** What was asked for: an index range (exclusive end) and the event search filters; every field that is absent matched anything. */
export const bundleSelectionSchema = z.strictObject({
  fromIndex: count,
  toIndex: count,
  fromTime: time.optional(),
  toTime: time.optional(),
  type: z
    .string()
    .max(129)
    .regex(/^[a-z][a-z0-9_.]*\*?$/, 'expected an event type such as "access.grant.created", or a prefix ending in "*" such as "access.*"')
    .optional(),
  actor: text(256).optional(),
  target: z
    .string()
    .max(321)
    .regex(/^[^:]{1,64}:.{1,256}$/, 'expected "kind:id", such as "database:pg-prod"')
    .optional(),
  outcome: z.enum(['success', 'failure', 'denied']).optional(),
  requestId: text(128).optional(),
  grantId: text(128).optional(),
});
export type BundleSelection = z.infer<typeof bundleSelectionSchema>;

export const personalCountsSchema = z.strictObject({ included: count, erased: count, redacted: count, none: count });
export type PersonalCounts = z.infer<typeof personalCountsSchema>;

/** manifest.json: descriptive, not signed (the checkpoint, the proofs and the commitments are what is authenticated). */
export const bundleManifestSchema = z.strictObject({
  format: z.literal(BUNDLE_FORMAT),
  createdAt: time,
  tool: text(64),
  origin: text(256),
  checkpoint: z.strictObject({ size: count, rootHash: text(44) }),
  selection: bundleSelectionSchema,
  redacted: z.boolean(),
  entryCount: count,
  /** Lines of entries whose content retention removed (counted in entryCount). */
  removedCount: count,
  chunkCount: count,
  personal: personalCountsSchema,
  witnessPolicy: z.boolean(),
  readmeSha256: z.string().regex(/^[0-9a-f]{64}$/),
});
export type BundleManifest = z.infer<typeof bundleManifestSchema>;

/** The personal part of one entry: the exact value bytes (canonical JSON) and salt, or why it is absent. */
export const bundlePersonalSchema = z.discriminatedUnion('kind', [
  z.strictObject({ kind: z.literal('included'), value: z.string().max(65_536), salt: z.string().max(64) }),
  z.strictObject({ kind: z.literal('erased') }),
  z.strictObject({ kind: z.literal('redacted') }),
  z.strictObject({ kind: z.literal('none') }),
]);
export type BundlePersonal = z.infer<typeof bundlePersonalSchema>;

/** One line of an entries file: the entry's exact bytes as UTF-8 text, its receipt, its personal part. */
export const bundleEntryLineSchema = z.strictObject({
  index: count,
  eventId: text(64),
  entry: z.string().min(1).max(65_535),
  receipt: z.string().min(1).max(16_384),
  personal: bundlePersonalSchema,
});
export type BundleEntryLine = z.infer<typeof bundleEntryLineSchema>;

/** The line of an entry whose content retention removed: only its leaf hash (from the tree) and its receipt remain. */
export const bundleRemovedLineSchema = z.strictObject({
  index: count,
  removed: z.literal(true),
  leafHash: z.string().length(44),
  receipt: z.string().min(1).max(16_384),
});
export type BundleRemovedLine = z.infer<typeof bundleRemovedLineSchema>;

export type BundleLine = BundleEntryLine | BundleRemovedLine;

const json = JSON.stringify;

function personalJson(p: BundlePersonal): string {
  return p.kind === 'included' ? `{"kind":"included","salt":${json(p.salt)},"value":${json(p.value)}}` : `{"kind":"${p.kind}"}`;
}

/**
 * One entries-file line: RFC 8785 canonical JSON (keys in order, strings escaped as JSON.stringify does, which is what
 * RFC 8785 specifies), written directly because canonicalising 100,000 long strings generically costs seconds.
 * @example formatBundleLine({ index: 0, eventId, entry: '{"id":…}', receipt, personal: { kind: 'none' } })
 */
export function formatBundleLine(line: BundleLine): string {
  if ('removed' in line) return `{"index":${line.index},"leafHash":${json(line.leafHash)},"receipt":${json(line.receipt)},"removed":true}\n`;
  return `{"entry":${json(line.entry)},"eventId":${json(line.eventId)},"index":${line.index},"personal":${personalJson(line.personal)},"receipt":${json(line.receipt)}}\n`;
}

/** manifest.json's exact text: canonical JSON and a newline (the verifier refuses any other spelling). */
export function formatManifest(manifest: BundleManifest): string {
  return `${canonicalize(manifest)}\n`;
}
