// `writ log archive`: writes the log's full tiles, entry bundles, edge tiles and checkpoint to a write-once archive, then a manifest chained to the last.
import { AppError } from '../shared/app-error.ts';
import { manifestPath, maxBytesOf, parseArchivePath, type ArchiveListing, type ArchivePath, type ArchiveWriter } from './archive-layout.ts';
import { ARCHIVE_FORMAT, encodeManifest, parseManifest, sha256Hex, type ArchiveManifest, type ManifestFile, type RemovedBundle } from './archive-manifest.ts';
import { logFileAt, logFiles } from './archive-log-files.ts';
import { parseCheckpoint } from './checkpoint.ts';
import { hashesEqual } from './hash.ts';
import type { LedgerStore, StoredCheckpoint } from './ledger-store.ts';
import { tileSource } from './log-reader.ts';
import { splitSignedNote } from './signed-note.ts';
import { tilesForRoot, treeRoot } from './tiles.ts';

export interface ArchiveRunOptions {
  /** The checkpoint to archive: the log's published one. */
  readonly checkpoint: StoredCheckpoint;
  /** The log's verifier key, recorded in the manifest. */
  readonly verifierKey: string;
  /** The program writing, e.g. "writ 0.1.0". */
  readonly tool: string;
}

export interface ArchiveRunReport {
  readonly treeSize: number;
  /** True when the archive already held this checkpoint: nothing was written. */
  readonly upToDate: boolean;
  readonly filesWritten: number;
  readonly bytesWritten: number;
  /** Files that were there already and matched the log byte for byte. */
  readonly filesPresent: number;
  /** Files an interrupted run had left, found to match the log and now listed. */
  readonly filesAdopted: number;
  readonly removed: readonly RemovedBundle[];
  readonly manifest: { readonly path: string; readonly sha256: string };
  readonly leftoversRemoved: readonly string[];
}

interface Head {
  readonly path: string;
  readonly bytes: Uint8Array;
  readonly manifest: ArchiveManifest;
}

const evidence = 'keep both (this is evidence) and run "writ verify" on the log and "writ verify --archive" on the archive';

function describe(bytes: Uint8Array): string {
  return `SHA-256 ${sha256Hex(bytes)} (${bytes.length} bytes)`;
}

/** Refuses a directory that holds anything an archive never holds (a symbolic link, a stranger's file). */
function checkListing(listing: readonly ArchiveListing[]): Map<string, ArchivePath> {
  const known = new Map<string, ArchivePath>();
  for (const item of listing) {
    if (item.kind === 'other') throw new AppError('invalid_input', `the archive directory holds "${item.path}", a ${item.what}: an archive holds only regular files; remove it`);
    const parsed = parseArchivePath(item.path);
    if (parsed === undefined) throw new AppError('invalid_input', `the archive directory holds "${item.path}", which is not an archive file: give an empty directory or an archive written by "writ log archive"`);
    known.set(item.path, parsed);
  }
  return known;
}

/** The newest manifest (the largest tree size), read and parsed. */
async function readHead(files: ArchiveWriter, known: ReadonlyMap<string, ArchivePath>): Promise<Head | undefined> {
  const sizes = [...known.values()].flatMap((p) => (p.kind === 'manifest' ? [p.size] : []));
  if (sizes.length === 0) return undefined;
  const path = manifestPath(Math.max(...sizes));
  const bytes = await files.read(path, maxBytesOf({ kind: 'manifest', size: 0 }));
  try {
    return { path, bytes, manifest: parseManifest(bytes) };
  } catch (error) {
    throw new AppError('ledger_inconsistent', `the archive's newest manifest ${path} is unreadable (${error instanceof Error ? error.message : String(error)}): run "writ verify --archive"`);
  }
}

/** The archived tree must be a prefix of the log's: same origin, not larger, and its root recomputed from the log's tiles. */
async function checkExtends(store: LedgerStore, head: Head, checkpoint: StoredCheckpoint): Promise<void> {
  const archived = parseCheckpoint(splitSignedNote(head.manifest.checkpoint).text);
  const current = parseCheckpoint(splitSignedNote(checkpoint.note).text);
  if (archived.origin !== current.origin) throw new AppError('conflict', `the archive is of the log "${archived.origin}", not "${current.origin}": give another directory`);
  if (archived.size > current.size && ((await store.latestCheckpoint())?.size ?? 0) >= archived.size) {
    throw new AppError('unavailable', `the archive already holds checkpoint ${archived.size}, beyond the published checkpoint ${current.size}: run again once the witnesses have cosigned a larger one`);
  }
  if (archived.size > current.size) {
    throw new AppError('ledger_inconsistent', `the archive holds checkpoint ${archived.size} but the log's published checkpoint is only ${current.size}: the log was rolled back or this is another log; ${evidence}`);
  }
  const root = treeRoot(archived.size, await tileSource(store, tilesForRoot(archived.size)));
  if (!hashesEqual(root, archived.rootHash)) {
    throw new AppError('ledger_inconsistent', `the log no longer contains the archived checkpoint ${archived.size}: it was signed with root ${Buffer.from(archived.rootHash).toString('base64')}, the log's tiles now give ${Buffer.from(root).toString('base64')}; ${evidence}`);
  }
}

interface Run {
  readonly files: ArchiveWriter;
  readonly onDisk: Map<string, number>;
  readonly listed: ReadonlyMap<string, ManifestFile>;
  readonly record: Map<string, ManifestFile>;
  written: number;
  bytesWritten: number;
  present: number;
}

/** A checkpoint archived with fewer (or other) cosignatures than the log now has: the same signed text is the same checkpoint. */
function sameCheckpoint(path: string, archived: Uint8Array, current: Uint8Array): boolean {
  if (!path.startsWith('checkpoints/')) return false;
  try {
    return splitSignedNote(Buffer.from(archived).toString('utf8')).text === splitSignedNote(Buffer.from(current).toString('utf8')).text;
  } catch {
    return false;
  }
}

/** Writes a file, or checks the one there is byte-identical (and still what the last manifest listed). */
async function put(run: Run, path: string, bytes: Uint8Array): Promise<void> {
  let entry: ManifestFile = { path, sha256: sha256Hex(bytes), bytes: bytes.length };
  const listed = run.listed.get(path);
  if (run.onDisk.has(path)) {
    const kind = parseArchivePath(path);
    // Read no more than a file of its kind can hold: a huge file in a tile's place is refused, not loaded.
    const existing = await run.files.read(path, kind === undefined ? bytes.length : maxBytesOf(kind));
    if (sameCheckpoint(path, existing, bytes)) {
      entry = { path, sha256: sha256Hex(existing), bytes: existing.length };
    } else if (!Buffer.from(existing).equals(bytes)) {
      throw new AppError('ledger_inconsistent', `the archive and the log disagree on ${path}: the archive's file has ${describe(existing)}, the log gives ${describe(bytes)}; ${evidence}`);
    }
    run.present += 1;
  } else if (listed !== undefined) {
    throw new AppError('ledger_inconsistent', `the archive lost ${path}, which its manifest lists: restore it from a copy of the archive (writ never re-creates a file a manifest vouches for)`);
  } else {
    await run.files.create(path, bytes);
    run.onDisk.set(path, bytes.length);
    run.written += 1;
    run.bytesWritten += bytes.length;
  }
  if (listed !== undefined && (listed.sha256 !== entry.sha256 || listed.bytes !== entry.bytes)) {
    throw new AppError('ledger_inconsistent', `the archive's file ${path} no longer matches its manifest (listed SHA-256 ${listed.sha256}, ${listed.bytes} bytes); ${evidence}`);
  }
  run.record.set(path, entry);
}

/** Files the last manifest lists that this run does not write again (older edge tiles, checkpoints, manifests): still there, unchanged. */
async function carryOver(run: Run): Promise<void> {
  for (const listed of run.listed.values()) {
    if (run.record.has(listed.path)) continue;
    if (!run.onDisk.has(listed.path)) throw new AppError('ledger_inconsistent', `the archive lost ${listed.path}, which its manifest lists: restore it from a copy of the archive`);
    const bytes = await run.files.read(listed.path, listed.bytes + 1);
    if (sha256Hex(bytes) !== listed.sha256 || bytes.length !== listed.bytes) {
      throw new AppError('ledger_inconsistent', `the archive's file ${listed.path} no longer matches its manifest (listed SHA-256 ${listed.sha256}, found ${describe(bytes)}); ${evidence}`);
    }
    run.record.set(listed.path, listed);
  }
}

/** Files on disk that no manifest lists (an interrupted run wrote them): taken in if the log gives the same bytes. */
async function adopt(run: Run, store: LedgerStore, known: ReadonlyMap<string, ArchivePath>, head: Head | undefined, size: number): Promise<number> {
  let adopted = 0;
  for (const [path, parsed] of known) {
    if (run.record.has(path) || path === head?.path) continue;
    const expected = await logFileAt(store, parsed, size);
    if (expected === undefined) {
      throw new AppError('ledger_inconsistent', `the archive holds ${path}, which no manifest lists and the log cannot give at size ${size}; ${evidence}`);
    }
    await put(run, path, expected);
    adopted += 1;
  }
  return adopted;
}

/**
 * Archives the log at `options.checkpoint`: every full tile and entry bundle, the edge tiles and the checkpoint,
 * then a manifest listing every file of the archive with the previous manifest's hash. Never overwrites: a file
 * already there must be byte-identical, else it fails with both hashes (evidence).
 * @example await archiveLog(store, directoryArchive('/srv/archive'), { checkpoint, verifierKey, tool: 'writ 0.1.0' })
 */
export async function archiveLog(store: LedgerStore, files: ArchiveWriter, options: ArchiveRunOptions): Promise<ArchiveRunReport> {
  const { checkpoint } = options;
  const leftoversRemoved = await files.removeLeftovers();
  const listing = await files.list();
  const known = checkListing(listing);
  const head = await readHead(files, known);
  if (head !== undefined) await checkExtends(store, head, checkpoint);
  const onDisk = new Map(listing.flatMap((item) => (item.kind === 'file' ? [[item.path, item.bytes] as const] : [])));
  const run: Run = { files, onDisk, listed: new Map(head?.manifest.files.map((f) => [f.path, f])), record: new Map(), written: 0, bytesWritten: 0, present: 0 };
  const gone: RemovedBundle[] = [];
  for await (const file of logFiles(store, checkpoint)) {
    if (file.kind === 'removed') gone.push(file.removed);
    else await put(run, file.path, file.bytes);
  }
  await carryOver(run);
  const filesAdopted = await adopt(run, store, known, head, checkpoint.size);
  // A bundle archived before retention removed its content stays in the archive: it is not listed as removed.
  const removed = gone.filter((r) => !run.record.has(r.bundle));
  const report = { treeSize: checkpoint.size, filesWritten: run.written, bytesWritten: run.bytesWritten, filesPresent: run.present, filesAdopted, removed, leftoversRemoved };
  if (head !== undefined && head.manifest.treeSize === checkpoint.size) {
    return { ...report, upToDate: true, manifest: { path: head.path, sha256: sha256Hex(head.bytes) } };
  }
  await files.sync();
  if (head !== undefined) run.record.set(head.path, { path: head.path, sha256: sha256Hex(head.bytes), bytes: head.bytes.length });
  const manifest: ArchiveManifest = {
    format: ARCHIVE_FORMAT,
    origin: parseCheckpoint(splitSignedNote(checkpoint.note).text).origin,
    treeSize: checkpoint.size,
    checkpoint: checkpoint.note,
    verifierKey: options.verifierKey,
    previous: head === undefined ? null : { path: head.path, sha256: sha256Hex(head.bytes) },
    tool: options.tool,
    files: [...run.record.values()].sort((a, b) => (a.path < b.path ? -1 : a.path > b.path ? 1 : 0)),
    removed,
  };
  const bytes = encodeManifest(manifest);
  const path = manifestPath(checkpoint.size);
  await files.create(path, bytes);
  await files.sync();
  return { ...report, upToDate: false, manifest: { path, sha256: sha256Hex(bytes) } };
}
