// Prints a command's result: the API's JSON as sent with --json, else the human text.
import type { Command } from 'commander';
import { writeTo, type CliIo } from '../cli-io.ts';

/** Adds `--json` to a command that talks to the API. */
export function withJsonOption(command: Command): Command {
  return command.option('--json', "print the server's JSON answer instead of text");
}

/** True when the command was given --json. */
export function wantsJson(command: Command): boolean {
  return command.opts<{ json?: boolean }>().json === true;
}

/**
 * With --json, the JSON (pretty, one document; `{}` for an empty answer); otherwise `text()`.
 * @example await printAnswer(io, command, exchange.json, () => formatRequest(exchange.answer))
 */
export async function printAnswer(io: CliIo, command: Command, json: unknown, text: () => string): Promise<void> {
  await writeTo(io.stdout, wantsJson(command) ? `${JSON.stringify(json ?? {}, null, 2)}\n` : text());
}

/** A note for the person at the terminal (on stderr, so stdout stays the answer). */
export function note(io: CliIo, text: string): Promise<void> {
  return writeTo(io.stderr, `${text}\n`);
}
