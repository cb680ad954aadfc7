// Archiving the log on both backends and verifying the archive alone: growth only adds files, any change to a file is found and named.
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import pino from 'pino';
import { openApp, type WritApp } from '../app.ts';
import { loadConfig } from '../config/load-config.ts';
import { parseArchivePath } from '../ledger/archive-layout.ts';
import { encodeManifest, parseManifest, sha256Hex } from '../ledger/archive-manifest.ts';
import { verifyArchive, type ArchiveReport } from '../ledger/archive-verifier.ts';
import { archiveLog, type ArchiveRunReport } from '../ledger/archive-writer.ts';
import { parseCheckpoint } from '../ledger/checkpoint.ts';
import { hashesEqual, leafHash } from '../ledger/hash.ts';
import { inclusionProof, consistencyProof, publishedCheckpointOrFail } from '../ledger/log-reader.ts';
import { integratePending } from '../ledger/sequencer.ts';
import { createVerifier, generateSignerKey, splitSignedNote } from '../ledger/signed-note.ts';
import { proveConsistency, proveInclusion, tilePath, treeRoot, TILE_WIDTH, type TileSource } from '../ledger/tiles.ts';
import { runRetentionAsAdmin } from '../identity/retention-commands.ts';
import { isAppError } from '../shared/app-error.ts';
import { createManualClock } from '../shared/clock.ts';
import { createMemoryArchive, type MemoryArchive } from './testing/memory-archive.ts';
import { createTestDatabase, testBackends, type TestDatabase } from './testing/test-databases.ts';

const ORIGIN = 'test.writ/archive';

const DAY_MS = 86_400_000;
const RETENTION = { rules: [{ typePrefix: 'app.session.', keepDays: 30 }], defaultKeepDays: 'forever' };

async function openTestApp(db: TestDatabase, clock = createManualClock(Date.UTC(2026, 10, 26, 9, 0, 0))): Promise<WritApp> {
  const config = loadConfig({ dataDir: db.dataDir, pgUrl: db.pgUrl, logOrigin: ORIGIN }, { WRIT_RETENTION: JSON.stringify(RETENTION) }, undefined);
  return openApp(config, { clock, logger: pino({ level: 'silent' }) });
}

/** Appends `count` events and sequences them all, so the log's checkpoint covers them. */
async function appendAndSequence(app: WritApp, count: number, tag: string, type = 'app.document.viewed'): Promise<void> {
  for (let from = 0; from < count; from += 2000) {
    const entries = Array.from({ length: Math.min(2000, count - from) }, (_, i) =>
      app.auditEntry({ type, actor: { kind: 'user', id: `user-${(from + i) % 7}` }, outcome: 'success', data: { tag, n: from + i } }),
    );
    await app.transactions.run((_trx, ledger) => ledger.appendPending(entries));
  }
  for (;;) {
    const result = await integratePending({ store: app.store, signer: app.signer, clock: app.clock, batchSize: 100_000 });
    if (result.kind !== 'integrated' || result.count === 0) break;
  }
}

async function archive(app: WritApp, files: MemoryArchive): Promise<ArchiveRunReport> {
  const checkpoint = await publishedCheckpointOrFail(app.store);
  return archiveLog(app.store, files, { checkpoint, verifierKey: app.signer.verifierKey, tool: 'writ test' });
}

function verify(app: WritApp, files: MemoryArchive): Promise<ArchiveReport> {
  return verifyArchive(files, { kind: 'keys', verifiers: [createVerifier(app.signer.verifierKey)] });
}

function copyOf(files: MemoryArchive): MemoryArchive {
  const copy = createMemoryArchive();
  for (const [path, bytes] of files.files) copy.files.set(path, Uint8Array.from(bytes));
  return copy;
}

/** The archive's tiles as a TileSource: the widest version of each tile, as a static server's client would fetch. */
function archiveTileSource(files: MemoryArchive): TileSource {
  const widest = new Map<string, Uint8Array>();
  for (const [path, bytes] of files.files) {
    const parsed = parseArchivePath(path);
    if (parsed?.kind !== 'hash') continue;
    const key = `${parsed.level}/${parsed.index}`;
    if ((widest.get(key)?.length ?? 0) < bytes.length) widest.set(key, bytes);
  }
  return { tile: (level, index) => widest.get(`${level}/${index}`) };
}

function failsOn(report: ArchiveReport, path: string, pattern?: RegExp): void {
  assert.equal(report.ok, false, `the archive must fail verification on ${path}`);
  const named = report.problems.filter((p) => p.path === path);
  assert.ok(named.length > 0, `a problem names ${path}: ${JSON.stringify(report.problems)}`);
  if (pattern !== undefined) assert.ok(named.some((p) => pattern.test(p.message)), `${path}: ${JSON.stringify(named)}`);
}

for (const backend of testBackends) {
  test(`on ${backend}: the archive verifies alone, a re-run after appends only adds files, and the archive serves the log's proofs`, async () => {
    const db = await createTestDatabase(backend);
    const app = await openTestApp(db);
    try {
      await appendAndSequence(app, 700, 'first');
      const files = createMemoryArchive();
      const first = await archive(app, files);
      assert.equal(first.treeSize, 700);
      assert.equal(first.upToDate, false);
      assert.ok(files.files.has('tile/0/000') && files.files.has('tile/0/002.p/188') && files.files.has('tile/entries/002.p/188') && files.files.has('tile/1/000.p/2'));
      assert.ok(files.files.has('checkpoints/700') && files.files.has('manifests/700.json'));
      const report = await verify(app, files);
      assert.deepEqual(report.problems, []);
      assert.equal(report.ok, true);
      assert.equal(report.entriesChecked, 700);
      assert.equal(report.checkpointsChecked, 1);

      const snapshot = new Map([...files.files].map(([path, bytes]) => [path, sha256Hex(bytes)]));
      await appendAndSequence(app, 300, 'second');
      const second = await archive(app, files);
      assert.equal(second.treeSize, 1000);
      assert.ok(second.filesWritten > 0 && second.filesPresent > 0);
      for (const [path, hash] of snapshot) assert.equal(sha256Hex(files.files.get(path) ?? new Uint8Array()), hash, `${path} is unchanged`);
      const manifest = parseManifest(files.files.get('manifests/1000.json') ?? new Uint8Array());
      assert.deepEqual(manifest.previous, { path: 'manifests/700.json', sha256: snapshot.get('manifests/700.json') });
      const grown = await verify(app, files);
      assert.deepEqual(grown.problems, []);
      assert.equal(grown.manifests, 2);
      assert.equal(grown.checkpointsChecked, 2);
      assert.equal(grown.entriesChecked, 1000);

      const again = await archive(app, files);
      assert.equal(again.upToDate, true);
      assert.equal(again.filesWritten, 0);

      const source = archiveTileSource(files);
      const checkpoint = parseCheckpoint(splitSignedNote(await publishedCheckpointOrFail(app.store).then((c) => c.note)).text);
      assert.ok(hashesEqual(treeRoot(1000, source), checkpoint.rootHash));
      for (const index of [0, 255, 256, 699, 999]) assert.deepEqual(proveInclusion(index, 1000, source), await inclusionProof(app.store, index, 1000));
      assert.deepEqual(proveConsistency(700, 1000, source), await consistencyProof(app.store, 700, 1000));
    } finally {
      await app.close();
      await db.dispose();
    }
  });
}

for (const backend of testBackends) {
  test(`on ${backend}: a bundle archived before retention stays; one emptied before archiving is listed as removed and the archive still verifies`, async () => {
    const db = await createTestDatabase(backend);
    const clock = createManualClock(Date.UTC(2025, 0, 1, 9, 0, 0));
    const app = await openTestApp(db, clock);
    try {
      await app.identity.bootstrapAdmin({ password: 'archive test root 2026' });
      const login = await app.identity.login({ username: 'admin', password: 'archive test root 2026', ip: '192.0.2.1', userAgent: 'test' });
      if (login.kind !== 'signed-in') throw new Error(`admin sign-in failed: ${login.kind}`);
      await appendAndSequence(app, 300, 'old', 'app.session.started');
      const files = createMemoryArchive();
      await archive(app, files);
      const archivedBundle = files.files.get('tile/entries/000');
      assert.ok(archivedBundle !== undefined);
      await appendAndSequence(app, 300, 'older', 'app.session.started');
      clock.advanceMs(40 * DAY_MS);
      await appendAndSequence(app, 100, 'new');
      const retention = await runRetentionAsAdmin(app.retention, login.principal, { dryRun: false });
      assert.ok(retention.removedCount >= 600, `retention removed ${retention.removedCount}`);
      await appendAndSequence(app, 1, 'after');

      const run = await archive(app, files);
      assert.deepEqual(files.files.get('tile/entries/000'), archivedBundle, 'a bundle archived before retention stays as it was');
      const edgeBundle = `tile/entries/002.p/${run.treeSize - 512}`;
      assert.ok(!files.files.has('tile/entries/001') && !files.files.has(edgeBundle), 'bundles whose content is gone are not archived');
      assert.deepEqual(run.removed.map((r) => r.bundle), ['tile/entries/001', edgeBundle]);
      const manifest = parseManifest(files.files.get(`manifests/${run.treeSize}.json`) ?? new Uint8Array());
      const listed = manifest.removed.find((r) => r.bundle === 'tile/entries/001');
      assert.ok(listed !== undefined && listed.from === 256 && listed.to === 512 && listed.ranges.length > 0);

      const report = await verify(app, files);
      assert.deepEqual(report.problems, []);
      assert.ok(report.entriesRemoved > 0);
      assert.match(report.warnings.join('\n'), /not archived: retention had removed/);
    } finally {
      await app.close();
      await db.dispose();
    }
  });
}

test('files an interrupted run left are taken in when the log gives the same bytes, and the archive verifies', async () => {
  const db = await createTestDatabase('sqlite');
  const app = await openTestApp(db);
  try {
    await appendAndSequence(app, 300, 'one');
    const files = createMemoryArchive();
    await archive(app, files);
    await appendAndSequence(app, 300, 'two');
    const crashed = copyOf(files);
    await archive(app, crashed);
    for (const [path, bytes] of crashed.files) if (!path.startsWith('manifests/') && !files.files.has(path)) files.files.set(path, bytes);
    assert.equal((await verify(app, files)).ok, false, 'before the next run, the leftovers are unlisted');
    await appendAndSequence(app, 100, 'three');
    const run = await archive(app, files);
    assert.ok(run.filesAdopted >= 2, `adopted ${run.filesAdopted}`);
    const report = await verify(app, files);
    assert.deepEqual(report.problems, []);
    assert.equal(report.checkpointsChecked, 3, 'the crashed run\'s checkpoint is listed and checked too');
  } finally {
    await app.close();
    await db.dispose();
  }
});

test('a tree with a full level-1 tile (65,536 entries and more): every level recomputed, a forged level-1 hash named', async () => {
  const db = await createTestDatabase('sqlite');
  const app = await openTestApp(db);
  try {
    const size = TILE_WIDTH * TILE_WIDTH + 300;
    await appendAndSequence(app, size, 'big');
    const files = createMemoryArchive();
    await archive(app, files);
    assert.ok(files.files.has('tile/1/000') && files.files.has('tile/1/001.p/1') && files.files.has('tile/2/000.p/1'));
    const report = await verify(app, files);
    assert.deepEqual(report.problems, []);
    assert.equal(report.entriesChecked, size);
    const source = archiveTileSource(files);
    for (const index of [0, 65_535, 65_536, size - 1]) assert.deepEqual(proveInclusion(index, size, source), await inclusionProof(app.store, index, size));

    const forged = copyOf(files);
    const tile = Uint8Array.from(forged.files.get('tile/1/000') ?? new Uint8Array());
    tile[200 * 32] = (tile[200 * 32] ?? 0) ^ 0x01;
    forged.files.set('tile/1/000', tile);
    const head = parseManifest(forged.files.get(`manifests/${size}.json`) ?? new Uint8Array());
    const relisted = head.files.map((f) => (f.path === 'tile/1/000' ? { ...f, sha256: sha256Hex(tile) } : f));
    forged.files.set(`manifests/${size}.json`, encodeManifest({ ...head, files: relisted }));
    const bad = await verify(app, forged);
    failsOn(bad, 'tile/1/000', /hash 200 is not the root of tile\/0\/200/);
    assert.ok(bad.problems.some((p) => p.index === 200 * TILE_WIDTH));
    failsOn(bad, 'tile/2/000.p/1', /hash 0 is not the root of tile\/1\/000/);
  } finally {
    await app.close();
    await db.dispose();
  }
});

test('another log of the same origin (a fork) or a smaller one (a rollback): writ log archive refuses', async () => {
  const [dbA, dbB] = [await createTestDatabase('sqlite'), await createTestDatabase('sqlite')];
  const [appA, appB] = [await openTestApp(dbA), await openTestApp(dbB)];
  try {
    await appendAndSequence(appA, 300, 'a');
    await appendAndSequence(appB, 600, 'b');
    const files = createMemoryArchive();
    await archive(appA, files);
    await assert.rejects(archive(appB, files), /the log no longer contains the archived checkpoint 300: it was signed with root \S+, the log's tiles now give \S+/);
    const ahead = createMemoryArchive();
    await archive(appB, ahead);
    await assert.rejects(archive(appA, ahead), /the archive holds checkpoint 600 but the log's published checkpoint is only 300: the log was rolled back or this is another log/);
  } finally {
    await Promise.all([appA.close(), appB.close()]);
    await Promise.all([dbA.dispose(), dbB.dispose()]);
  }
});

describe('a tampered archive (SQLite)', () => {
  let db: TestDatabase;
  let app: WritApp;
  let pristine: MemoryArchive;

  before(async () => {
    db = await createTestDatabase('sqlite');
    app = await openTestApp(db);
    await appendAndSequence(app, 600, 'one');
    pristine = createMemoryArchive();
    await archive(app, pristine);
    await appendAndSequence(app, 400, 'two');
    await archive(app, pristine);
    assert.equal((await verify(app, pristine)).ok, true);
  });

  after(async () => {
    await app.close();
    await db.dispose();
  });

  function flipByte(path: string, at = 40): MemoryArchive {
    const files = copyOf(pristine);
    const bytes = files.files.get(path);
    assert.ok(bytes !== undefined, `${path} is archived`);
    bytes[at] = (bytes[at] ?? 0) ^ 0x01;
    return files;
  }

  /** Replaces a file and, as a careful forger would, its hash and length in the newest manifest. */
  function forge(path: string, change: (bytes: Uint8Array) => Uint8Array): MemoryArchive {
    const files = copyOf(pristine);
    const changed = change(Uint8Array.from(files.files.get(path) ?? new Uint8Array()));
    files.files.set(path, changed);
    const head = parseManifest(files.files.get('manifests/1000.json') ?? new Uint8Array());
    const relisted = head.files.map((f) => (f.path === path ? { path, sha256: sha256Hex(changed), bytes: changed.length } : f));
    files.files.set('manifests/1000.json', encodeManifest({ ...head, files: relisted }));
    return files;
  }

  for (const path of ['tile/0/001', 'tile/entries/002', 'tile/1/000.p/3', 'checkpoints/1000', 'checkpoints/600', 'tile/0/002.p/88', 'manifests/600.json']) {
    test(`one byte changed in ${path}: named`, async () => {
      failsOn(await verify(app, flipByte(path)), path);
    });
  }

  test('one byte changed in the newest manifest: fails', async () => {
    const report = await verify(app, flipByte('manifests/1000.json', 100));
    assert.equal(report.ok, false);
    assert.ok(report.problems.length > 0);
  });

  test('a deleted file: named', async () => {
    const files = copyOf(pristine);
    files.files.delete('tile/entries/001');
    failsOn(await verify(app, files), 'tile/entries/001', /does not hold it/);
  });

  test('an unlisted file, a stranger and a symbolic link: each named', async () => {
    const files = copyOf(pristine);
    files.files.set('tile/0/004', new Uint8Array(8192));
    files.files.set('notes.txt', new Uint8Array(3));
    files.others.set('tile/0/005', 'symbolic link');
    const report = await verify(app, files);
    failsOn(report, 'tile/0/004', /no manifest lists it/);
    failsOn(report, 'notes.txt');
    failsOn(report, 'tile/0/005', /symbolic link/);
  });

  test('an entry changed with the manifest re-hashed: the leaf hash names the entry', async () => {
    const report = await verify(app, forge('tile/entries/001', (bytes) => {
      bytes[10] = (bytes[10] ?? 0) ^ 0x01;
      return bytes;
    }));
    failsOn(report, 'tile/entries/001', /entry 256 does not hash to its leaf hash/);
    assert.ok(report.problems.some((p) => p.index === 256));
  });

  test('a level-0 tile changed with the manifest re-hashed: its parent and the roots disagree', async () => {
    const report = await verify(app, forge('tile/0/000', (bytes) => {
      bytes[0] = (bytes[0] ?? 0) ^ 0x01;
      return bytes;
    }));
    failsOn(report, 'tile/entries/000', /entry 0 does not hash/);
    failsOn(report, 'tile/1/000.p/3', /hash 0 is not the root of tile\/0\/000/);
  });

  test('an earlier manifest replaced: the chain link of the next names it', async () => {
    const files = copyOf(pristine);
    const old = parseManifest(files.files.get('manifests/600.json') ?? new Uint8Array());
    files.files.set('manifests/600.json', encodeManifest({ ...old, tool: 'forged' }));
    failsOn(await verify(app, files), 'manifests/1000.json', /the manifest before it/);
  });

  test('a manifest naming a path outside the archive: refused as unreadable', async () => {
    const files = copyOf(pristine);
    const text = Buffer.from(files.files.get('manifests/1000.json') ?? new Uint8Array()).toString('utf8').replace('"path":"tile/0/000"', '"path":"../../etc/passwd"');
    files.files.set('manifests/1000.json', Buffer.from(text, 'utf8'));
    failsOn(await verify(app, files), 'manifests/1000.json', /the manifest is unreadable: files\.\d+\.path is not a file name an archive holds/);
  });

  test('an oversized tile listed as such: not read past its limit', async () => {
    const report = await verify(app, forge('tile/0/001', () => new Uint8Array(1 << 20)));
    failsOn(report, 'tile/0/001', /has 1048576 bytes, more than (the )?8192/);
  });

  test('a bundle deleted and claimed removed: a wrong range fails; a well-formed one is reported, and the chain names the drop', async () => {
    const claim = (from: number): MemoryArchive => {
      const files = copyOf(pristine);
      files.files.delete('tile/entries/001');
      const head = parseManifest(files.files.get('manifests/1000.json') ?? new Uint8Array());
      const relisted = head.files.filter((f) => f.path !== 'tile/entries/001');
      const removed = [{ bundle: 'tile/entries/001', from, to: from + 256, ranges: [[from, from + 256]] as [number, number][] }];
      files.files.set('manifests/1000.json', encodeManifest({ ...head, files: relisted, removed }));
      return files;
    };
    failsOn(await verify(app, claim(0)), 'manifests/1000.json', /as removed, which is not an entry bundle/);
    const claimed = await verify(app, claim(256));
    assert.equal(claimed.entriesRemoved, 256);
    assert.match(claimed.warnings.join('\n'), /1 entry bundle\(s\) are not archived/);
    failsOn(claimed, 'manifests/1000.json', /drops tile\/entries\/001, which manifests\/600.json lists/);
  });

  test('another key: every checkpoint fails its signature', async () => {
    const other = createVerifier(generateSignerKey(ORIGIN).verifierKey);
    const report = await verifyArchive(pristine, { kind: 'keys', verifiers: [other] });
    failsOn(report, 'checkpoints/1000', /not validly signed/);
  });

  test('no key given: the archive\'s own key is used, with a warning', async () => {
    const report = await verifyArchive(pristine, { kind: 'archive' });
    assert.equal(report.ok, true);
    assert.match(report.warnings.join('\n'), /no --vkey given/);
  });

  test('an archived file that disagrees with the log: writ log archive refuses, naming both hashes', async () => {
    const files = flipByte('tile/entries/002');
    await appendAndSequence(app, 10, 'three');
    await assert.rejects(archive(app, files), (error: unknown) => {
      assert.ok(isAppError(error, 'ledger_inconsistent'));
      assert.match(error.message, /the archive and the log disagree on tile\/entries\/002: the archive's file has SHA-256 [0-9a-f]{64} .* the log gives SHA-256 [0-9a-f]{64}/);
      return true;
    });
  });

  test('entries re-hash to the archived level-0 tiles (independent check)', () => {
    const bundle = pristine.files.get('tile/entries/000') ?? new Uint8Array();
    const tile = pristine.files.get(tilePath({ level: 0, index: 0, width: TILE_WIDTH })) ?? new Uint8Array();
    const length = ((bundle[0] ?? 0) << 8) | (bundle[1] ?? 0);
    assert.ok(hashesEqual(leafHash(bundle.subarray(2, 2 + length)), tile.subarray(0, 32)));
  });
});
