// `writ verify --archive`: an archive checked alone — its manifest chain, every file's hash, every leaf and tile recomputed, every checkpoint's root.
import { checkpointPath, maxBytesOf, parseArchivePath, archiveTiles, type ArchivePath, type ArchiveReader } from './archive-layout.ts';
import type { ManifestFile } from './archive-manifest.ts';
import { sha256Hex } from './archive-manifest.ts';
import { checkAgainstListing, checkChain, classifyListing, createProblemLog, listedFiles, messageOf, openCheckpoint, readManifests, type ArchiveProblem, type ProblemLog, type ReadManifest } from './archive-chain.ts';
import type { Checkpoint } from './checkpoint.ts';
import { decodeEntryBundle } from './entry-bundle.ts';
import { hashesEqual, HASH_SIZE, leafHash, nodeHashOfPair, type Hash } from './hash.ts';
import { createVerifier, type NoteVerifier } from './signed-note.ts';
import { entriesPath, tilePath, tilesForRoot, treeRoot, TILE_WIDTH, type TilePath } from './tiles.ts';

export type { ArchiveProblem } from './archive-chain.ts';

/** Whom to trust: the given keys, or (with a warning) the keys the archive's own manifests name. */
export type ArchiveTrust = { readonly kind: 'keys'; readonly verifiers: readonly NoteVerifier[] } | { readonly kind: 'archive' };

export interface ArchiveReport {
  readonly ok: boolean;
  readonly origin: string | undefined;
  readonly treeSize: number;
  readonly manifests: number;
  /** The newest manifest, by path and SHA-256: record it to detect a later swap of the whole archive. */
  readonly head: { readonly path: string; readonly sha256: string } | undefined;
  readonly filesChecked: number;
  readonly entriesChecked: number;
  readonly tilesChecked: number;
  readonly checkpointsChecked: number;
  /** Entries whose content retention removed before they were archived: covered by the tree, not by their bytes. */
  readonly entriesRemoved: number;
  readonly warnings: readonly string[];
  readonly problems: readonly ArchiveProblem[];
  /** Problems beyond the ones listed. */
  readonly problemsNotShown: number;
}

interface Audit {
  readonly reader: ArchiveReader;
  readonly log: ProblemLog;
  readonly listed: ReadonlyMap<string, ManifestFile>;
  /** Tiles kept for the roots, by "level/index" (the widest version). */
  readonly kept: Map<string, Uint8Array>;
  readonly keep: ReadonlySet<string>;
  filesChecked: number;
}

/** Reads a listed file, checking its length and SHA-256 against the newest manifest; undefined (and a problem) if it does not hold. */
async function readListed(audit: Audit, path: string, parsed: ArchivePath): Promise<Uint8Array | undefined> {
  const listed = audit.listed.get(path);
  if (listed === undefined) return undefined;
  let bytes: Uint8Array;
  try {
    bytes = await audit.reader.read(path, Math.min(listed.bytes, maxBytesOf(parsed)));
  } catch (error) {
    audit.log.add(path, messageOf(error));
    return undefined;
  }
  audit.filesChecked += 1;
  if (bytes.length !== listed.bytes || sha256Hex(bytes) !== listed.sha256) {
    audit.log.add(path, `its contents differ from the manifest: SHA-256 ${sha256Hex(bytes)} (${bytes.length} bytes), listed ${listed.sha256} (${listed.bytes} bytes)`);
    return undefined;
  }
  return bytes;
}

/** MTH of a full tile's 256 hashes. */
function tileRoot(hashes: Uint8Array): Hash {
  let row = hashes;
  while (row.length > HASH_SIZE) {
    const next = new Uint8Array(row.length / 2);
    for (let i = 0; i * 2 * HASH_SIZE < row.length; i++) next.set(nodeHashOfPair(row.subarray(2 * i * HASH_SIZE, (2 * i + 2) * HASH_SIZE)), i * HASH_SIZE);
    row = next;
  }
  return row;
}

/** Listed versions of one tile (or bundle), widest first. */
function versionsOf(audit: Audit, widest: TilePath): TilePath[] {
  const versions: TilePath[] = [];
  for (let width = widest.width; width >= 1; width--) {
    const path = widest.kind === 'entries' ? entriesPath(widest.index, width) : tilePath({ ...widest, width });
    if (audit.listed.has(path)) versions.push({ ...widest, width });
  }
  return versions;
}

function pathOf(tile: TilePath): string {
  return tile.kind === 'entries' ? entriesPath(tile.index, tile.width) : tilePath(tile);
}

/** Reads every listed version of a tile or bundle: each narrower one must be a prefix of the widest. */
async function readVersions(audit: Audit, widest: TilePath): Promise<{ tile: TilePath; bytes: Uint8Array } | undefined> {
  const versions = versionsOf(audit, widest);
  let top: { tile: TilePath; bytes: Uint8Array } | undefined;
  for (const version of versions) {
    const path = pathOf(version);
    const bytes = await readListed(audit, path, version);
    if (bytes === undefined) continue;
    if (version.kind === 'hash' && bytes.length !== version.width * HASH_SIZE) {
      audit.log.add(path, `it has ${bytes.length} bytes, not the ${version.width * HASH_SIZE} of ${version.width} hashes`);
      continue;
    }
    if (top === undefined) top = { tile: version, bytes };
    else if (!Buffer.from(top.bytes.subarray(0, bytes.length)).equals(bytes)) {
      audit.log.add(path, `it is not a prefix of ${pathOf(top.tile)}: two versions of one tile disagree (a fork)`);
    }
  }
  return top;
}

interface LevelZero {
  readonly removed: ReadonlyMap<string, number>;
  entriesChecked: number;
}

/** Level-0 tile `index`: its bundle's entries hash to its leaf hashes; returns the tile's hashes. */
async function checkLeaves(audit: Audit, expected: TilePath, zero: LevelZero): Promise<Uint8Array | undefined> {
  const tile = await readVersions(audit, expected);
  const bundleWidest: TilePath = { kind: 'entries', index: expected.index, width: expected.width };
  const bundle = await readVersions(audit, bundleWidest);
  if (tile === undefined) return undefined;
  const first = expected.index * TILE_WIDTH;
  const covered = bundle?.tile.width ?? 0;
  if (covered < expected.width && !zero.removed.has(pathOf(bundleWidest))) {
    audit.log.add(pathOf(bundleWidest), `entries ${first + covered}…${first + expected.width - 1} are in the tree but in no entry bundle, and the manifest does not list them as removed`, first + covered);
  }
  if (bundle === undefined) return tile.bytes;
  let entries: Uint8Array[];
  try {
    entries = decodeEntryBundle(bundle.bytes, bundle.tile.width);
  } catch (error) {
    audit.log.add(pathOf(bundle.tile), `the entry bundle is malformed: ${messageOf(error)}`, first);
    return tile.bytes;
  }
  entries.forEach((entry, i) => {
    if (!hashesEqual(leafHash(entry), tile.bytes.subarray(i * HASH_SIZE, (i + 1) * HASH_SIZE))) {
      audit.log.add(pathOf(bundle.tile), `entry ${first + i} does not hash to its leaf hash in ${pathOf(tile.tile)}`, first + i);
    }
  });
  zero.entriesChecked += entries.length;
  return tile.bytes;
}

/** Checks every tile of the tree of `size`, level by level: level 0 against the entries, each level above against the roots of the level below. */
async function checkTiles(audit: Audit, size: number, zero: LevelZero): Promise<number> {
  const expected = archiveTiles(size).filter((t) => t.kind === 'hash');
  let below = new Map<number, Hash>();
  let checked = 0;
  for (let level = 0; expected.some((t) => t.level === level); level++) {
    const roots = new Map<number, Hash>();
    for (const tile of expected.filter((t) => t.level === level)) {
      const hashes = level === 0 ? await checkLeaves(audit, tile, zero) : (await readVersions(audit, tile))?.bytes;
      if (hashes === undefined) continue;
      checked += 1;
      if (audit.keep.has(`${level}/${tile.index}`)) audit.kept.set(`${level}/${tile.index}`, hashes);
      if (tile.width === TILE_WIDTH) roots.set(tile.index, tileRoot(hashes));
      if (level === 0) continue;
      for (let i = 0; i < tile.width; i++) {
        const child = tile.index * TILE_WIDTH + i;
        const root = below.get(child);
        if (root !== undefined && !hashesEqual(root, hashes.subarray(i * HASH_SIZE, (i + 1) * HASH_SIZE))) {
          const span = TILE_WIDTH ** level;
          audit.log.add(pathOf(tile), `hash ${i} is not the root of ${tilePath({ level: level - 1, index: child, width: TILE_WIDTH })}`, child * span);
        }
      }
    }
    below = roots;
  }
  return checked;
}

function coordKey(tile: TilePath): string {
  return tile.kind === 'entries' ? `entries/${tile.index}` : `${tile.level}/${tile.index}`;
}

/** Every listed file must be expected at the newest size (a narrower version of an expected tile is an older edge), every expected one listed. */
function checkCompleteness(audit: Audit, head: ReadManifest, manifests: readonly ReadManifest[]): void {
  const size = head.manifest.treeSize;
  const expected = new Map(archiveTiles(size).map((t) => [pathOf(t), t]));
  const removed = new Set(head.manifest.removed.map((r) => r.bundle));
  for (const record of head.manifest.removed) {
    const bundle = expected.get(record.bundle);
    const from = bundle === undefined ? -1 : bundle.index * TILE_WIDTH;
    const inside = record.ranges.every(([a, b]) => from <= a && a < b && b <= record.to);
    if (bundle?.kind !== 'entries' || record.from !== from || record.to !== from + bundle.width || record.ranges.length === 0 || !inside) {
      audit.log.add(head.path, `it lists ${record.bundle} (entries ${record.from}…${record.to - 1}) as removed, which is not an entry bundle of the tree of size ${size} with removed entries inside it`);
    }
  }
  for (const [path, tile] of expected) {
    if (!audit.listed.has(path) && !removed.has(path)) audit.log.add(path, `the manifest of size ${size} does not list it`, tile.index * TILE_WIDTH * TILE_WIDTH ** (tile.kind === 'hash' ? tile.level : 0));
  }
  const manifestPaths = new Set(manifests.map((m) => m.path));
  const widths = new Map([...expected.values()].map((t) => [coordKey(t), t.width]));
  for (const path of audit.listed.keys()) {
    const parsed = parseArchivePath(path);
    if (parsed === undefined || parsed.kind === 'checkpoint') continue;
    if (parsed.kind === 'manifest') {
      if (!manifestPaths.has(path)) audit.log.add(path, 'the newest manifest lists it, but the archive has no such readable manifest');
      continue;
    }
    const widest = widths.get(coordKey(parsed));
    if (widest === undefined || widest < parsed.width) audit.log.add(path, `it lies beyond the tree of size ${size}`);
  }
}

interface SignedSize {
  readonly path: string;
  readonly checkpoint: Checkpoint;
}

/** Every listed checkpoint file: signed by a trusted key, of the size its name says, and (for a manifest's own) the note the manifest quotes. */
async function checkCheckpoints(audit: Audit, manifests: readonly ReadManifest[], verifiers: NoteVerifier[]): Promise<SignedSize[]> {
  const quoted = new Map(manifests.map((m) => [checkpointPath(m.manifest.treeSize), m]));
  const signed: SignedSize[] = [];
  for (const path of audit.listed.keys()) {
    const parsed = parseArchivePath(path);
    if (parsed?.kind !== 'checkpoint') continue;
    const bytes = await readListed(audit, path, parsed);
    if (bytes === undefined) continue;
    const note = Buffer.from(bytes).toString('utf8');
    const manifest = quoted.get(path);
    if (manifest !== undefined && manifest.manifest.checkpoint !== note) audit.log.add(path, `it differs from the checkpoint ${manifest.path} quotes`);
    const checkpoint = openCheckpoint(note, parsed.size, verifiers, path, audit.log);
    if (checkpoint !== undefined) signed.push({ path, checkpoint });
  }
  return signed;
}

function checkRoots(audit: Audit, signed: readonly SignedSize[]): void {
  const source = { tile: (level: number, index: number) => audit.kept.get(`${level}/${index}`) };
  for (const { path, checkpoint } of signed) {
    try {
      const root = treeRoot(checkpoint.size, source);
      if (!hashesEqual(root, checkpoint.rootHash)) {
        audit.log.add(path, `the archive's tiles give the root ${Buffer.from(root).toString('base64')} for size ${checkpoint.size}, the checkpoint signs ${Buffer.from(checkpoint.rootHash).toString('base64')}`);
      }
    } catch (error) {
      audit.log.add(path, `the root of size ${checkpoint.size} cannot be computed from the archive's tiles: ${messageOf(error)}`);
    }
  }
}

function trustedVerifiers(trust: ArchiveTrust, manifests: readonly ReadManifest[], warnings: string[], log: ProblemLog): NoteVerifier[] {
  if (trust.kind === 'keys') return [...trust.verifiers];
  const keys = [...new Set(manifests.map((m) => m.manifest.verifierKey))];
  warnings.push(`no --vkey given: trusting the key(s) the archive itself names (${keys.join(', ')}); this proves the archive is whole and consistent, not that the log's operator signed it — pass the log's verifier key with --vkey`);
  return keys.flatMap((key) => {
    try {
      return [createVerifier(key)];
    } catch (error) {
      log.add(undefined, `a manifest names an unusable verifier key: ${messageOf(error)}`);
      return [];
    }
  });
}

/**
 * Checks an archive alone: the manifest chain, every file against the newest manifest (no file missing, none unlisted,
 * no symbolic link), each entry bundle against its leaf hashes, each tile against the level below, each checkpoint's
 * signature and root. Never throws for a bad archive: it reports.
 * @example const report = await verifyArchive(reader, { kind: 'keys', verifiers: [createVerifier(vkey)] }); report.ok
 */
export async function verifyArchive(reader: ArchiveReader, trust: ArchiveTrust): Promise<ArchiveReport> {
  const log = createProblemLog();
  const warnings: string[] = [];
  const listing = await reader.list();
  const paths = classifyListing(listing, log);
  const manifests = await readManifests(reader, paths, log);
  checkChain(manifests, log);
  const head = manifests[manifests.length - 1];
  const empty = { ok: false, origin: undefined, treeSize: 0, manifests: manifests.length, head: undefined, filesChecked: 0, entriesChecked: 0, tilesChecked: 0, checkpointsChecked: 0, entriesRemoved: 0, warnings };
  if (head === undefined) {
    if (!log.problems.some((p) => p.path?.startsWith('manifests/') === true)) log.add(undefined, 'the archive has no manifest: it is not an archive written by "writ log archive"');
    return { ...empty, problems: log.problems, problemsNotShown: log.dropped };
  }
  const listed = listedFiles(head);
  checkAgainstListing(listing, paths, manifests, log);
  const verifiers = trustedVerifiers(trust, manifests, warnings, log);
  const keep = new Set(manifests.flatMap((m) => tilesForRoot(m.manifest.treeSize).map((c) => `${c.level}/${c.index}`)));
  const audit: Audit = { reader, log, listed, kept: new Map(), keep, filesChecked: manifests.length };
  checkCompleteness(audit, head, manifests);
  const removed = new Map(head.manifest.removed.map((r) => [r.bundle, r.ranges.reduce((n, [from, to]) => n + Math.max(0, to - from), 0)]));
  const entriesRemoved = [...removed.values()].reduce((a, b) => a + b, 0);
  if (removed.size > 0) warnings.push(`${removed.size} entry bundle(s) are not archived: retention had removed the content of ${entriesRemoved} of their entries; their leaf hashes are covered by the tree only`);
  const zero: LevelZero = { removed, entriesChecked: 0 };
  const tilesChecked = await checkTiles(audit, head.manifest.treeSize, zero);
  const signed = await checkCheckpoints(audit, manifests, verifiers);
  checkRoots(audit, signed);
  return {
    ...empty,
    ok: log.problems.length === 0,
    origin: head.manifest.origin,
    treeSize: head.manifest.treeSize,
    head: { path: head.path, sha256: head.sha256 },
    filesChecked: audit.filesChecked,
    entriesChecked: zero.entriesChecked,
    tilesChecked,
    checkpointsChecked: signed.length,
    entriesRemoved,
    problems: log.problems,
    problemsNotShown: log.dropped,
  };
}
