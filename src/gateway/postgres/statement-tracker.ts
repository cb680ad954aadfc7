// Matches the server's answers to the statements a session forwarded, for the completion part of the audit.
import type { Clock } from '../../shared/clock.ts';
import type { QueryProtocol, StatementCompletion } from './gateway-audit.ts';

interface InFlight {
  readonly statementIndex: number;
  readonly protocol: QueryProtocol;
  readonly startedAtMs: number;
  /** The number of the ReadyForQuery that ends this statement at the latest. */
  readonly syncNumber: number;
  readonly tags: string[];
  rowCount: number | undefined;
  sqlState: string | undefined;
}

export interface StatementTracker {
  /** A Query (simple) or Execute (extended) was forwarded. */
  sent(statementIndex: number, protocol: QueryProtocol): void;
  /** A message that the server answers with ReadyForQuery was forwarded (Sync, or Writ's own probe Sync). */
  syncSent(): void;
  onCommandComplete(tag: string, rowCount: number | undefined): void;
  onEmptyQuery(): void;
  onPortalSuspended(): void;
  onError(sqlState: string | undefined): void;
  onReadyForQuery(): void;
  /** Statements still waiting for an answer. */
  readonly pending: number;
  /** Completions gathered and not yet taken. */
  readonly completed: number;
  /** Takes the completions gathered so far. */
  take(): StatementCompletion[];
}

const MAX_TAG_CHARS = 64;

/** @example const tracker = createStatementTracker(clock); tracker.sent(0, 'simple'); tracker.onCommandComplete('SELECT 1', 1); tracker.onReadyForQuery(); tracker.take() */
export function createStatementTracker(clock: Clock): StatementTracker {
  const queue: InFlight[] = [];
  let done: StatementCompletion[] = [];
  let sentSyncs = 0;
  let receivedSyncs = 0;

  const finish = (item: InFlight): void => {
    const completion: { -readonly [K in keyof StatementCompletion]: StatementCompletion[K] } = {
      statementIndex: item.statementIndex,
      durationMs: Math.max(0, clock.nowMs() - item.startedAtMs),
    };
    if (item.tags.length > 0) completion.commandTag = item.tags.join('; ').slice(0, MAX_TAG_CHARS);
    if (item.rowCount !== undefined) completion.rowCount = item.rowCount;
    if (item.sqlState !== undefined) completion.sqlState = item.sqlState;
    done.push(completion);
  };
  const finishHead = (): void => {
    const head = queue.shift();
    if (head !== undefined) finish(head);
  };
  return {
    sent(statementIndex, protocol) {
      if (protocol === 'simple') sentSyncs += 1;
      const syncNumber = protocol === 'simple' ? sentSyncs : sentSyncs + 1;
      queue.push({ statementIndex, protocol, startedAtMs: clock.nowMs(), syncNumber, tags: [], rowCount: undefined, sqlState: undefined });
    },
    syncSent() {
      sentSyncs += 1;
    },
    onCommandComplete(tag, rowCount) {
      const head = queue[0];
      if (head === undefined) return;
      head.tags.push(tag);
      if (rowCount !== undefined) head.rowCount = (head.rowCount ?? 0) + rowCount;
      if (head.protocol === 'extended') finishHead();
    },
    onEmptyQuery() {
      if (queue[0]?.protocol === 'extended') finishHead();
    },
    onPortalSuspended() {
      const head = queue[0];
      if (head?.protocol !== 'extended') return;
      head.tags.push('PORTAL SUSPENDED');
      finishHead();
    },
    onError(sqlState) {
      const head = queue[0];
      if (head === undefined) return;
      head.sqlState = sqlState;
      if (head.protocol === 'extended') finishHead();
    },
    onReadyForQuery() {
      receivedSyncs += 1;
      while (queue[0] !== undefined && queue[0].syncNumber <= receivedSyncs) finishHead();
    },
    get pending() {
      return queue.length;
    },
    get completed() {
      return done.length;
    },
    take() {
      const taken = done;
      done = [];
      return taken;
    },
  };
}
