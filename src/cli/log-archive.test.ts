// `writ log archive` and `writ verify --archive` as a user runs them: read-only files, re-runs that only add, links and disagreements refused.
import { execFileSync } from 'node:child_process';
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { chmodSync, cpSync, existsSync, mkdtempSync, readFileSync, readdirSync, rmSync, statSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createTestDatabase, type TestDatabase } from '../storage/testing/test-databases.ts';
import { eventLines } from './testing/events.ts';
import { runWrit } from './testing/run-writ.ts';

let db: TestDatabase;
let scratch: string;
let vkey: string;

function filesUnder(root: string, relative = ''): string[] {
  return readdirSync(join(root, relative), { withFileTypes: true }).flatMap((d) => {
    const path = relative === '' ? d.name : `${relative}/${d.name}`;
    return d.isDirectory() ? filesUnder(root, path) : [path];
  });
}

async function append(count: number, tag: string): Promise<void> {
  const run = await runWrit(['--data', db.dataDir, 'log', 'append'], { stdin: eventLines(tag, count) });
  assert.equal(run.code, 0, run.stderr);
}

async function archive(dir: string): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return runWrit(['--data', db.dataDir, 'log', 'archive', '--out', dir]);
}

async function verify(dir: string, ...extra: string[]): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return runWrit(['verify', '--archive', dir, ...extra]);
}

/** A copy of the archive whose files can be changed (copies keep the 0444 mode, so it is lifted on the one to change). */
function copyArchive(from: string, name: string): string {
  const dir = join(scratch, name);
  cpSync(from, dir, { recursive: true });
  return dir;
}

describe('writ log archive and writ verify --archive (SQLite)', () => {
  const archiveDir = (): string => join(scratch, 'archive');

  before(async () => {
    db = await createTestDatabase('sqlite');
    scratch = mkdtempSync(join(tmpdir(), 'writ-archive-'));
    await append(300, 'one');
    const keys = await runWrit(['--data', db.dataDir, 'keys', 'show']);
    vkey = keys.stdout.trim();
    const first = await archive(archiveDir());
    assert.equal(first.code, 0, first.stderr);
    assert.match(first.stdout, /archived the log at tree size 300 .*: 6 files written/);
  });

  after(async () => {
    rmSync(scratch, { recursive: true, force: true });
    await db.dispose();
  });

  it('writes read-only files in the tlog-tiles layout, and the archive verifies with the key', async () => {
    const files = filesUnder(archiveDir()).sort();
    assert.deepEqual(files, ['checkpoints/300', 'manifests/300.json', 'tile/0/000', 'tile/0/001.p/44', 'tile/1/000.p/1', 'tile/entries/000', 'tile/entries/001.p/44']);
    for (const file of files) assert.equal(statSync(join(archiveDir(), file)).mode & 0o777, 0o444, `${file} is read-only`);
    const run = await verify(archiveDir(), '--vkey', vkey);
    assert.equal(run.code, 0, run.stderr);
    assert.match(run.stdout, /OK: the archive is whole/);
    assert.equal(run.stderr, '');
  });

  it('a re-run after more appends only adds files, and the grown archive verifies', async () => {
    const before = new Map(filesUnder(archiveDir()).map((f) => [f, readFileSync(join(archiveDir(), f))]));
    await append(300, 'two');
    const run = await archive(archiveDir());
    assert.equal(run.code, 0, run.stderr);
    for (const [file, bytes] of before) assert.ok(readFileSync(join(archiveDir(), file)).equals(bytes), `${file} is unchanged`);
    assert.ok(existsSync(join(archiveDir(), 'manifests/600.json')) && existsSync(join(archiveDir(), 'tile/entries/001')));
    const checked = await verify(archiveDir(), '--vkey', vkey, '--json');
    assert.equal(checked.code, 0, checked.stderr);
    const report = JSON.parse(checked.stdout) as { ok: boolean; treeSize: number; manifests: number; entriesChecked: number };
    assert.deepEqual([report.ok, report.treeSize, report.manifests, report.entriesChecked], [true, 600, 2, 600]);
    const again = await archive(archiveDir());
    assert.equal(again.code, 0, again.stderr);
    assert.match(again.stdout, /already holds checkpoint 600/);
  });

  it('without --vkey: verifies with the key the archive names, and warns loudly', async () => {
    const run = await verify(archiveDir());
    assert.equal(run.code, 0, run.stderr);
    assert.match(run.stderr, /WARNING: no --vkey given/);
  });

  it('with another key: fails', async () => {
    const other = await runWrit(['--data', join(scratch, 'other-key'), 'keys', 'show']);
    const run = await verify(archiveDir(), '--vkey', other.stdout.trim());
    assert.equal(run.code, 1);
    assert.match(run.stderr, /archive verification failed: .*not validly signed|not signed by a trusted key/);
  });

  it('one byte changed in a tile: fails, naming the tile', async () => {
    const dir = copyArchive(archiveDir(), 'flipped');
    const file = join(dir, 'tile/0/000');
    chmodSync(file, 0o644);
    const bytes = readFileSync(file);
    bytes[7] = (bytes[7] ?? 0) ^ 0x80;
    writeFileSync(file, bytes);
    const run = await verify(dir, '--vkey', vkey);
    assert.equal(run.code, 1);
    assert.match(run.stdout, /PROBLEM in tile\/0\/000: its contents differ from the manifest/);
  });

  it('a symbolic link in the archive: fails, naming it', async () => {
    const dir = copyArchive(archiveDir(), 'linked');
    rmSync(join(dir, 'tile/entries/000'));
    symlinkSync(join(archiveDir(), 'tile/entries/000'), join(dir, 'tile/entries/000'));
    const run = await verify(dir, '--vkey', vkey);
    assert.equal(run.code, 1);
    assert.match(run.stdout, /PROBLEM in tile\/entries\/000: it is a symbolic link/);
  });

  it('a named pipe in place of an entry bundle: named, and the reader does not hang on it', async () => {
    const dir = copyArchive(archiveDir(), 'fifo');
    rmSync(join(dir, 'tile/entries/000'));
    execFileSync('mkfifo', [join(dir, 'tile/entries/000')]);
    const run = await verify(dir, '--vkey', vkey);
    assert.equal(run.code, 1);
    assert.match(run.stdout, /PROBLEM in tile\/entries\/000: it is a named pipe/);
  });

  it('an archived file that disagrees with the log: writ log archive refuses and says both hashes', async () => {
    const dir = copyArchive(archiveDir(), 'disagree');
    const file = join(dir, 'tile/entries/000');
    chmodSync(file, 0o644);
    const bytes = readFileSync(file);
    bytes[20] = (bytes[20] ?? 0) ^ 0x01;
    writeFileSync(file, bytes);
    await append(10, 'three');
    const run = await archive(dir);
    assert.equal(run.code, 1);
    assert.match(run.stderr, /the archive and the log disagree on tile\/entries\/000: the archive's file has SHA-256 [0-9a-f]{64} \(\d+ bytes\), the log gives SHA-256 [0-9a-f]{64}/);
    assert.ok(readFileSync(file).equals(bytes), 'the differing file is left as it was');
  });

  it('a temporary file of an interrupted run: removed by the next run', async () => {
    const dir = copyArchive(archiveDir(), 'leftover');
    writeFileSync(join(dir, 'tile/0/000.writ-tmp-1-abcdefabcdef'), 'partial');
    const run = await archive(dir);
    assert.equal(run.code, 0, run.stderr);
    assert.match(run.stdout, /removed tile\/0\/000\.writ-tmp-1-abcdefabcdef, a temporary file of an interrupted run/);
    assert.ok(!existsSync(join(dir, 'tile/0/000.writ-tmp-1-abcdefabcdef')));
    assert.equal((await verify(dir, '--vkey', vkey)).code, 0);
  });

  it('a directory holding something else: refused', async () => {
    const dir = join(scratch, 'not-an-archive');
    cpSync(archiveDir(), dir, { recursive: true });
    writeFileSync(join(dir, 'notes.txt'), 'mine');
    const run = await archive(dir);
    assert.equal(run.code, 64);
    assert.match(run.stderr, /holds "notes.txt", which is not an archive file/);
  });

  it('a missing archive directory: exit 66', async () => {
    const run = await verify(join(scratch, 'nowhere'), '--vkey', vkey);
    assert.equal(run.code, 66);
    assert.match(run.stderr, /there is no archive directory/);
  });
});
