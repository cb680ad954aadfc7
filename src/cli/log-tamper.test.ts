// `writ verify` against a SQLite store edited behind Writ's back: every kind of tampering is caught and located.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { cpSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import BetterSqlite3 from 'better-sqlite3';
import { leafHash } from '../ledger/hash.ts';
import { appendLeaves } from '../ledger/tiles.ts';
import { createTestDatabase, type TestDatabase } from '../storage/testing/test-databases.ts';
import { eventLines } from './testing/events.ts';
import { parseJsonLines, runWrit, verifyJson, type VerifyJson } from './testing/run-writ.ts';

type Db = BetterSqlite3.Database;

interface EntryRow {
  idx: number;
  event_id: string;
  event_time: string;
  event_type: string;
  actor_id: string;
  outcome: string;
  entry: Buffer;
}

interface TileRow {
  level: number;
  tile_index: number;
  hashes: Buffer;
}

const RUNS = 4;
const PER_RUN = 80;
const TOTAL = RUNS * PER_RUN;

let base: TestDatabase;
let scratch: string;
/** Sizes of the signed checkpoints of the pristine log, ascending. */
let checkpointSizes: number[] = [];

function openDb(dataDir: string): Db {
  return new BetterSqlite3(join(dataDir, 'writ.db'));
}

function entries(db: Db): EntryRow[] {
  return db.prepare('select idx, event_id, event_time, event_type, actor_id, outcome, entry from log_entries order by idx').all() as EntryRow[];
}

function entryAt(db: Db, idx: number): EntryRow {
  const row = db.prepare('select idx, event_id, event_time, event_type, actor_id, outcome, entry from log_entries where idx = ?').get(idx) as EntryRow | undefined;
  assert.ok(row, `entry ${idx} exists`);
  return row;
}

/** The same entry with its outcome flipped: same length, still valid JSON, its id untouched. */
function alteredEntry(entry: Buffer): Buffer {
  const text = entry.toString('utf8');
  assert.ok(text.includes('"outcome":"success"'));
  return Buffer.from(text.replace('"outcome":"success"', '"outcome":"failure"'), 'utf8');
}

/** A fresh UUIDv7-looking id that is in no row. */
function forgedId(n: number): string {
  return `01900000-0000-7000-8000-${n.toString(16).padStart(12, '0')}`;
}

/** Every tile of the tree over `leaves`, as Writ would have stored them for that tree. */
function rebuildTiles(leaves: Buffer[]): Map<string, Buffer> {
  const grown = appendLeaves(0, { tile: () => undefined }, leaves.map((e) => leafHash(e)));
  return new Map(grown.tiles.map((t) => [`${t.level}/${t.index}`, Buffer.from(t.hashes)]));
}

function storedTiles(db: Db): Map<string, Buffer> {
  const rows = db.prepare('select level, tile_index, hashes from log_tiles').all() as TileRow[];
  return new Map(rows.map((r) => [`${r.level}/${r.tile_index}`, r.hashes]));
}

/** A checkpoint size that is neither the first nor the last one, with room for an index strictly inside its range. */
function innerRange(): { from: number; to: number } {
  for (let i = 1; i < checkpointSizes.length; i++) {
    const from = checkpointSizes[i - 1] ?? 0;
    const to = checkpointSizes[i] ?? 0;
    if (from > 0 && to - from >= 3 && to < TOTAL) return { from, to };
  }
  throw new Error(`no inner checkpoint range with room in ${checkpointSizes.join(',')}`);
}

/** Copies the pristine store, lets `tamper` edit it with Writ stopped, and runs `writ verify --json` on the copy. */
async function verifyTampered(name: string, tamper: (db: Db) => void): Promise<{ code: number | null; report: VerifyJson; stderr: string }> {
  const dir = join(scratch, name);
  cpSync(base.dataDir, dir, { recursive: true });
  const db = openDb(dir);
  try {
    db.transaction(() => {
      tamper(db);
    })();
  } finally {
    db.close();
  }
  return verifyJson(['--data', dir]);
}

function assertFailedAt(result: { code: number | null; report: VerifyJson; stderr: string }, index: number): void {
  assert.equal(result.code, 1, `verify must fail; stderr: ${result.stderr}`);
  assert.equal(result.report.ok, false);
  assert.equal(result.report.firstBadIndex, index, `problems: ${JSON.stringify(result.report.problems)}`);
  assert.match(result.stderr, new RegExp(`verification failed \\(first bad index ${index}\\): `));
}

describe('writ verify over a tampered SQLite log', { concurrency: 2 }, () => {
  before(async () => {
    base = await createTestDatabase('sqlite');
    scratch = mkdtempSync(join(tmpdir(), 'writ-tamper-'));
    for (let run = 0; run < RUNS; run++) {
      const result = await runWrit(['--data', base.dataDir, 'log', 'append'], { stdin: eventLines(`run${run}`, PER_RUN) });
      assert.equal(result.code, 0, result.stderr);
      const acks = parseJsonLines(result.stdout);
      assert.equal(acks.length, PER_RUN);
    }
    const db = openDb(base.dataDir);
    try {
      checkpointSizes = (db.prepare('select size from log_checkpoints order by size').all() as { size: number }[]).map((r) => r.size);
      assert.equal((db.prepare('select count(*) as n from log_entries').get() as { n: number }).n, TOTAL);
    } finally {
      db.close();
    }
    // Several separate runs, so several signed checkpoints before the last.
    assert.ok(checkpointSizes.length >= RUNS + 1, `checkpoints: ${checkpointSizes.join(',')}`);
    assert.equal(checkpointSizes[checkpointSizes.length - 1], TOTAL);
  });

  after(async () => {
    rmSync(scratch, { recursive: true, force: true });
    await base.dispose();
  });

  it('the untouched copy verifies', async () => {
    const result = await verifyTampered('untouched', () => undefined);
    assert.equal(result.code, 0, result.stderr);
    assert.equal(result.report.ok, true);
    assert.equal(result.report.treeSize, TOTAL);
    assert.equal(result.report.entriesChecked, TOTAL);
    assert.equal(result.report.checkpointsChecked, checkpointSizes.length);
    assert.deepEqual(result.report.problems, []);
    assert.equal(result.report.firstBadIndex, undefined);
  });

  it("(a) one entry's bytes edited", async () => {
    const { from, to } = innerRange();
    const k = from + Math.floor((to - from) / 2);
    const result = await verifyTampered('edit-entry', (db) => {
      db.prepare('update log_entries set entry = ? where idx = ?').run(alteredEntry(entryAt(db, k).entry), k);
    });
    assertFailedAt(result, k);
  });

  it('(b) a row deleted', async () => {
    const k = innerRange().from + 1;
    const result = await verifyTampered('delete-row', (db) => {
      assert.equal(db.prepare('delete from log_entries where idx = ?').run(k).changes, 1);
    });
    assertFailedAt(result, k);
  });

  it("(c) two rows' entry bytes and event ids swapped", async () => {
    const { from, to } = innerRange();
    const k1 = from + 1;
    const k2 = to + 5 < TOTAL ? to + 5 : to - 1;
    const result = await verifyTampered('swap-rows', (db) => {
      const [a, b] = [entryAt(db, k1), entryAt(db, k2)];
      const move = db.prepare('update log_entries set event_id = ?, event_time = ?, event_type = ?, actor_id = ?, outcome = ?, entry = ? where idx = ?');
      db.prepare('update log_entries set event_id = ? where idx = ?').run('swapping', k1);
      move.run(a.event_id, a.event_time, a.event_type, a.actor_id, a.outcome, a.entry, k2);
      move.run(b.event_id, b.event_time, b.event_type, b.actor_id, b.outcome, b.entry, k1);
    });
    assertFailedAt(result, k1);
  });

  it('(d) a forged row inserted at idx = size', async () => {
    const result = await verifyTampered('forge-tail', (db) => {
      const last = entryAt(db, TOTAL - 1);
      const id = forgedId(1);
      const forged = Buffer.from(last.entry.toString('utf8').replace(last.event_id, id), 'utf8');
      db.prepare('insert into log_entries (idx, event_id, event_time, event_type, actor_id, outcome, entry) values (?, ?, ?, ?, ?, ?, ?)').run(
        TOTAL, id, last.event_time, last.event_type, last.actor_id, last.outcome, forged,
      );
    });
    assertFailedAt(result, TOTAL);
  });

  it("(d) a duplicate of an existing row's bytes at idx = size", async () => {
    const result = await verifyTampered('duplicate-tail', (db) => {
      const copy = entryAt(db, 17);
      db.prepare('insert into log_entries (idx, event_id, event_time, event_type, actor_id, outcome, entry) values (?, ?, ?, ?, ?, ?, ?)').run(
        TOTAL, forgedId(2), copy.event_time, copy.event_type, copy.actor_id, copy.outcome, copy.entry,
      );
    });
    assertFailedAt(result, TOTAL);
  });

  it("(d) a duplicate of an existing row's bytes inserted mid-log, later rows renumbered", async () => {
    const k = innerRange().from + 2;
    const result = await verifyTampered('duplicate-middle', (db) => {
      const copy = entryAt(db, 3);
      db.prepare('update log_entries set idx = -idx - 2 where idx >= ?').run(k);
      db.prepare('update log_entries set idx = -idx - 1 where idx < 0').run();
      db.prepare('insert into log_entries (idx, event_id, event_time, event_type, actor_id, outcome, entry) values (?, ?, ?, ?, ?, ?, ?)').run(
        k, forgedId(3), copy.event_time, copy.event_type, copy.actor_id, copy.outcome, copy.entry,
      );
      assert.equal((db.prepare('select max(idx) as m from log_entries').get() as { m: number }).m, TOTAL);
    });
    assertFailedAt(result, k);
  });

  it('(e) an entry altered and the whole tree rebuilt consistently over it: the signed checkpoints catch it', async () => {
    const { from, to } = innerRange();
    const k = from + Math.floor((to - from) / 2);
    const result = await verifyTampered('rebuilt-tree', (db) => {
      // The rebuild reproduces Writ's own tiles exactly over the pristine entries, so only the edit differs.
      const pristine = rebuildTiles(entries(db).map((r) => r.entry));
      assert.deepEqual(pristine, storedTiles(db));
      db.prepare('update log_entries set entry = ? where idx = ?').run(alteredEntry(entryAt(db, k).entry), k);
      const rebuilt = rebuildTiles(entries(db).map((r) => r.entry));
      assert.equal(rebuilt.size, pristine.size);
      db.prepare('delete from log_tiles').run();
      const insert = db.prepare('insert into log_tiles (level, tile_index, hashes) values (?, ?, ?)');
      for (const [key, hashes] of rebuilt) {
        const [level, index] = key.split('/').map(Number);
        insert.run(level, index, hashes);
      }
    });
    assert.equal(result.code, 1, result.stderr);
    const reported = result.report.firstBadIndex;
    assert.ok(reported !== undefined, JSON.stringify(result.report));
    // The reported index opens the checkpoint range that contains k: k lies within it.
    const rangeEnd = checkpointSizes.find((size) => size > reported) ?? TOTAL;
    assert.ok(reported <= k && k < rangeEnd, `k=${k} not in [${reported}, ${rangeEnd}) ${JSON.stringify(result.report.problems)}`);
    assert.ok(result.report.problems.some((p) => p.message.includes('signed root')), JSON.stringify(result.report.problems));
    assert.match(result.stderr, /verification failed \(first bad index \d+\): /);
  });

  it('(g) a tile or an entry stored as text rather than bytes: reported, not a crash', async () => {
    const tile = await verifyTampered('tile-as-text', (db) => {
      assert.equal(db.prepare("update log_tiles set hashes = cast(hashes as text) where level = 0 and tile_index = 0").run().changes, 1);
    });
    assertFailedAt(tile, 0);
    assert.ok(tile.report.problems.some((p) => p.message.includes('tile 0/0 is stored as text')), JSON.stringify(tile.report.problems));
    const k = innerRange().from + 1;
    const entry = await verifyTampered('entry-as-text', (db) => {
      assert.equal(db.prepare('update log_entries set entry = cast(entry as text) where idx = ?').run(k).changes, 1);
    });
    assertFailedAt(entry, k);
    assert.ok(entry.report.problems.some((p) => p.message.includes(`entry ${k} is stored as text`)), JSON.stringify(entry.report.problems));
  });

  it('(f) a checkpoint note edited: its signature fails', async () => {
    const { to } = innerRange();
    const result = await verifyTampered('edit-checkpoint', (db) => {
      const row = db.prepare('select note from log_checkpoints where size = ?').get(to) as { note: string } | undefined;
      assert.ok(row);
      const lines = row.note.split('\n');
      // Line 2 of the note is the size: claim one entry fewer, a change the signature must reveal.
      assert.equal(lines[1], String(to));
      lines[1] = String(to - 1);
      db.prepare('update log_checkpoints set note = ? where size = ?').run(lines.join('\n'), to);
    });
    assert.equal(result.code, 1, result.stderr);
    assert.equal(result.report.ok, false);
    assert.ok(
      result.report.problems.some((p) => p.message.includes(`checkpoint of size ${to} is not validly signed`)),
      JSON.stringify(result.report.problems),
    );
    assert.equal(result.report.checkpointsChecked, checkpointSizes.length - 1);
    assert.match(result.stderr, /verification failed/);
  });
});
