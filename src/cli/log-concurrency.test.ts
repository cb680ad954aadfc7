// Two Writ processes appending to one store at once (PostgreSQL, then SQLite) still make one consistent, verifiable log.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { setTimeout as delay } from 'node:timers/promises';
import BetterSqlite3 from 'better-sqlite3';
import pg from 'pg';
import { parseCheckpoint } from '../ledger/checkpoint.ts';
import { emptyRoot, hashesEqual, leafHash } from '../ledger/hash.ts';
import { createVerifier, generateSignerKey, openNote } from '../ledger/signed-note.ts';
import { appendLeaves } from '../ledger/tiles.ts';
import { createTestDatabase, type TestDatabase } from '../storage/testing/test-databases.ts';
import { eventLines } from './testing/events.ts';
import { parseJsonLines, runWrit, verifyJson } from './testing/run-writ.ts';

const PER_PROCESS = 4500;
const PIECE = 50;
const PACE_MS = 20;

interface Snapshot {
  entries: { idx: number; eventId: string; entry: Buffer }[];
  pending: number;
  checkpoints: { size: number; rootHash: Buffer; note: string }[];
  tiles: Map<string, Buffer>;
  verifierKey: string | undefined;
}

interface EntryRow {
  idx: number | string;
  event_id: string;
  entry: Buffer;
}

interface CheckpointRow {
  size: number | string;
  root_hash: Buffer;
  note: string;
}

interface TileRow {
  level: number;
  tile_index: number | string;
  hashes: Buffer;
}

const queries = {
  entries: 'select idx, event_id, entry from log_entries order by idx',
  pending: 'select count(*) as n from log_pending',
  checkpoints: 'select size, root_hash, note from log_checkpoints order by size',
  tiles: 'select level, tile_index, hashes from log_tiles',
  key: "select value from writ_meta where key = 'ledger.verifier_key'",
};

function toSnapshot(rows: { entries: EntryRow[]; pending: number | string; checkpoints: CheckpointRow[]; tiles: TileRow[]; key: string | undefined }): Snapshot {
  return {
    entries: rows.entries.map((r) => ({ idx: Number(r.idx), eventId: r.event_id, entry: r.entry })),
    pending: Number(rows.pending),
    checkpoints: rows.checkpoints.map((r) => ({ size: Number(r.size), rootHash: r.root_hash, note: r.note })),
    tiles: new Map(rows.tiles.map((r) => [`${r.level}/${Number(r.tile_index)}`, r.hashes])),
    verifierKey: rows.key,
  };
}

async function snapshotPostgres(url: string): Promise<Snapshot> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    const all = async <Row extends pg.QueryResultRow>(text: string): Promise<Row[]> => (await client.query<Row>(text)).rows;
    return toSnapshot({
      entries: await all<EntryRow>(queries.entries),
      pending: (await all<{ n: string }>(queries.pending))[0]?.n ?? 0,
      checkpoints: await all<CheckpointRow>(queries.checkpoints),
      tiles: await all<TileRow>(queries.tiles),
      key: (await all<{ value: string }>(queries.key))[0]?.value,
    });
  } finally {
    await client.end();
  }
}

function snapshotSqlite(dataDir: string): Snapshot {
  const db = new BetterSqlite3(join(dataDir, 'writ.db'), { readonly: true, fileMustExist: true });
  try {
    return toSnapshot({
      entries: db.prepare(queries.entries).all() as EntryRow[],
      pending: (db.prepare(queries.pending).get() as { n: number }).n,
      checkpoints: db.prepare(queries.checkpoints).all() as CheckpointRow[],
      tiles: db.prepare(queries.tiles).all() as TileRow[],
      key: (db.prepare(queries.key).get() as { value: string } | undefined)?.value,
    });
  } finally {
    db.close();
  }
}

/** A process's events: the first line at once, the rest in small paced pieces once both processes have acknowledged their first. */
async function* pacedEvents(tag: string, bothStarted: Promise<unknown>): AsyncGenerator<string> {
  yield eventLines(tag, 1);
  await bothStarted;
  for (let first = 1; first < PER_PROCESS; first += PIECE) {
    yield eventLines(tag, Math.min(PIECE, PER_PROCESS - first), first);
    await delay(PACE_MS);
  }
}

/** Runs two `writ log append` processes whose appends overlap in time; returns every acknowledged id. */
async function appendFromTwoProcesses(argsA: readonly string[], argsB: readonly string[], env: Record<string, string>): Promise<string[]> {
  const started: (() => void)[] = [];
  const bothStarted = Promise.all([0, 1].map(() => new Promise<void>((resolve) => started.push(resolve))));
  const runs = await Promise.all(
    [argsA, argsB].map((args, i) =>
      runWrit([...args, 'log', 'append'], {
        env,
        stdin: pacedEvents(`proc-${i === 0 ? 'a' : 'b'}`, bothStarted),
        onStdout: () => started[i]?.(),
      }).finally(() => started[i]?.()), // a process that dies before its first ack must not leave the other waiting
    ),
  );
  const ids: string[] = [];
  for (const [i, run] of runs.entries()) {
    assert.equal(run.code, 0, `process ${i}: ${run.stderr}`);
    const acks = parseJsonLines(run.stdout) as { line: number; ok: boolean; id?: string }[];
    assert.equal(acks.length, PER_PROCESS, `process ${i}: one acknowledgement per line`);
    acks.forEach((ack, n) => {
      assert.equal(ack.line, n + 1);
      assert.equal(ack.ok, true, JSON.stringify(ack));
      assert.ok(typeof ack.id === 'string');
      ids.push(ack.id);
    });
  }
  assert.equal(new Set(ids).size, ids.length, 'the two processes acknowledged distinct ids');
  return ids;
}

/** One log: every acknowledged id exactly once at indices 0..n-1, every checkpoint signed and reproduced by the entries. */
function checkOneLog(snap: Snapshot, acked: readonly string[], verifierKey: string): number {
  assert.equal(snap.pending, 0, 'entries left pending');
  assert.equal(snap.entries.length, acked.length);
  snap.entries.forEach((e, i) => {
    assert.equal(e.idx, i, `index ${i} is missing or duplicated`);
  });
  const stored = snap.entries.map((e) => e.eventId);
  assert.equal(new Set(stored).size, stored.length, 'an event id is stored twice');
  assert.deepEqual([...stored].sort(), [...acked].sort(), 'the stored ids are exactly the acknowledged ones');
  for (const e of snap.entries) assert.ok(e.entry.includes(`"id":"${e.eventId}"`), `entry ${e.idx} holds its own id`);
  assert.equal(snap.verifierKey, verifierKey);

  // Re-derive every checkpoint's root from the entries alone: a fork would leave some checkpoint unreproduced.
  const verifier = createVerifier(verifierKey);
  const tiles = new Map<string, Uint8Array>();
  const source = { tile: (level: number, index: number) => tiles.get(`${level}/${index}`) };
  const leaves = snap.entries.map((e) => leafHash(e.entry));
  let size = 0;
  assert.ok(snap.checkpoints.length >= 2);
  for (const cp of snap.checkpoints) {
    const body = parseCheckpoint(openNote(cp.note, [verifier]).text);
    assert.equal(body.size, cp.size);
    assert.ok(hashesEqual(body.rootHash, cp.rootHash), `checkpoint ${cp.size}: stored root differs from the signed one`);
    if (cp.size === 0) {
      assert.ok(hashesEqual(cp.rootHash, emptyRoot()));
      continue;
    }
    const grown = appendLeaves(size, source, leaves.slice(size, cp.size));
    for (const t of grown.tiles) tiles.set(`${t.level}/${t.index}`, t.hashes);
    size = grown.newSize;
    assert.ok(hashesEqual(grown.root, cp.rootHash), `checkpoint ${cp.size} is not reproduced by the entries`);
  }
  assert.equal(size, snap.entries.length, 'the last checkpoint covers every entry');
  assert.deepEqual(new Map([...tiles].map(([k, v]) => [k, Buffer.from(v)])), snap.tiles, 'the stored tiles are the tree of the entries');
  // How often the log switches between the two processes' events: above 1, their appends really overlapped.
  const writers = snap.entries.map((e) => (e.entry.includes('"tag":"proc-a"') ? 'a' : 'b'));
  return writers.filter((w, i) => i > 0 && w !== writers[i - 1]).length;
}

async function usingDatabase(backend: 'sqlite' | 'postgres', work: (db: TestDatabase) => Promise<void>): Promise<void> {
  const db = await createTestDatabase(backend);
  try {
    await work(db);
  } finally {
    await db.dispose();
  }
}

test('PostgreSQL: two processes appending at once make one consistent log', { timeout: 120_000 }, async (t) => {
  await usingDatabase('postgres', async (db) => {
    const { signerKey, verifierKey } = generateSignerKey('writ.test/concurrency');
    const pgUrl = db.pgUrl;
    assert.ok(pgUrl !== undefined);
    // Separate data directories: with PostgreSQL they hold nothing shared; the key comes from WRIT_LOG_KEY.
    const env = { WRIT_LOG_KEY: signerKey };
    const acked = await appendFromTwoProcesses(['--pg', pgUrl, '--data', join(db.dataDir, 'a')], ['--pg', pgUrl, '--data', join(db.dataDir, 'b')], env);
    const switches = checkOneLog(await snapshotPostgres(pgUrl), acked, verifierKey);
    t.diagnostic(`the log switches ${switches} times between the two processes' events`);
    assert.ok(switches > 2, 'the two processes appended at the same time');
    const verified = await verifyJson(['--pg', pgUrl, '--data', join(db.dataDir, 'a')], env);
    assert.equal(verified.code, 0, `${verified.stderr} ${JSON.stringify(verified.report.problems)}`);
    assert.equal(verified.report.treeSize, acked.length);
    assert.equal(verified.report.entriesChecked, acked.length);
  });
});

test('SQLite: two processes appending at once to one data directory make one consistent log', { timeout: 120_000 }, async (t) => {
  await usingDatabase('sqlite', async (db) => {
    // No WRIT_LOG_KEY: both processes start on an empty directory and must settle on one generated key.
    const args = ['--data', db.dataDir];
    const acked = await appendFromTwoProcesses(args, args, {});
    const keys = await runWrit([...args, 'keys', 'show']);
    assert.equal(keys.code, 0, keys.stderr);
    const switches = checkOneLog(snapshotSqlite(db.dataDir), acked, keys.stdout.trim());
    t.diagnostic(`the log switches ${switches} times between the two processes' events`);
    assert.ok(switches > 2, 'the two processes appended at the same time');
    const verified = await verifyJson(args);
    assert.equal(verified.code, 0, `${verified.stderr} ${JSON.stringify(verified.report.problems)}`);
    assert.equal(verified.report.treeSize, acked.length);
    assert.doesNotMatch(verified.stderr, /warning/);
  });
});
