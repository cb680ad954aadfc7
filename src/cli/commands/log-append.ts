// `writ log append`: NDJSON events on stdin, one acknowledgement line per event, in input order, each after it is durable.
import type { Command } from 'commander';
import { parseEventLine } from '../../events/event-parsing.ts';
import type { RecordOutcome } from '../../events/event-recorder.ts';
import { AppError, isAppError } from '../../shared/app-error.ts';
import { withApp, writeOut } from '../cli-context.ts';
import { readLines, type Line } from '../ndjson-lines.ts';

/** Lines larger than this are refused without being parsed. */
export const MAX_LINE_BYTES = 1024 * 1024;
const IN_FLIGHT = 4096;

type Ack = { line: number; ok: true; id: string } | { line: number; ok: false; error: { code: string; message: string } };

function ackOf(lineNumber: number, outcome: RecordOutcome): Ack {
  return outcome.kind === 'appended'
    ? { line: lineNumber, ok: true, id: outcome.id }
    : { line: lineNumber, ok: false, error: { code: outcome.error.code, message: outcome.error.message } };
}

function rejected(error: unknown): RecordOutcome {
  return { kind: 'rejected', error: isAppError(error) ? error : new AppError('invalid_event', 'the line could not be read') };
}

function parseLine(line: Line): { input: unknown } | { outcome: RecordOutcome } {
  if (line.kind === 'too-long') {
    return { outcome: rejected(new AppError('event_too_large', `line of ${line.byteCount} bytes is over the ${MAX_LINE_BYTES}-byte limit`)) };
  }
  try {
    return { input: parseEventLine(line.bytes) };
  } catch (error) {
    return { outcome: rejected(error) };
  }
}

export function registerLogAppend(log: Command): void {
  log
    .command('append')
    .description('append NDJSON events from stdin; prints one JSON acknowledgement per line once it is durable')
    .action(async (_options: unknown, command: Command) => {
      const failures = await withApp(command, async (app) => {
        const sequencer = app.startSequencer({ publish: false });
        const inFlight: { line: number; result: Promise<RecordOutcome> }[] = [];
        let failed = 0;
        // Acknowledgements go out as soon as each event (and every one before it) is durable, while stdin is still
        // being read: a producer that waits for an ack before sending more must not wait for end of input.
        let writer: Promise<void> | undefined;
        const writing: { error?: Error } = {};
        const writeFailed = (): boolean => writing.error !== undefined;
        let roomFreed: (() => void) | undefined;
        const writeAcks = async (): Promise<void> => {
          try {
            for (let next = inFlight[0]; next !== undefined; next = inFlight[0]) {
              const ack = ackOf(next.line, await next.result);
              if (!ack.ok) failed += 1;
              await writeOut(`${JSON.stringify(ack)}\n`);
              inFlight.shift();
              roomFreed?.();
            }
          } catch (error) {
            writing.error = error instanceof Error ? error : new Error(String(error));
            roomFreed?.();
          }
          writer = undefined;
        };
        for await (const line of readLines(process.stdin, MAX_LINE_BYTES)) {
          if (writeFailed()) break;
          if (line.kind === 'line' && line.bytes.length === 0) continue;
          const parsed = parseLine(line);
          const result = 'outcome' in parsed ? Promise.resolve(parsed.outcome) : app.recorder.record(parsed.input);
          inFlight.push({ line: line.lineNumber, result });
          writer ??= writeAcks();
          while (inFlight.length >= IN_FLIGHT && !writeFailed()) {
            await new Promise<void>((resolve) => (roomFreed = resolve));
            roomFreed = undefined;
          }
        }
        while (writer !== undefined) await writer;
        if (writing.error !== undefined) throw writing.error;
        await sequencer.drain();
        return failed;
      });
      if (failures > 0) process.exitCode = 65;
    });
}
