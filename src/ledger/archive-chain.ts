// Checks an archive's manifests and listing: manifests chained by hash from the first run to the newest, each a superset of the last; the directory exactly what the newest lists.
import { isAppError } from '../shared/app-error.ts';
import { checkpointPath, manifestPath, MAX_MANIFEST_BYTES, parseArchivePath, type ArchiveListing, type ArchivePath, type ArchiveReader } from './archive-layout.ts';
import { parseManifest, sha256Hex, type ArchiveManifest, type ManifestFile } from './archive-manifest.ts';
import { parseCheckpoint, type Checkpoint } from './checkpoint.ts';
import { openNote, type NoteVerifier } from './signed-note.ts';

/** What is wrong with an archive: the file and, when one can be named, the entry index. */
export interface ArchiveProblem {
  readonly path: string | undefined;
  readonly index: number | undefined;
  readonly message: string;
}

/** Collects problems (up to a limit, then only counts them). */
export interface ProblemLog {
  readonly problems: ArchiveProblem[];
  dropped: number;
  add(path: string | undefined, message: string, index?: number): void;
}

const MAX_PROBLEMS = 100;

export function createProblemLog(): ProblemLog {
  const log: ProblemLog = {
    problems: [],
    dropped: 0,
    add(path, message, index) {
      if (log.problems.length >= MAX_PROBLEMS) log.dropped += 1;
      else log.problems.push({ path, index, message });
    },
  };
  return log;
}

/** A manifest as read from the archive. */
export interface ReadManifest {
  readonly path: string;
  readonly bytes: Uint8Array;
  readonly sha256: string;
  readonly manifest: ArchiveManifest;
}

export function messageOf(error: unknown): string {
  return isAppError(error) || error instanceof Error ? error.message : String(error);
}

/** Reads and parses every manifest of the archive, by ascending tree size; unreadable ones become problems. */
export async function readManifests(reader: ArchiveReader, paths: ReadonlyMap<string, ArchivePath>, log: ProblemLog): Promise<ReadManifest[]> {
  const sizes = [...paths.values()].flatMap((p) => (p.kind === 'manifest' ? [p.size] : [])).sort((a, b) => a - b);
  const read: ReadManifest[] = [];
  for (const size of sizes) {
    const path = manifestPath(size);
    try {
      const bytes = await reader.read(path, MAX_MANIFEST_BYTES);
      const manifest = parseManifest(bytes);
      if (manifest.treeSize !== size) log.add(path, `its tree size is ${manifest.treeSize}, not the ${size} its name says`);
      read.push({ path, bytes, sha256: sha256Hex(bytes), manifest });
    } catch (error) {
      log.add(path, `the manifest is unreadable: ${messageOf(error)}`);
    }
  }
  return read;
}

function checkSuperset(current: ReadManifest, before: ReadManifest, log: ProblemLog): void {
  const now = new Map(current.manifest.files.map((f) => [f.path, f]));
  for (const file of before.manifest.files) {
    const kept = now.get(file.path);
    if (kept === undefined) log.add(current.path, `it drops ${file.path}, which ${before.path} lists: an archive only grows`);
    else if (kept.sha256 !== file.sha256 || kept.bytes !== file.bytes) log.add(current.path, `it lists ${file.path} with another hash or length than ${before.path} does: archived files never change`);
  }
  const self = now.get(before.path);
  if (self?.sha256 !== before.sha256 || self.bytes !== before.bytes.length) log.add(current.path, `it does not list ${before.path} with that manifest's SHA-256 ${before.sha256}`);
}

function checkFileList(entry: ReadManifest, log: ProblemLog): void {
  const files = entry.manifest.files;
  for (let i = 1; i < files.length; i++) {
    const [a, b] = [files[i - 1]?.path ?? '', files[i]?.path ?? ''];
    if (a >= b) log.add(entry.path, `its file list is not sorted by path without repeats (at ${b})`);
  }
  const own = files.find((f) => f.path === checkpointPath(entry.manifest.treeSize));
  if (own?.sha256 !== sha256Hex(Buffer.from(entry.manifest.checkpoint, 'utf8'))) {
    log.add(entry.path, `it does not list ${checkpointPath(entry.manifest.treeSize)} with the hash of the checkpoint it quotes`);
  }
}

/**
 * Checks the chain: the first manifest has no previous, each other names the one before it by path and SHA-256,
 * lists it, and lists every file it listed unchanged; each lists its own checkpoint.
 */
export function checkChain(manifests: readonly ReadManifest[], log: ProblemLog): void {
  manifests.forEach((entry, i) => {
    const before = manifests[i - 1];
    const previous = entry.manifest.previous;
    checkFileList(entry, log);
    if (before === undefined) {
      if (previous !== null) log.add(entry.path, `it names ${previous.path} as the manifest before it, which the archive does not hold (removed?)`);
      return;
    }
    if (previous === null) log.add(entry.path, `it names no manifest before it, but the archive holds ${before.path}: a manifest was inserted or replaced`);
    else if (previous.path !== before.path || previous.sha256 !== before.sha256) {
      log.add(entry.path, `it names ${previous.path} (SHA-256 ${previous.sha256}) as the manifest before it, but the archive's is ${before.path} (SHA-256 ${before.sha256}): a manifest was changed, removed or inserted`);
    }
    if (entry.manifest.origin !== before.manifest.origin) log.add(entry.path, `its origin "${entry.manifest.origin}" differs from "${before.manifest.origin}" in ${before.path}`);
    checkSuperset(entry, before, log);
  });
}

/**
 * Opens a checkpoint note with the trusted keys and checks it names `size` and, when given, `origin`; a problem
 * (on `path`) and undefined when it does not hold.
 */
export function openCheckpoint(note: string, size: number, verifiers: NoteVerifier[], path: string, log: ProblemLog): Checkpoint | undefined {
  let checkpoint: Checkpoint;
  try {
    const opened = openNote(note, verifiers);
    checkpoint = parseCheckpoint(opened.text);
    if (!opened.verifiedBy.some((v) => v.name === checkpoint.origin)) {
      log.add(path, `the checkpoint of origin "${checkpoint.origin}" is not signed by a trusted key of that name`);
      return undefined;
    }
  } catch (error) {
    log.add(path, `the checkpoint is not validly signed by a trusted key: ${messageOf(error)}`);
    return undefined;
  }
  if (checkpoint.size !== size) {
    log.add(path, `the checkpoint is of size ${checkpoint.size}, not ${size}`);
    return undefined;
  }
  return checkpoint;
}

/** The newest manifest's files by path. */
export function listedFiles(head: ReadManifest): Map<string, ManifestFile> {
  return new Map(head.manifest.files.map((f) => [f.path, f]));
}

/** The archive's files by parsed name; anything else (a link, a stranger's file) is a problem. */
export function classifyListing(listing: readonly ArchiveListing[], log: ProblemLog): Map<string, ArchivePath> {
  const paths = new Map<string, ArchivePath>();
  for (const item of listing) {
    const parsed = item.kind === 'file' ? parseArchivePath(item.path) : undefined;
    if (item.kind === 'other') log.add(item.path, `it is a ${item.what}: an archive holds only regular files`);
    else if (parsed === undefined) log.add(item.path, 'it is not a file an archive holds (and no manifest lists it)');
    else paths.set(item.path, parsed);
  }
  return paths;
}

/**
 * The newest manifest against the directory: every listed file there with its length, no file unlisted (a static
 * server would serve it under the log's name), each earlier manifest with the hash it lists.
 */
export function checkAgainstListing(listing: readonly ArchiveListing[], paths: ReadonlyMap<string, ArchivePath>, manifests: readonly ReadManifest[], log: ProblemLog): void {
  const head = manifests[manifests.length - 1];
  if (head === undefined) return;
  const listed = listedFiles(head);
  const onDiskByPath = new Map(listing.map((item) => [item.path, item]));
  for (const [path, file] of listed) {
    const onDisk = onDiskByPath.get(path);
    if (onDisk === undefined) log.add(path, 'the newest manifest lists it but the archive does not hold it (deleted?)');
    else if (onDisk.kind === 'file' && onDisk.bytes !== file.bytes) log.add(path, `it has ${onDisk.bytes} bytes, the manifest lists ${file.bytes}`);
  }
  for (const path of paths.keys()) {
    if (!listed.has(path) && path !== head.path) log.add(path, 'no manifest lists it: a file added after the last run, or left by an interrupted run (re-run "writ log archive" to list it, or remove it)');
  }
  for (const m of manifests.slice(0, -1)) {
    const file = listed.get(m.path);
    if (file !== undefined && file.sha256 !== m.sha256) log.add(m.path, `its SHA-256 ${m.sha256} is not the one the newest manifest lists (${file.sha256})`);
  }
}
