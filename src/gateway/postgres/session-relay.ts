// Relays an established session: client messages are judged and logged before they go upstream; answers flow back.
import type { Socket } from 'node:net';
import type { AuditEntryFactory } from '../../events/audit-entry.ts';
import type { GroupCommitAppender } from '../../ledger/group-commit.ts';
import type { Clock } from '../../shared/clock.ts';
import { errorResponse } from './backend-messages.ts';
import { createBackendFramer, decodeCommandComplete } from './backend-framer.ts';
import { decodeErrorFields } from './backend-messages.ts';
import { decodeParameterStatus } from './backend-message-fields.ts';
import { handleClientMessage, mustAwaitServerSettings, type ClientMessageState, type ForwardBatch } from './client-messages.ts';
import { confirmParse, createExtendedState, dropUnansweredParses } from './extended-state.ts';
import { FrontendProtocolError, type FrontendFrame, type FrontendReader } from './frontend-reader.ts';
import { sessionEndedEvent, sessionViolationEvent, statementsCompletedEvent, type SessionEndReason, type SessionIdentity } from './gateway-audit.ts';
import type { SessionGuard, Violation } from './session-guard.ts';
import type { StatementJudge } from './statement-judge.ts';
import { createStatementTracker } from './statement-tracker.ts';

export interface RelayDeps {
  readonly clock: Clock;
  readonly appender: GroupCommitAppender;
  readonly auditEntry: AuditEntryFactory;
  readonly onError: (error: unknown, message: string) => void;
}

export interface RelaySettings {
  readonly maxMessageBytes: number;
  /** Completions are recorded in one event per this many statements, or after `completionFlushMs`. */
  readonly completionBatch: number;
  readonly completionFlushMs: number;
}

export interface RelayInput {
  readonly identity: SessionIdentity;
  readonly judge: StatementJudge;
  /** Checks the server's reported settings and command tags against the level and the judged text. */
  readonly guard: SessionGuard;
  readonly logParameters: boolean;
  readonly client: Socket;
  /** The reader the handshake used; it may already hold messages the client pipelined. */
  readonly reader: FrontendReader;
  readonly upstream: Socket;
  /** Bytes the upstream sent after its last ReadyForQuery during the handshake. */
  readonly upstreamBuffered: Buffer;
  readonly startedAtMs: number;
}

export interface Relay {
  /** Ends the session: a FATAL error to the client (when given), both sockets closed, the end recorded once. */
  end(reason: SessionEndReason, fatal?: { code: string; message: string }): void;
  /** True while statements forwarded upstream have not been answered. */
  busy(): boolean;
  readonly ended: Promise<void>;
}


/** @example const relay = startRelay(deps, settings, input); await relay.ended; */
export function startRelay(deps: RelayDeps, settings: RelaySettings, input: RelayInput): Relay {
  const { client, upstream, reader, identity, guard } = input;
  const tracker = createStatementTracker(deps.clock);
  const state: ClientMessageState = {
    identity,
    judge: input.judge,
    logParameters: input.logParameters,
    extended: createExtendedState(),
    tracker,
    auditEntry: deps.auditEntry,
    probes: new Map(),
    statementCount: 0,
    blockedCount: 0,
    discardUntilSync: false,
  };
  let bytesFromClient = 0;
  let bytesToClient = 0;
  let finished = false;
  let pumping = false;
  /** The server sent a FATAL error: its close is expected, and the client already has the reason. */
  let upstreamFatal = false;
  /** A client message waiting for the server to settle before it is judged (mustAwaitServerSettings). */
  let held: FrontendFrame | undefined;
  // Read through a function: the relay's end can come from another callback while a batch awaits the ledger.
  const isFinished = (): boolean => finished;
  let resolveEnded: () => void = () => undefined;
  const ended = new Promise<void>((resolve) => {
    resolveEnded = resolve;
  });

  const flushCompletions = (): void => {
    const completions = tracker.take();
    for (let at = 0; at < completions.length; at += settings.completionBatch) {
      const entry = deps.auditEntry(statementsCompletedEvent(identity, completions.slice(at, at + settings.completionBatch)));
      deps.appender.append([entry]).catch((error: unknown) => {
        deps.onError(error, 'could not record statement completions');
      });
    }
  };
  const completionTimer = setInterval(flushCompletions, settings.completionFlushMs);
  completionTimer.unref();

  const toClient = (bytes: Buffer): void => {
    bytesToClient += bytes.length;
    if (!client.write(bytes)) upstream.pause();
  };

  // Upstream → client. Chunks are forwarded whole, unless a probe's answer is due: then message by message.
  let messageMode = false;
  let carry: Buffer[] = [];
  let chunk: Buffer = Buffer.alloc(0);
  let lastEnd = 0;
  const takeProbeAnswer = (body: Buffer): Buffer | undefined => {
    if (state.probes.size === 0) return undefined;
    const message = decodeErrorFields(body).get('M') ?? '';
    for (const [portal, answer] of state.probes) {
      if (message.includes(portal)) {
        state.probes.delete(portal);
        return answer.errorResponse;
      }
    }
    return undefined;
  };
  const violate = (violation: Violation): void => {
    if (finished) return;
    deps.appender.append([deps.auditEntry(sessionViolationEvent(identity, violation))]).catch((error: unknown) => {
      deps.onError(error, 'could not record a session violation');
    });
    end('violation', { code: '42501', message: violation.message });
  };
  const track = (type: number, body: Buffer | undefined): Buffer | undefined => {
    if (type === 0x43 && body !== undefined) {
      const complete = decodeCommandComplete(body);
      const violation = guard.onCommandTag(tracker.head(), complete.tag);
      if (violation !== undefined) violate(violation);
      tracker.onCommandComplete(complete.tag, complete.rowCount);
    } else if (type === 0x53 && body !== undefined) {
      const { name, value } = decodeParameterStatus(body);
      const violation = guard.onParameterStatus(name, value);
      if (violation !== undefined) violate(violation);
    } else if (type === 0x45 && body !== undefined) {
      const answer = takeProbeAnswer(body);
      if (answer !== undefined) return answer;
      const fields = decodeErrorFields(body);
      const severity = fields.get('V') ?? fields.get('S');
      if (severity === 'FATAL' || severity === 'PANIC') upstreamFatal = true;
      tracker.onError(fields.get('C'));
    } else if (type === 0x31 /* ParseComplete */) confirmParse(state.extended);
    else if (type === 0x49) tracker.onEmptyQuery();
    else if (type === 0x73) tracker.onPortalSuspended();
    else if (type === 0x47) {
      const violation = guard.onCopyIn(tracker.head());
      if (violation !== undefined) violate(violation);
      tracker.onCopyInResponse();
    } else if (type === 0x5a) {
      tracker.onReadyForQuery();
      dropUnansweredParses(state.extended, tracker.syncsAnswered);
      // A probe still unanswered at its pipeline's ReadyForQuery never will be; keeping it would hold the relay in message mode.
      for (const [portal, probe] of state.probes) if (probe.syncNumber <= tracker.syncsAnswered) state.probes.delete(portal);
      if (tracker.completed >= settings.completionBatch) flushCompletions();
      if (held !== undefined && tracker.settled) queueMicrotask(release);
    }
    return undefined;
  };
  const framer = createBackendFramer({
    maxMessageBytes: settings.maxMessageBytes,
    wantsBody: (type) => type === 0x43 || type === 0x45 || type === 0x5a || type === 0x53,
    onMessage: (type, body, endOffset) => {
      const replacement = track(type, body);
      if (!messageMode || finished) return;
      const piece = Buffer.concat([...carry, chunk.subarray(lastEnd, endOffset)]);
      carry = [];
      lastEnd = endOffset;
      toClient(replacement ?? piece);
    },
  });
  const onUpstreamData = (data: Buffer): void => {
    chunk = data;
    lastEnd = 0;
    messageMode = state.probes.size > 0 || carry.length > 0;
    try {
      framer.push(data);
    } catch (error) {
      deps.onError(error, 'the upstream server sent a malformed message');
      end('upstream_closed', { code: '08P01', message: 'the database server sent a message Writ could not read; the session is closed' });
      return;
    }
    // A violation ended the session: the answer that gave it away is not relayed.
    if (finished) return;
    if (!messageMode) {
      toClient(data);
      return;
    }
    const rest = data.subarray(lastEnd);
    if (state.probes.size > 0) {
      if (rest.length > 0) carry.push(rest);
      return;
    }
    const remaining = Buffer.concat([...carry, rest]);
    carry = [];
    if (remaining.length > 0) toClient(remaining);
  };

  // Client → upstream: every message judged; the batch's ledger entries commit before its bytes are sent.
  const collect = (): ForwardBatch | undefined => {
    const batch: ForwardBatch = { out: [], entries: [], terminate: false };
    let frames = 0;
    for (let frame = held ?? reader.read(); frame !== undefined; frame = reader.read()) {
      if (mustAwaitServerSettings(state, frame)) {
        held = frame;
        break;
      }
      held = undefined;
      frames += 1;
      handleClientMessage(state, batch, frame);
      if (batch.terminate) break;
    }
    return frames === 0 ? undefined : batch;
  };
  const pump = async (): Promise<void> => {
    if (pumping || finished) return;
    pumping = true;
    try {
      for (let batch = collect(); batch !== undefined && !isFinished(); batch = collect()) {
        if (batch.entries.length > 0) {
          client.pause();
          try {
            await deps.appender.append(batch.entries);
          } catch (error) {
            deps.onError(error, 'the ledger could not record a statement; it was not forwarded');
            end('ledger_unavailable', { code: '58000', message: 'Writ could not record this statement on its audit ledger, so it was not run; the session is closed. Try again shortly.' });
            return;
          }
          if (isFinished()) return;
          client.resume();
        }
        if (batch.out.length > 0 && !upstream.write(batch.out.length === 1 ? (batch.out[0] as Buffer) : Buffer.concat(batch.out))) client.pause();
        if (batch.terminate) {
          end('client_closed');
          return;
        }
      }
      // Nothing more is read from the client until the server's ReadyForQuery releases the held message.
      if (held !== undefined) client.pause();
    } catch (error) {
      if (error instanceof FrontendProtocolError) end('protocol_error', { code: error.sqlState, message: error.message });
      else {
        deps.onError(error, 'the gateway session failed');
        end('error', { code: 'XX000', message: 'Writ failed to relay this session; it is closed' });
      }
    } finally {
      pumping = false;
    }
  };

  function release(): void {
    if (finished || held === undefined) return;
    client.resume();
    void pump();
  }

  const end = (reason: SessionEndReason, fatal?: { code: string; message: string }): void => {
    if (finished) return;
    finished = true;
    clearInterval(completionTimer);
    if (fatal !== undefined && client.writable) client.write(errorResponse({ severity: 'FATAL', code: fatal.code, message: fatal.message }));
    client.end();
    if (reason === 'client_closed') upstream.end();
    else upstream.end(Buffer.from([0x58, 0, 0, 0, 4]));
    setTimeout(() => {
      client.destroy();
      upstream.destroy();
    }, 1000).unref();
    flushCompletions();
    const totals = {
      endReason: reason,
      durationMs: Math.max(0, deps.clock.nowMs() - input.startedAtMs),
      statementCount: state.statementCount,
      blockedCount: state.blockedCount,
      bytesFromClient,
      bytesToClient,
    };
    deps.appender
      .append([deps.auditEntry(sessionEndedEvent(identity, totals))])
      .catch((error: unknown) => {
        deps.onError(error, 'could not record the end of a gateway session');
      })
      .finally(resolveEnded);
  };

  client.on('data', (data: Buffer) => {
    bytesFromClient += data.length;
    try {
      reader.push(data);
    } catch (error) {
      if (error instanceof FrontendProtocolError) end('protocol_error', { code: error.sqlState, message: error.message });
      return;
    }
    void pump();
  });
  client.on('drain', () => upstream.resume());
  upstream.on('drain', () => {
    if (!pumping) client.resume();
  });
  upstream.on('data', onUpstreamData);
  client.on('close', () => {
    end('client_closed');
  });
  client.on('error', () => {
    end('client_closed');
  });
  // After the server's own FATAL (an admin's kill, a shutdown) the client has its reason: Writ adds none of its own.
  upstream.on('close', () => {
    end('upstream_closed', upstreamFatal ? undefined : { code: '08006', message: 'the database server closed the connection' });
  });
  upstream.on('error', (error) => {
    if (!upstreamFatal) deps.onError(error, 'the upstream connection failed');
    end('upstream_closed', upstreamFatal ? undefined : { code: '08006', message: 'the connection to the database server failed' });
  });
  if (input.upstreamBuffered.length > 0) onUpstreamData(input.upstreamBuffered);
  client.resume();
  upstream.resume();
  void pump();
  return { end, busy: () => tracker.pending > 0, ended };
}
