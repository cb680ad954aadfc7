// Crash safety on SQLite: an appender killed with SIGKILL at random moments never loses or duplicates an acknowledged event.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { randomInt } from 'node:crypto';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import BetterSqlite3 from 'better-sqlite3';
import { createTestDatabase } from '../storage/testing/test-databases.ts';
import { repoRoot, runWrit, verifyJson, writEnv } from './testing/run-writ.ts';

const KILLS = 20;
const appender = fileURLToPath(new URL('./testing/append-forever.ts', import.meta.url));

/** A small deterministic generator, so a failing run can be replayed with CRASH_TEST_SEED. */
function mulberry32(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** Starts the appender, kills it with SIGKILL `delayMs` after its first acknowledgement, and returns the acknowledged ids. */
function appendUntilKilled(dataDir: string, tag: string, delayMs: number): Promise<{ acked: string[]; signal: NodeJS.Signals | null; stderr: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ['--import', 'tsx', appender, tag], {
      cwd: repoRoot,
      env: writEnv({ WRIT_DATA: dataDir }),
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let out = '';
    let err = '';
    let timer: NodeJS.Timeout | undefined;
    child.stdout.setEncoding('utf8');
    child.stdout.on('data', (chunk: string) => {
      out += chunk;
      timer ??= setTimeout(() => child.kill('SIGKILL'), delayMs);
    });
    child.stderr.on('data', (chunk: Buffer) => (err += chunk.toString('utf8')));
    child.on('error', reject);
    child.on('close', (_code, signal) => {
      clearTimeout(timer);
      // Only whole lines are acknowledgements; a line cut by the kill is not one.
      const acked = out.split('\n').slice(0, -1);
      resolve({ acked, signal, stderr: err });
    });
  });
}

interface StoreState {
  entries: { idx: number; event_id: string }[];
  pending: string[];
  lastCheckpoint: number | undefined;
}

function readState(dataDir: string): StoreState {
  // Read-only, so the crashed database's WAL is left for Writ itself to recover at the next start.
  const db = new BetterSqlite3(join(dataDir, 'writ.db'), { readonly: true, fileMustExist: true });
  try {
    return db.transaction(() => ({
      entries: db.prepare('select idx, event_id from log_entries order by idx').all() as { idx: number; event_id: string }[],
      pending: (db.prepare('select event_id from log_pending order by seq').all() as { event_id: string }[]).map((r) => r.event_id),
      lastCheckpoint: (db.prepare('select max(size) as size from log_checkpoints').get() as { size: number | null }).size ?? undefined,
    }))();
  } finally {
    db.close();
  }
}

/** Every acknowledged id is stored exactly once, no id is stored twice, indices are 0..n-1 and the last checkpoint covers them. */
function checkState(state: StoreState, acked: ReadonlySet<string>, where: string): void {
  const seen = new Map<string, number>();
  for (const id of [...state.entries.map((e) => e.event_id), ...state.pending]) seen.set(id, (seen.get(id) ?? 0) + 1);
  const twice = [...seen].filter(([, n]) => n > 1).map(([id]) => id);
  assert.deepEqual(twice, [], `${where}: ids stored more than once`);
  const lost = [...acked].filter((id) => !seen.has(id));
  assert.deepEqual(lost, [], `${where}: acknowledged ids lost`);
  state.entries.forEach((e, i) => {
    assert.equal(e.idx, i, `${where}: indices are not contiguous at ${i}`);
  });
  assert.equal(state.lastCheckpoint ?? 0, state.entries.length, `${where}: the last checkpoint does not cover exactly the sequenced entries`);
}

test('appends survive SIGKILL at random moments: nothing acknowledged is lost or duplicated, the log verifies', async (t) => {
  const seed = Number(process.env.CRASH_TEST_SEED ?? randomInt(2 ** 31));
  t.diagnostic(`CRASH_TEST_SEED=${seed}`);
  const random = mulberry32(seed);
  const db = await createTestDatabase('sqlite');
  t.after(() => db.dispose());
  const acked = new Set<string>();
  let killedWhileAppending = 0;
  for (let round = 0; round < KILLS; round++) {
    const delayMs = 100 + Math.floor(random() * 500);
    const run = await appendUntilKilled(db.dataDir, `round${round}`, delayMs);
    assert.equal(run.signal, 'SIGKILL', `round ${round}: the appender ended by itself: ${run.stderr}`);
    assert.ok(run.acked.length > 0, `round ${round}: nothing was acknowledged`);
    for (const id of run.acked) {
      assert.ok(!acked.has(id), `round ${round}: id ${id} acknowledged twice`);
      acked.add(id);
    }
    const state = readState(db.dataDir);
    if (state.pending.length > 0) killedWhileAppending += 1;
    checkState(state, acked, `after kill ${round + 1} (delay ${delayMs} ms)`);
    if (round === Math.floor(KILLS / 2)) {
      // A spot check straight after a crash: the store as the kill left it verifies.
      const mid = await verifyJson(['--data', db.dataDir]);
      assert.equal(mid.code, 0, `${mid.stderr} ${JSON.stringify(mid.report.problems)}`);
    }
  }
  t.diagnostic(`${acked.size} events acknowledged over ${KILLS} kills; ${killedWhileAppending} kills left pending entries`);

  // An empty append drains the sequencer: everything pending is sequenced.
  const drain = await runWrit(['--data', db.dataDir, 'log', 'append'], { stdin: '' });
  assert.equal(drain.code, 0, drain.stderr);
  const final = readState(db.dataDir);
  checkState(final, acked, 'after the drain');
  assert.deepEqual(final.pending, [], 'the drain left entries pending');
  assert.ok(final.entries.length >= acked.size);

  const verified = await verifyJson(['--data', db.dataDir]);
  assert.equal(verified.code, 0, `${verified.stderr} ${JSON.stringify(verified.report.problems)}`);
  assert.equal(verified.report.ok, true);
  assert.equal(verified.report.treeSize, final.entries.length);
  assert.equal(verified.report.entriesChecked, final.entries.length);
  assert.equal(verified.report.pending, 0);
});
