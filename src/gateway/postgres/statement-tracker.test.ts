// The completion tracker pairs the server's answers with the statements forwarded, in both protocols.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { createManualClock } from '../../shared/clock.ts';
import { createStatementTracker } from './statement-tracker.ts';

test('a simple query with several statements completes at ReadyForQuery with every tag and the rows summed', () => {
  const clock = createManualClock(1000);
  const tracker = createStatementTracker(clock);
  tracker.sent(0, 'simple');
  tracker.onCommandComplete('INSERT 0 2', 2);
  tracker.onCommandComplete('UPDATE 3', 3);
  assert.equal(tracker.pending, 1);
  clock.advanceMs(7);
  tracker.onReadyForQuery();
  assert.deepEqual(tracker.take(), [{ statementIndex: 0, commandTag: 'INSERT 0 2; UPDATE 3', rowCount: 5, durationMs: 7 }]);
  assert.equal(tracker.pending, 0);
});

test('extended: each Execute completes at its CommandComplete; after an error the rest of the batch ends unanswered at Sync', () => {
  const tracker = createStatementTracker(createManualClock(0));
  tracker.sent(0, 'extended');
  tracker.sent(1, 'extended');
  tracker.sent(2, 'extended');
  tracker.syncSent();
  tracker.onCommandComplete('SELECT 1', 1);
  tracker.onError('42P01');
  assert.equal(tracker.completed, 2);
  tracker.onReadyForQuery();
  assert.deepEqual(
    tracker.take().map((c) => [c.statementIndex, c.commandTag, c.sqlState]),
    [
      [0, 'SELECT 1', undefined],
      [1, undefined, '42P01'],
      [2, undefined, undefined],
    ],
  );
});

test('pipelined batches: a ReadyForQuery ends only the statements sent before its Sync', () => {
  const tracker = createStatementTracker(createManualClock(0));
  tracker.sent(0, 'extended');
  tracker.syncSent();
  tracker.sent(1, 'extended');
  tracker.syncSent();
  tracker.onError('57014');
  tracker.onReadyForQuery();
  assert.equal(tracker.pending, 1, 'the second batch is still running');
  tracker.onPortalSuspended();
  tracker.onReadyForQuery();
  assert.deepEqual(
    tracker.take().map((c) => [c.statementIndex, c.commandTag, c.sqlState]),
    [
      [0, undefined, '57014'],
      [1, 'PORTAL SUSPENDED', undefined],
    ],
  );
});

test('answers with nothing in flight (a refused statement, an empty query) change nothing', () => {
  const tracker = createStatementTracker(createManualClock(0));
  tracker.onError('42501');
  tracker.onCommandComplete('SELECT 1', 1);
  tracker.onEmptyQuery();
  tracker.onReadyForQuery();
  assert.deepEqual(tracker.take(), []);
});
