// Matches the server's answers to the statements a session forwarded, for the completion part of the audit.
import type { Clock } from '../../shared/clock.ts';
import type { QueryProtocol, StatementCompletion } from './gateway-audit.ts';
import type { AnsweredStatement } from './session-guard.ts';

interface InFlight {
  readonly statementIndex: number;
  readonly protocol: QueryProtocol;
  /** Each statement's parse node, in order, as the judge saw the text (empty when unknown). */
  readonly nodes: readonly string[];
  readonly startedAtMs: number;
  /** The number of the ReadyForQuery that ends this statement at the latest. */
  syncNumber: number;
  /** Syncs forwarded right after this statement, with nothing else between (the server ignores them if it starts a COPY FROM STDIN). */
  syncsBeforeCopy: number;
  readonly tags: string[];
  rowCount: number | undefined;
  sqlState: string | undefined;
}

export interface StatementTracker {
  /** A Query (simple) or Execute (extended) was forwarded; `nodes`: its statements' parse nodes, in order, if known. */
  sent(statementIndex: number, protocol: QueryProtocol, nodes?: readonly string[]): void;
  /** The statement the server's next answer belongs to, and how many command tags it has had. */
  head(): AnsweredStatement | undefined;
  /**
   * Whether the server has answered, with ReadyForQuery, everything up to the last statement forwarded: only then
   * are the settings it reported final (it reports changed settings just before ReadyForQuery).
   */
  readonly settled: boolean;
  /** Whether a Sync forwarded will settle it (false: a statement was forwarded and no Sync after it yet). */
  readonly settling: boolean;
  /** A message that the server answers with ReadyForQuery was forwarded (Sync, or Writ's own probe Sync). */
  syncSent(): void;
  /** A message other than Sync or Flush was forwarded: later Syncs no longer directly follow the last statement. */
  otherMessageSent(): void;
  /** CopyInResponse: the server ignores the Syncs that reach it in copy-in mode. */
  onCopyInResponse(): void;
  onCommandComplete(tag: string, rowCount: number | undefined): void;
  onEmptyQuery(): void;
  onPortalSuspended(): void;
  onError(sqlState: string | undefined): void;
  onReadyForQuery(): void;
  /** Statements still waiting for an answer. */
  readonly pending: number;
  /** Syncs forwarded that the server answers (its numbering of ReadyForQuery), and those answered so far. */
  readonly syncsSent: number;
  readonly syncsAnswered: number;
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
  /** The last statement forwarded, while only Syncs and Flushes have followed it. */
  let lastSent: InFlight | undefined;
  /** The server is in copy-in mode and nothing but Syncs and Flushes has followed the COPY. */
  let ignoringSyncs = false;
  /** The number of the ReadyForQuery that answers the last statement forwarded. */
  let settleAt = 0;

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
    sent(statementIndex, protocol, nodes = []) {
      if (protocol === 'simple') sentSyncs += 1;
      const syncNumber = protocol === 'simple' ? sentSyncs : sentSyncs + 1;
      lastSent = { statementIndex, protocol, nodes, startedAtMs: clock.nowMs(), syncNumber, syncsBeforeCopy: 0, tags: [], rowCount: undefined, sqlState: undefined };
      queue.push(lastSent);
      settleAt = syncNumber;
      ignoringSyncs = false;
    },
    head() {
      const item = queue[0];
      return item === undefined ? undefined : { statementIndex: item.statementIndex, nodes: item.nodes, tagsBefore: item.tags.length };
    },
    get settled() {
      return receivedSyncs >= settleAt;
    },
    get settling() {
      return settleAt <= sentSyncs;
    },
    syncSent() {
      if (ignoringSyncs) return;
      sentSyncs += 1;
      if (lastSent !== undefined) lastSent.syncsBeforeCopy += 1;
    },
    otherMessageSent() {
      lastSent = undefined;
      ignoringSyncs = false;
    },
    // A client that sends Execute and Sync together (libpq's PQexecParams) has its Sync ignored when the
    // statement turns out to be a COPY FROM STDIN; it sends another after CopyDone or CopyFail.
    // @see https://www.postgresql.org/docs/current/protocol-flow.html#PROTOCOL-COPY
    onCopyInResponse() {
      const head = queue[0];
      if (head === undefined) return;
      const ignored = head.syncsBeforeCopy;
      head.syncsBeforeCopy = 0;
      sentSyncs -= ignored;
      for (const item of queue) if (item !== head) item.syncNumber -= ignored;
      settleAt = Math.max(...queue.map((item) => item.syncNumber));
      if (lastSent === head) ignoringSyncs = true;
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
    get syncsSent() {
      return sentSyncs;
    },
    get syncsAnswered() {
      return receivedSyncs;
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
