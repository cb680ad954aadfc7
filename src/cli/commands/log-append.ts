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
        const sequencer = app.startSequencer();
        const inFlight: { line: number; result: Promise<RecordOutcome> }[] = [];
        let failed = 0;
        const flushOne = async (): Promise<void> => {
          const next = inFlight.shift();
          if (next === undefined) return;
          const ack = ackOf(next.line, await next.result);
          if (!ack.ok) failed += 1;
          await writeOut(`${JSON.stringify(ack)}\n`);
        };
        for await (const line of readLines(process.stdin, MAX_LINE_BYTES)) {
          if (line.kind === 'line' && line.bytes.length === 0) continue;
          const parsed = parseLine(line);
          const result = 'outcome' in parsed ? Promise.resolve(parsed.outcome) : app.recorder.record(parsed.input);
          inFlight.push({ line: line.lineNumber, result });
          if (inFlight.length >= IN_FLIGHT) await flushOne();
        }
        while (inFlight.length > 0) await flushOne();
        await sequencer.drain();
        return failed;
      });
      if (failures > 0) process.exitCode = 65;
    });
}
