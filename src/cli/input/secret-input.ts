// Passwords from the person at the terminal (never echoed) or from piped standard input, never from arguments.
import { createInterface } from 'node:readline/promises';
import { AppError } from '../../shared/app-error.ts';
import { writeTo, type CliInput, type CliIo } from '../cli-io.ts';
import { graphemes } from '../format/terminal-text.ts';

const MAX_STDIN_BYTES = 64 * 1024;
const CTRL_C = '\u0003';
const CTRL_D = '\u0004';
const BACKSPACES = new Set(['\u007f', '\b']);

/** True when there is a terminal to ask on. */
export function canPrompt(stdin: CliInput): boolean {
  return stdin.isTTY === true && typeof stdin.setRawMode === 'function';
}

/**
 * The lines of standard input (for --password-stdin), without line ends; at least `min` of them, none of those empty.
 * @example const [password] = await readStdinLines(io.stdin, 1, 'the password')
 */
export async function readStdinLines(stdin: CliInput, min: number, what: string): Promise<string[]> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of stdin) {
    const buffer = typeof chunk === 'string' ? Buffer.from(chunk) : (chunk as Buffer);
    size += buffer.length;
    if (size > MAX_STDIN_BYTES) throw new AppError('invalid_input', `standard input is too large for ${what} (over 64 KiB)`);
    chunks.push(buffer);
  }
  const lines = Buffer.concat(chunks).toString('utf8').split(/\r?\n/);
  if (lines.at(-1) === '') lines.pop();
  if (lines.length < min || lines.slice(0, min).some((line) => line === '')) {
    throw new AppError('invalid_input', `expected ${what} on standard input (${min === 1 ? 'one line' : `${min} lines`}, not empty)`);
  }
  return lines;
}

/** Reads one line in raw mode, echoing nothing; Ctrl-C or Ctrl-D on an empty line cancels. */
function readHidden(stdin: CliInput, setRawMode: (mode: boolean) => unknown): Promise<string> {
  return new Promise((resolve, reject) => {
    let typed = '';
    const finish = (error: AppError | undefined): void => {
      stdin.off('data', onData);
      setRawMode(false);
      stdin.pause();
      if (error === undefined) resolve(typed);
      else reject(error);
    };
    const onData = (chunk: Buffer | string): void => {
      for (const c of graphemes(typeof chunk === 'string' ? chunk : chunk.toString('utf8'))) {
        if (c === '\r' || c === '\n' || c === '\r\n') {
          finish(undefined);
          return;
        }
        if (c === CTRL_C || (c === CTRL_D && typed === '')) {
          finish(new AppError('invalid_input', 'cancelled'));
          return;
        }
        if (BACKSPACES.has(c)) typed = graphemes(typed).slice(0, -1).join('');
        else if (c >= ' ') typed += c;
      }
    };
    setRawMode(true);
    stdin.on('data', onData);
    stdin.resume();
  });
}

/**
 * Asks for a secret on the terminal without echoing it; the prompt goes to stderr.
 * @example const password = await promptSecret(io, 'Password for alice: ')
 */
export async function promptSecret(io: CliIo, prompt: string): Promise<string> {
  const stdin = io.stdin;
  if (!canPrompt(stdin) || stdin.setRawMode === undefined) {
    throw new AppError('invalid_input', 'there is no terminal to ask for the password on: pipe it in with --password-stdin');
  }
  await writeTo(io.stderr, prompt);
  const secret = await readHidden(stdin, stdin.setRawMode.bind(stdin)).finally(() => writeTo(io.stderr, '\n'));
  if (secret === '') throw new AppError('invalid_input', 'the password must not be empty');
  return secret;
}

/** Asks twice for a new secret and checks both match. */
export async function promptNewSecret(io: CliIo, what: string): Promise<string> {
  const first = await promptSecret(io, `New ${what}: `);
  const second = await promptSecret(io, `Repeat the new ${what}: `);
  if (first !== second) throw new AppError('invalid_input', `the two ${what}s differ; nothing was changed`);
  return first;
}

/** Asks for one visible line (a user name) on the terminal. */
export async function promptLine(io: CliIo, prompt: string): Promise<string> {
  if (io.stdin.isTTY !== true) throw new AppError('invalid_input', 'there is no terminal to ask on');
  const lines = createInterface({ input: io.stdin, output: io.stderr, terminal: true });
  try {
    return (await lines.question(prompt)).trim();
  } finally {
    lines.close();
  }
}
