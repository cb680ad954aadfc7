// Builds an evidence bundle: the selected entries of the published checkpoint, each with its receipt and personal part, as tar members.
import { createHash } from 'node:crypto';
import { AppError } from '../shared/app-error.ts';
import { normaliseEventTime } from '../events/event-time.ts';
import type { EventInput } from '../events/event-schema.ts';
import type { EventSearch } from '../events/event-search.ts';
import {
  BUNDLE_FORMAT,
  bundleFiles,
  bundleSelectionSchema,
  chunkName,
  ENTRIES_PER_CHUNK,
  formatBundleLine,
  formatManifest,
  MAX_BUNDLE_ENTRIES,
  type BundlePersonal,
  type BundleSelection,
  type PersonalCounts,
} from '../events/evidence-bundle-format.ts';
import { filterOfSelection, isFiltered } from '../events/evidence-bundle-selection.ts';
import { formatEventTime } from '../events/event-time.ts';
import { parseCheckpoint } from '../ledger/checkpoint.ts';
import type { LedgerStore, SequencedEntry, StoredCheckpoint } from '../ledger/ledger-store.ts';
import { inclusionProof, publishedCheckpointOrFail } from '../ledger/log-reader.ts';
import { formatReceipt } from '../ledger/receipt.ts';
import { createVerifier, openNote } from '../ledger/signed-note.ts';
import { TILE_WIDTH, type TileCache } from '../ledger/tiles.ts';
import { HASH_SIZE, type Hash } from '../ledger/hash.ts';
import { bundleReadme } from './evidence-bundle-readme.ts';
import type { BundleMember } from './evidence-bundle-tar.ts';

export interface BundleExportDeps {
  readonly store: LedgerStore;
  readonly search: EventSearch;
  readonly tiles: TileCache;
  /** The log's verifier key (the checkpoint is checked with it before anything is exported). */
  readonly verifierKey: string;
  /** The log's witness policy text, included when the log has one. */
  readonly witnessPolicyText: string | undefined;
  readonly nowMs: () => number;
  /** e.g. "writ 0.1.0" */
  readonly tool: string;
}

/** A bound of the selection: a log index or an event time. */
export type BundleBound = { readonly kind: 'index'; readonly index: number } | { readonly kind: 'time'; readonly time: string };

export interface BundleRequest {
  readonly from?: BundleBound | undefined;
  /** Exclusive: entries before this index or time. */
  readonly to?: BundleBound | undefined;
  readonly type?: string | undefined;
  readonly actor?: string | undefined;
  readonly target?: string | undefined;
  readonly outcome?: string | undefined;
  readonly requestId?: string | undefined;
  readonly grantId?: string | undefined;
  readonly redact: boolean;
}

export interface PreparedBundle {
  /** The log's origin (its key name). */
  readonly origin: string;
  readonly selection: BundleSelection;
  readonly checkpointSize: number;
  readonly entryCount: number;
  readonly redacted: boolean;
  /** The tar members in order; entries are read and proven one file of ENTRIES_PER_CHUNK at a time. */
  members(): AsyncGenerator<BundleMember>;
}

const decoder = new TextDecoder('utf-8', { fatal: true });

interface Counts {
  personal: { -readonly [K in keyof PersonalCounts]: number };
  removed: number;
}
const encoder = new TextEncoder();

/**
 * Reads `--from`/`--to` text: a log index (a whole number) or an RFC 3339 time.
 * @example parseBundleBound('2026-11-01T00:00:00Z', 'from') // { kind: 'time', time: '2026-11-01T00:00:00.000Z' }
 */
export function parseBundleBound(text: string, what: 'from' | 'to'): BundleBound {
  if (/^[0-9]{1,16}$/.test(text) && Number.isSafeInteger(Number(text))) return { kind: 'index', index: Number(text) };
  const time = normaliseEventTime(text);
  if (time.ok) return { kind: 'time', time: time.time };
  throw new AppError('invalid_input', `${what} "${text.slice(0, 64)}" is neither a log index (a whole number) nor an RFC 3339 time: ${time.reason}`);
}

function selectionOf(request: BundleRequest, size: number): BundleSelection {
  const { from, to } = request;
  if (from?.kind === 'index' && to?.kind === 'index' && to.index < from.index) throw new AppError('invalid_input', `to (${to.index}) is before from (${from.index}): "to" is the first index left out`);
  if (from?.kind === 'time' && to?.kind === 'time' && to.time <= from.time) throw new AppError('invalid_input', `to (${to.time}) is not after from (${from.time}): "to" is the first time left out`);
  const clamp = (index: number): number => Math.min(index, size);
  const fromIndex = request.from?.kind === 'index' ? clamp(request.from.index) : 0;
  const toIndex = request.to?.kind === 'index' ? clamp(request.to.index) : size;
  const candidate = {
    fromIndex,
    toIndex: Math.max(fromIndex, toIndex),
    fromTime: request.from?.kind === 'time' ? request.from.time : undefined,
    toTime: request.to?.kind === 'time' ? request.to.time : undefined,
    type: request.type,
    actor: request.actor,
    target: request.target,
    outcome: request.outcome,
    requestId: request.requestId,
    grantId: request.grantId,
  };
  const parsed = bundleSelectionSchema.safeParse(Object.fromEntries(Object.entries(candidate).filter(([, v]) => v !== undefined)));
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    throw new AppError('invalid_input', `the selection is not valid: ${issue === undefined ? 'invalid' : `${issue.path.join('.')}: ${issue.message}`}`);
  }
  return parsed.data;
}

function tooMany(): AppError {
  return new AppError('payload_too_large', `the selection holds more than ${MAX_BUNDLE_ENTRIES} entries, the most one bundle may hold: narrow the range (from/to) or add filters`);
}

/** The selected entries of a filtered selection, through the event search, in index order. */
async function searchSelected(search: EventSearch, selection: BundleSelection): Promise<SequencedEntry[]> {
  const filter = filterOfSelection(selection);
  const found: SequencedEntry[] = [];
  let after = selection.fromIndex > 0 ? selection.fromIndex - 1 : undefined;
  for (;;) {
    const page = await search.search({ filter, order: 'asc', after, limit: ENTRIES_PER_CHUNK });
    for (const e of page.entries) {
      if (e.index >= selection.toIndex) return found;
      if (found.length === MAX_BUNDLE_ENTRIES) throw tooMany();
      found.push({ index: e.index, eventId: e.eventId, entry: e.entry });
    }
    if (page.resumeAfter === undefined || page.resumeAfter >= selection.toIndex - 1) return found;
    after = page.resumeAfter;
  }
}

function hasCommitment(entry: Uint8Array): boolean {
  const parsed = JSON.parse(decoder.decode(entry)) as { personalCommitment?: unknown };
  return typeof parsed.personalCommitment === 'string';
}

/** A selected index: its stored entry, or the leaf hash of an entry whose content retention removed. */
type Selected = { readonly kind: 'entry'; readonly entry: SequencedEntry } | { readonly kind: 'removed'; readonly index: number; readonly leafHash: Hash };

/** The lines of one entries file. */
async function chunkOf(deps: BundleExportDeps, checkpoint: StoredCheckpoint, batch: readonly Selected[], redact: boolean, counts: Counts): Promise<Uint8Array> {
  const entries = batch.flatMap((s) => (s.kind === 'entry' ? [s.entry] : []));
  const personal = redact || entries.length === 0 ? new Map<string, { salt: Uint8Array; value: Uint8Array }>() : await deps.store.readPersonal(entries.map((e) => e.eventId));
  let text = '';
  for (const selected of batch) {
    const index = selected.kind === 'entry' ? selected.entry.index : selected.index;
    const receipt = formatReceipt({ index, proof: await inclusionProof(deps.store, index, checkpoint.size, deps.tiles), checkpointNote: checkpoint.note });
    if (selected.kind === 'removed') {
      counts.removed += 1;
      text += formatBundleLine({ index, removed: true, leafHash: Buffer.from(selected.leafHash).toString('base64'), receipt });
      continue;
    }
    const e = selected.entry;
    // A stored personal part means the entry commits to one; only without it must the entry be read to tell erased from none.
    const stored = personal.get(e.eventId);
    let part: BundlePersonal = { kind: 'none' };
    if (stored !== undefined) part = { kind: 'included', value: decoder.decode(stored.value), salt: Buffer.from(stored.salt).toString('base64') };
    else if (hasCommitment(e.entry)) part = redact ? { kind: 'redacted' } : { kind: 'erased' };
    counts.personal[part.kind] += 1;
    text += formatBundleLine({ index, eventId: e.eventId, entry: decoder.decode(e.entry), receipt, personal: part });
  }
  return encoder.encode(text);
}

/** Every index of [from, to): stored entries, and the leaf hashes (from the level-0 tiles) of those retention removed. */
async function readRange(store: LedgerStore, from: number, to: number, size: number): Promise<Selected[]> {
  const entries = await store.readEntries(from, to);
  if (entries.length === to - from) return entries.map((entry) => ({ kind: 'entry', entry }));
  const byIndex = new Map(entries.map((e) => [e.index, e]));
  const removed = new Set<number>();
  for (const w of (await store.removed?.readRemovedRanges(from, to)) ?? []) for (let i = w.from; i < w.to; i++) removed.add(i);
  const tiles = removed.size === 0 ? new Map<number, Uint8Array>() : new Map((await store.readTileRange(0, Math.floor(from / TILE_WIDTH), Math.floor((to - 1) / TILE_WIDTH) + 1)).map((t) => [t.index, t.hashes]));
  const selected: Selected[] = [];
  for (let index = from; index < to; index++) {
    const entry = byIndex.get(index);
    const at = (index % TILE_WIDTH) * HASH_SIZE;
    const leaf = tiles.get(Math.floor(index / TILE_WIDTH))?.slice(at, at + HASH_SIZE);
    if (entry !== undefined) selected.push({ kind: 'entry', entry });
    else if (removed.has(index) && leaf?.length === HASH_SIZE) selected.push({ kind: 'removed', index, leafHash: leaf });
    else throw new AppError('ledger_inconsistent', `entry ${index} of the checkpoint of size ${size} is not stored, and retention did not remove it: run "writ verify"`);
  }
  return selected;
}

/**
 * Resolves the selection against the published checkpoint and counts it (refusing more than MAX_BUNDLE_ENTRIES) before
 * anything is written; `members()` then yields the bundle's files.
 * @example const bundle = await prepareEvidenceBundle(deps, { from: { kind: 'index', index: 0 }, redact: false }); await pipeline(packBundle(bundle.members(), now), out)
 */
export async function prepareEvidenceBundle(deps: BundleExportDeps, request: BundleRequest): Promise<PreparedBundle> {
  const checkpoint = await publishedCheckpointOrFail(deps.store);
  let origin: string;
  try {
    origin = parseCheckpoint(openNote(checkpoint.note, [createVerifier(deps.verifierKey)]).text).origin;
  } catch (error) {
    throw new AppError('key_mismatch', `the published checkpoint does not verify with the log's key ${deps.verifierKey}: the bundle would not verify`, { cause: error });
  }
  const selection = selectionOf(request, checkpoint.size);
  const selected = isFiltered(selection) ? await searchSelected(deps.search, selection) : undefined;
  const entryCount = selected?.length ?? selection.toIndex - selection.fromIndex;
  if (entryCount > MAX_BUNDLE_ENTRIES) throw tooMany();
  const createdAt = formatEventTime(deps.nowMs());
  const batch = async (first: number): Promise<readonly Selected[]> => {
    if (selected !== undefined) return selected.slice(first, first + ENTRIES_PER_CHUNK).map((entry) => ({ kind: 'entry', entry }));
    const from = selection.fromIndex + first;
    return readRange(deps.store, from, Math.min(selection.toIndex, from + ENTRIES_PER_CHUNK), checkpoint.size);
  };
  async function* members(): AsyncGenerator<BundleMember> {
    const readme = encoder.encode(bundleReadme({ origin, checkpointSize: checkpoint.size, entryCount, selection, redacted: request.redact, witnessPolicy: deps.witnessPolicyText !== undefined, createdAt, tool: deps.tool }));
    yield { name: bundleFiles.readme, bytes: readme };
    yield { name: bundleFiles.checkpoint, bytes: encoder.encode(checkpoint.note) };
    yield { name: bundleFiles.logKey, bytes: encoder.encode(`${deps.verifierKey}\n`) };
    if (deps.witnessPolicyText !== undefined) yield { name: bundleFiles.witnessPolicy, bytes: encoder.encode(deps.witnessPolicyText) };
    const counts: Counts = { personal: { included: 0, erased: 0, redacted: 0, none: 0 }, removed: 0 };
    let chunkCount = 0;
    for (let first = 0; first < entryCount; first += ENTRIES_PER_CHUNK) {
      yield { name: chunkName(chunkCount), bytes: await chunkOf(deps, checkpoint, await batch(first), request.redact, counts) };
      chunkCount += 1;
    }
    const manifest = formatManifest({
      format: BUNDLE_FORMAT,
      createdAt,
      tool: deps.tool,
      origin,
      checkpoint: { size: checkpoint.size, rootHash: Buffer.from(checkpoint.rootHash).toString('base64') },
      selection,
      redacted: request.redact,
      entryCount,
      removedCount: counts.removed,
      chunkCount,
      personal: counts.personal,
      witnessPolicy: deps.witnessPolicyText !== undefined,
      readmeSha256: createHash('sha256').update(readme).digest('hex'),
    });
    yield { name: bundleFiles.manifest, bytes: encoder.encode(manifest) };
  }
  return { origin, selection, checkpointSize: checkpoint.size, entryCount, redacted: request.redact, members };
}

/**
 * The `ledger.bundle.exported` event of a prepared bundle: exporting personal data is itself on the ledger.
 * @example await app.appender.append([app.auditEntry(bundleExportedEvent(bundle, actorOf(principal), 'api'))])
 */
export function bundleExportedEvent(bundle: PreparedBundle, actor: EventInput['actor'], via: 'api' | 'cli'): EventInput {
  return {
    type: 'ledger.bundle.exported',
    actor,
    targets: [{ kind: 'log', id: bundle.origin }],
    outcome: 'success',
    data: { via, checkpointSize: bundle.checkpointSize, selection: bundle.selection, entryCount: bundle.entryCount, redacted: bundle.redacted },
  };
}
