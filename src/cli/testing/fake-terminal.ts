// Test helper: a standard input that claims to be a terminal, records raw-mode switches and types what the test says.
import { PassThrough } from 'node:stream';
import type { CliInput } from '../cli-io.ts';

export interface FakeTerminal {
  readonly stdin: CliInput;
  /** Every setRawMode call, in order. */
  readonly rawModes: boolean[];
  /** Types each piece once the prompt is waiting (raw mode on), one piece per raw-mode session. */
  typeAnswers(pieces: readonly string[]): void;
}

export function createFakeTerminal(): FakeTerminal {
  const rawModes: boolean[] = [];
  const answers: string[] = [];
  const stream = new PassThrough();
  const stdin = Object.assign(stream, {
    isTTY: true,
    setRawMode(mode: boolean) {
      rawModes.push(mode);
      const next = mode ? answers.shift() : undefined;
      if (next !== undefined) setImmediate(() => stream.write(next));
      return stream;
    },
  });
  return { stdin, rawModes, typeAnswers: (pieces) => answers.push(...pieces) };
}
