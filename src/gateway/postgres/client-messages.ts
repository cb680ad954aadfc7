// Turns each client message of an established session into what the gateway forwards, audits or refuses.
import { randomBytes } from 'node:crypto';
import { serialize } from 'pg-protocol';
import type { PendingEntry } from '../../ledger/ledger-store.ts';
import { errorResponse } from './backend-messages.ts';
import { describeParameters, forgetStatement, isStatementNameTaken, MAX_NAMED_OBJECTS, preparedStatement, sqlPreparedElsewhere, type ExtendedState } from './extended-state.ts';
import { FrontendProtocolError, type FrontendFrame } from './frontend-reader.ts';
import { decodeBind, decodeClose, decodeExecute, decodeParse, decodeQuery } from './frontend-decoders.ts';
import { statementBlockedEvent, statementExecutedEvent, type AuditedStatement, type QueryProtocol, type SessionIdentity } from './gateway-audit.ts';
import type { StatementJudge } from './statement-judge.ts';
import type { StatementTracker } from './statement-tracker.ts';

/** Bytes for the upstream server and ledger entries to commit before those bytes may be sent. */
export interface ForwardBatch {
  readonly out: Buffer[];
  readonly entries: PendingEntry[];
  terminate: boolean;
}

/** The state one session's message handling keeps between messages. */
export interface ClientMessageState {
  readonly identity: SessionIdentity;
  readonly judge: StatementJudge;
  readonly logParameters: boolean;
  readonly extended: ExtendedState;
  readonly tracker: StatementTracker;
  readonly auditEntry: (event: ReturnType<typeof statementExecutedEvent>) => PendingEntry;
  /** What replaces the server's answer to each probe portal (see `blockStatement`). */
  readonly probes: Map<string, ProbeAnswer>;
  statementCount: number;
  blockedCount: number;
  /** After a refused extended-protocol message, everything up to Sync is dropped, as PostgreSQL does after an error. */
  discardUntilSync: boolean;
}

/** Writ's ErrorResponse for a refused statement, and the number of the Sync that ends its probe's pipeline. */
export interface ProbeAnswer {
  readonly errorResponse: Buffer;
  readonly syncNumber: number;
}

const SYNC = serialize.sync();

function audit(state: ClientMessageState, batch: ForwardBatch, statement: Omit<AuditedStatement, 'statementIndex'>, nodes: readonly string[]): number {
  const statementIndex = state.statementCount;
  state.statementCount += 1;
  batch.entries.push(state.auditEntry(statementExecutedEvent(state.identity, { ...statement, statementIndex })));
  state.tracker.sent(statementIndex, statement.protocol, nodes);
  return statementIndex;
}

/**
 * Refuses a statement without the server ever seeing it. In its place Writ sends an Execute of a portal
 * that cannot exist: the server answers with an error exactly where the refused statement's answer would
 * be, aborts the transaction as its own permission errors do and discards until Sync; Writ replaces that
 * error with its own. Answer order and transaction state stay PostgreSQL's.
 */
/** Why a statement is refused; without a hint the client is told to ask for a grant whose level allows it. */
interface Denial {
  readonly statementKinds: readonly string[];
  readonly rule: string;
  readonly message: string;
  readonly sqlState: string;
  readonly hint?: string;
}

function blockStatement(state: ClientMessageState, batch: ForwardBatch, protocol: QueryProtocol, sql: string, denial: Denial): void {
  const statement: AuditedStatement = { statementIndex: state.statementCount, protocol, sql, statementKinds: denial.statementKinds, parameterCount: 0 };
  state.statementCount += 1;
  state.blockedCount += 1;
  batch.entries.push(state.auditEntry(statementBlockedEvent(state.identity, statement, denial.rule, denial.message)));
  const portal = `writ_blocked_${randomBytes(12).toString('hex')}`;
  const hint = denial.hint ?? `Ask for a grant whose level allows it: writ request ${state.identity.resourceId} --level <level> --for 1h --reason "..."`;
  const answer = errorResponse({ severity: 'ERROR', code: denial.sqlState, message: denial.message, detail: `Writ rule: ${denial.rule}`, hint });
  batch.out.push(serialize.execute({ portal, rows: 0 }));
  if (protocol === 'simple') {
    batch.out.push(SYNC);
    state.tracker.syncSent();
  } else {
    state.discardUntilSync = true;
  }
  // Its answer comes before the ReadyForQuery of that Sync, or never (the server was already skipping to Sync).
  state.probes.set(portal, { errorResponse: answer, syncNumber: state.tracker.syncsSent + (protocol === 'simple' ? 0 : 1) });
}

function onQuery(state: ClientMessageState, batch: ForwardBatch, frame: FrontendFrame): void {
  const { sql } = decodeQuery(frame.body);
  state.extended.statements.delete('');
  state.extended.portals.delete('');
  if (sql.trim() === '') {
    batch.out.push(frame.raw);
    state.tracker.syncSent();
    return;
  }
  const judgement = state.judge(sql);
  if (judgement.kind === 'deny') {
    blockStatement(state, batch, 'simple', sql, judgement);
    return;
  }
  audit(state, batch, { protocol: 'simple', sql, statementKinds: judgement.statementKinds, parameterCount: 0 }, judgement.statementNodes);
  batch.out.push(frame.raw);
}

function remember<V>(map: Map<string, V>, name: string, value: V): void {
  if (!map.has(name) && map.size >= MAX_NAMED_OBJECTS) {
    throw new FrontendProtocolError(`this session holds ${MAX_NAMED_OBJECTS} prepared statements or portals; close some before making more`);
  }
  map.set(name, value);
}

function onParse(state: ClientMessageState, batch: ForwardBatch, frame: FrontendFrame): void {
  const parse = decodeParse(frame.body);
  const judgement = state.judge(parse.sql);
  if (judgement.kind === 'deny') {
    blockStatement(state, batch, 'extended', parse.sql, judgement);
    return;
  }
  const { extended } = state;
  if (isStatementNameTaken(extended, parse.statement)) {
    const message = `prepared statement "${parse.statement.slice(0, 63)}" already exists`;
    blockStatement(state, batch, 'extended', parse.sql, { statementKinds: judgement.statementKinds, rule: 'duplicate-statement', message, sqlState: '42P05', hint: 'Close the statement before preparing it again, or use another name' });
    return;
  }
  if (extended.statements.size + extended.pendingParses.length >= MAX_NAMED_OBJECTS) {
    throw new FrontendProtocolError(`this session holds ${MAX_NAMED_OBJECTS} prepared statements or portals; close some before making more`);
  }
  // The server drops the unnamed statement as soon as a new Parse of it begins, whether that Parse succeeds or not.
  if (parse.statement === '') extended.statements.delete('');
  extended.pendingParses.push({ name: parse.statement, statement: { sql: parse.sql, judgement }, syncNumber: state.tracker.syncsSent + 1 });
  batch.out.push(frame.raw);
}

function onBind(state: ClientMessageState, batch: ForwardBatch, frame: FrontendFrame): void {
  const bind = decodeBind(frame.body);
  const prepared = preparedStatement(state.extended, bind.statement);
  remember(state.extended.portals, bind.portal, {
    sql: prepared?.sql ?? sqlPreparedElsewhere(bind.statement),
    statementKinds: prepared?.judgement.statementKinds ?? ['ExecuteStmt'],
    statementNodes: prepared?.judgement.kind === 'allow' ? prepared.judgement.statementNodes : [],
    parameterCount: bind.parameters.length,
    parameters: state.logParameters ? describeParameters(bind.parameters, bind.parameterFormats) : undefined,
  });
  batch.out.push(frame.raw);
}

function onExecute(state: ClientMessageState, batch: ForwardBatch, frame: FrontendFrame): void {
  const { portal } = decodeExecute(frame.body);
  const bound = state.extended.portals.get(portal);
  const statement: Omit<AuditedStatement, 'statementIndex'> = {
    protocol: 'extended',
    sql: bound?.sql ?? `EXECUTE portal "${portal}" (not bound in this session)`,
    statementKinds: bound?.statementKinds ?? [],
    parameterCount: bound?.parameterCount ?? 0,
    ...(bound?.parameters === undefined ? {} : { parameters: bound.parameters }),
  };
  audit(state, batch, statement, bound?.statementNodes ?? []);
  batch.out.push(frame.raw);
}

function onClose(state: ClientMessageState, batch: ForwardBatch, frame: FrontendFrame): void {
  const close = decodeClose(frame.body);
  if (close.target === 'statement') forgetStatement(state.extended, close.name);
  else state.extended.portals.delete(close.name);
  batch.out.push(frame.raw);
}

const BACKSLASH = 0x5c;

/**
 * Whether this message holds statement text that the server could read differently from Writ had an earlier
 * statement changed how it lexes. Only a backslash can move a string's end between the two readings (with
 * standard_conforming_strings off it escapes a quote; in an encoding such as SJIS a multi-byte character swallows
 * it), so only such text waits until the server has reported its settings for everything before it (ADR 0014).
 */
function isLexingSensitive(frame: FrontendFrame): boolean {
  return (frame.type === 0x51 /* Q */ || frame.type === 0x50 /* P */) && frame.body.includes(BACKSLASH);
}

/**
 * True when `frame` must wait for the server's ReadyForQuery before it is judged: it holds a backslash, a statement
 * forwarded before it is still unanswered, and a Sync already forwarded will answer it.
 * @example if (mustAwaitServerSettings(state, frame)) hold(frame)
 */
export function mustAwaitServerSettings(state: ClientMessageState, frame: FrontendFrame): boolean {
  return !state.discardUntilSync && isLexingSensitive(frame) && !state.tracker.settled && state.tracker.settling;
}

const UNSETTLED_DENIAL = {
  rule: 'unsettled-session',
  message:
    'a statement holding a backslash cannot be parsed after an Execute in the same pipeline before a Sync: Writ must see the settings the database reports for the earlier statement first; send Sync before this Parse',
  sqlState: '0A000',
};

const FUNCTION_CALL_DENIAL = {
  statementKinds: ['FunctionCall'],
  rule: 'function-call',
  message: 'the fast-path function call interface is not available through Writ: call the function in a query instead',
  sqlState: '42501',
};

/** Message types forwarded unchanged: Describe, Flush, CopyData, CopyDone, CopyFail. */
const PASS_THROUGH = new Set([0x44, 0x48, 0x64, 0x63, 0x66]);

/**
 * Handles one client message of an established session, adding to `batch`.
 * @see https://www.postgresql.org/docs/current/protocol-flow.html
 */
export function handleClientMessage(state: ClientMessageState, batch: ForwardBatch, frame: FrontendFrame): void {
  if (frame.type === 0x58 /* X Terminate */) {
    batch.out.push(frame.raw);
    batch.terminate = true;
    return;
  }
  if (frame.type !== 0x53 /* S Sync */ && frame.type !== 0x48 /* H Flush */) state.tracker.otherMessageSent();
  if (state.discardUntilSync) {
    if (frame.type !== 0x53 /* S Sync */) return;
    state.discardUntilSync = false;
  }
  // Reached only when no Sync will settle the server first (see mustAwaitServerSettings): refuse rather than guess.
  if (isLexingSensitive(frame) && !state.tracker.settled) {
    const sql = frame.type === 0x51 ? decodeQuery(frame.body).sql : decodeParse(frame.body).sql;
    blockStatement(state, batch, frame.type === 0x51 ? 'simple' : 'extended', sql, { ...UNSETTLED_DENIAL, statementKinds: [] });
    return;
  }
  switch (frame.type) {
    case 0x51 /* Q Query */:
      onQuery(state, batch, frame);
      return;
    case 0x50 /* P Parse */:
      onParse(state, batch, frame);
      return;
    case 0x42 /* B Bind */:
      onBind(state, batch, frame);
      return;
    case 0x45 /* E Execute */:
      onExecute(state, batch, frame);
      return;
    case 0x43 /* C Close */:
      onClose(state, batch, frame);
      return;
    case 0x53 /* S Sync */:
      batch.out.push(frame.raw);
      state.tracker.syncSent();
      return;
    case 0x46 /* F FunctionCall */:
      blockStatement(state, batch, 'simple', 'fast-path function call', FUNCTION_CALL_DENIAL);
      return;
    default:
      if (PASS_THROUGH.has(frame.type)) {
        batch.out.push(frame.raw);
        return;
      }
      throw new FrontendProtocolError(`unexpected message type ${JSON.stringify(String.fromCharCode(frame.type))} in an established session`);
  }
}
