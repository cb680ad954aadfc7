// An archive run's manifest: every file the archive holds with its SHA-256 and length, the checkpoint verbatim, and the previous manifest's hash.
import { createHash } from 'node:crypto';
import { z } from 'zod';
import { AppError } from '../shared/app-error.ts';
import { MAX_ARCHIVE_FILES, MAX_CHECKPOINT_BYTES, parseArchivePath } from './archive-layout.ts';

export const ARCHIVE_FORMAT = 'writ-archive/v1';

/** A file the archive holds. */
export interface ManifestFile {
  readonly path: string;
  readonly sha256: string;
  readonly bytes: number;
}

/** An entry bundle that is not archived because retention removed some of its entries' content. */
export interface RemovedBundle {
  /** The bundle's path at its full width (`tile/entries/<N>` or, at the tree's edge, `.p/<W>`). */
  readonly bundle: string;
  /** The entries the bundle would hold: from…to−1. */
  readonly from: number;
  readonly to: number;
  /** The index ranges [from, to) whose content is gone. */
  readonly ranges: readonly (readonly [number, number])[];
}

export interface ArchiveManifest {
  readonly format: typeof ARCHIVE_FORMAT;
  readonly origin: string;
  readonly treeSize: number;
  /** The signed checkpoint of `treeSize`, verbatim (also the file checkpoints/<treeSize>). */
  readonly checkpoint: string;
  /** The log's verifier key as the writer knew it: trusted by `writ verify --archive` only without --vkey, with a warning. */
  readonly verifierKey: string;
  /** The manifest of the run before, by path and SHA-256 of its bytes: the chain that pins every earlier run. */
  readonly previous: { readonly path: string; readonly sha256: string } | null;
  /** The program that wrote it, e.g. "writ 0.1.0". */
  readonly tool: string;
  /** Every file of the archive but this manifest, sorted by path. */
  readonly files: readonly ManifestFile[];
  readonly removed: readonly RemovedBundle[];
}

const sha256Text = z.string().regex(/^[0-9a-f]{64}$/);
const count = z.number().int().min(0).max(Number.MAX_SAFE_INTEGER);
const archivePath = z.string().max(80).refine((path) => parseArchivePath(path) !== undefined, { message: 'is not a file name an archive holds' });

const manifestSchema = z.strictObject({
  format: z.literal(ARCHIVE_FORMAT),
  origin: z.string().min(1).max(1000),
  treeSize: count,
  checkpoint: z.string().min(1).max(MAX_CHECKPOINT_BYTES),
  verifierKey: z.string().min(1).max(1000),
  previous: z.strictObject({ path: archivePath, sha256: sha256Text }).nullable(),
  tool: z.string().max(200),
  files: z.array(z.strictObject({ path: archivePath, sha256: sha256Text, bytes: count })).max(MAX_ARCHIVE_FILES),
  removed: z.array(z.strictObject({ bundle: archivePath, from: count, to: count, ranges: z.array(z.tuple([count, count])).max(256) })).max(MAX_ARCHIVE_FILES),
});

/**
 * SHA-256 of `bytes` as 64 lowercase hex digits.
 * @example sha256Hex(new Uint8Array()) // 'e3b0c442…b855'
 */
export function sha256Hex(bytes: Uint8Array): string {
  return createHash('sha256').update(bytes).digest('hex');
}

/**
 * The manifest as JSON text, one file per line so that two manifests compare well with diff.
 * @example encodeManifest(manifest).endsWith('}\n') // true
 */
export function encodeManifest(manifest: ArchiveManifest): Buffer {
  const { files, removed, ...head } = manifest;
  const lines = Object.entries(head).map(([key, value]) => `  ${JSON.stringify(key)}: ${JSON.stringify(value)},`);
  const list = (items: readonly unknown[]): string => (items.length === 0 ? '[]' : `[\n${items.map((item) => `    ${JSON.stringify(item)}`).join(',\n')}\n  ]`);
  return Buffer.from(`{\n${lines.join('\n')}\n  "files": ${list(files)},\n  "removed": ${list(removed)}\n}\n`, 'utf8');
}

/**
 * Parses and checks a manifest's form (bounded; every path an archive file name); throws invalid_input saying what is wrong.
 * @example parseManifest(await reader.read('manifests/1000.json', MAX_MANIFEST_BYTES)).treeSize // 1000
 */
export function parseManifest(bytes: Uint8Array): ArchiveManifest {
  let value: unknown;
  try {
    value = JSON.parse(new TextDecoder('utf-8', { fatal: true }).decode(bytes));
  } catch (cause) {
    throw new AppError('invalid_input', 'it is not UTF-8 JSON', { cause });
  }
  const parsed = manifestSchema.safeParse(value);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    throw new AppError('invalid_input', `${issue?.path.join('.') ?? ''} ${issue?.message ?? 'is invalid'}`.trim());
  }
  return parsed.data;
}
