// The outside world of a CLI command (streams, environment, clock, fetch), passed in so commands run against fakes as well as a terminal.
import type { Readable, Writable } from 'node:stream';

/** Standard input, with the terminal controls a password prompt needs when it is a TTY. */
export type CliInput = Readable & { readonly isTTY?: boolean; setRawMode?(mode: boolean): unknown };

export interface CliIo {
  readonly env: Readonly<Record<string, string | undefined>>;
  readonly stdin: CliInput;
  readonly stdout: Writable;
  readonly stderr: Writable;
  nowMs(): number;
  readonly fetch: typeof fetch;
}

/** The real process: its streams, environment, wall clock and the global fetch. */
export function processIo(): CliIo {
  return { env: process.env, stdin: process.stdin, stdout: process.stdout, stderr: process.stderr, nowMs: () => Date.now(), fetch: globalThis.fetch };
}

/** Writes `text` and waits until the stream took it (so piped output is never cut short). */
export function writeTo(stream: Writable, text: string): Promise<void> {
  return new Promise((resolve, reject) => {
    stream.write(text, (error) => {
      if (error) reject(error);
      else resolve();
    });
  });
}
