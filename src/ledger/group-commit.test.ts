import assert from 'node:assert/strict';
import { test } from 'node:test';
import { AppError, isAppError } from '../shared/app-error.ts';
import { createGroupCommitAppender } from './group-commit.ts';
import { leafHash } from './hash.ts';
import type { LedgerStore, PendingEntry } from './ledger-store.ts';

function entry(id: string): PendingEntry {
  const bytes = new TextEncoder().encode(id);
  return { eventId: id, time: '2026-01-01T00:00:00.000Z', type: 'app.t.done', actorId: 'a', outcome: 'success', entry: bytes, leafHash: leafHash(bytes), personal: undefined };
}

/** A store that records each transaction's event ids and refuses any transaction holding a "bad" id. */
function recordingStore(): { store: LedgerStore; transactions: string[][] } {
  const transactions: string[][] = [];
  const store = {
    appendPending(entries: readonly PendingEntry[]) {
      const ids = entries.map((e) => e.eventId);
      if (ids.some((id) => id.startsWith('bad'))) return Promise.reject(new AppError('conflict', 'duplicate'));
      transactions.push(ids);
      return Promise.resolve();
    },
  } as unknown as LedgerStore;
  return { store, transactions };
}

test('concurrent appends share transactions, in order, within the batch limit', async () => {
  const { store, transactions } = recordingStore();
  const appender = createGroupCommitAppender(store, { maxBatch: 40 });
  const ids = Array.from({ length: 100 }, (_, i) => `e${i}`);
  await Promise.all(ids.map((id) => appender.append([entry(id)])));
  assert.deepEqual(transactions.flat(), ids);
  assert.ok(transactions.length <= 4, `${transactions.length} transactions`);
  assert.ok(transactions.every((t) => t.length <= 40));
});

test('one failing append fails only its own caller; the others in its group are committed', async () => {
  const { store, transactions } = recordingStore();
  const appender = createGroupCommitAppender(store, { maxBatch: 100 });
  const results = await Promise.allSettled(['a', 'b', 'bad', 'c'].map((id) => appender.append([entry(id)])));
  assert.deepEqual(results.map((r) => r.status), ['fulfilled', 'fulfilled', 'rejected', 'fulfilled']);
  const failure = results[2];
  assert.ok(failure?.status === 'rejected' && isAppError(failure.reason, 'conflict'));
  assert.deepEqual(transactions.flat().sort(), ['a', 'b', 'c']);
});

test("a caller's entries are never split across transactions", async () => {
  const { store, transactions } = recordingStore();
  const appender = createGroupCommitAppender(store, { maxBatch: 3 });
  await Promise.all([appender.append([entry('x1'), entry('x2')]), appender.append([entry('y1'), entry('y2')])]);
  assert.deepEqual(transactions, [['x1', 'x2'], ['y1', 'y2']]);
});

test('with several transactions in flight, none exceeds the limit and every caller commits exactly once, whole', async () => {
  const transactions: string[][] = [];
  let open = 0;
  let mostOpen = 0;
  const store = {
    async appendPending(entries: readonly PendingEntry[]) {
      open += 1;
      mostOpen = Math.max(mostOpen, open);
      await new Promise((resolve) => setImmediate(resolve));
      open -= 1;
      if (entries.some((e) => e.eventId.startsWith('bad'))) throw new AppError('conflict', 'duplicate');
      transactions.push(entries.map((e) => e.eventId));
    },
  } as unknown as LedgerStore;
  const appender = createGroupCommitAppender(store, { maxBatch: 8, maxInFlight: 3 });
  const callers = Array.from({ length: 60 }, (_, i) => (i === 17 ? ['bad'] : [`c${i}a`, `c${i}b`]));
  const results = await Promise.allSettled(callers.map((ids) => appender.append(ids.map(entry))));
  assert.ok(mostOpen > 1 && mostOpen <= 3, `${mostOpen} transactions were open at once`);
  assert.deepEqual(results.map((r) => r.status), callers.map((ids) => (ids[0] === 'bad' ? 'rejected' : 'fulfilled')));
  const committed = transactions.flat();
  assert.deepEqual([...committed].sort(), callers.filter((ids) => ids[0] !== 'bad').flat().sort());
  for (const ids of callers.filter((c) => c[0] !== 'bad')) {
    const t = transactions.find((tx) => tx.includes(ids[0] ?? ''));
    assert.ok(t !== undefined && t.indexOf(ids[1] ?? '') === t.indexOf(ids[0] ?? '') + 1, `${ids.join(',')} were split`);
  }
});
