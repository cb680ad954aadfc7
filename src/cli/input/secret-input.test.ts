import assert from 'node:assert/strict';
import { PassThrough, Readable } from 'node:stream';
import { test } from 'node:test';
import type { CliIo } from '../cli-io.ts';
import { createFakeTerminal } from '../testing/fake-terminal.ts';
import { promptNewSecret, promptSecret, readStdinLines } from './secret-input.ts';

function ioWith(stdin: CliIo['stdin']): { io: CliIo; shown: () => string } {
  const stderr = new PassThrough();
  const chunks: Buffer[] = [];
  stderr.on('data', (c: Buffer) => chunks.push(c));
  const io: CliIo = { env: {}, stdin, stdout: new PassThrough(), stderr, nowMs: () => 0, fetch: globalThis.fetch };
  return { io, shown: () => Buffer.concat(chunks).toString('utf8') };
}

test('reads lines from piped standard input, without line ends', async () => {
  assert.deepEqual(await readStdinLines(Readable.from([Buffer.from('s3cret\r\nnext\n')]), 1, 'the password'), ['s3cret', 'next']);
  assert.deepEqual(await readStdinLines(Readable.from([Buffer.from('only')]), 1, 'the password'), ['only']);
});

test('refuses empty or missing lines', async () => {
  await assert.rejects(readStdinLines(Readable.from([]), 1, 'the password'), /expected the password on standard input/);
  await assert.rejects(readStdinLines(Readable.from([Buffer.from('\nx\n')]), 1, 'the password'), /not empty/);
  await assert.rejects(readStdinLines(Readable.from([Buffer.from('one\n')]), 2, 'two passwords'), /2 lines/);
});

test('asks on the terminal in raw mode, echoes nothing, and honours backspace', async () => {
  const terminal = createFakeTerminal();
  terminal.typeAnswers(['sec\u007fret\r']);
  const { io, shown } = ioWith(terminal.stdin);
  assert.equal(await promptSecret(io, 'Password: '), 'seret');
  assert.deepEqual(terminal.rawModes, [true, false]);
  assert.equal(shown(), 'Password: \n');
});

test('Ctrl-C cancels and leaves raw mode', async () => {
  const terminal = createFakeTerminal();
  terminal.typeAnswers(['ab\u0003']);
  const { io } = ioWith(terminal.stdin);
  await assert.rejects(promptSecret(io, 'Password: '), /cancelled/);
  assert.deepEqual(terminal.rawModes, [true, false]);
});

test('a new password is asked twice and must match', async () => {
  const terminal = createFakeTerminal();
  terminal.typeAnswers(['one\r', 'two\r']);
  await assert.rejects(promptNewSecret(ioWith(terminal.stdin).io, 'password'), /differ/);
  const again = createFakeTerminal();
  again.typeAnswers(['same\r', 'same\r']);
  assert.equal(await promptNewSecret(ioWith(again.stdin).io, 'password'), 'same');
});

test('without a terminal it points to --password-stdin', async () => {
  await assert.rejects(promptSecret(ioWith(Readable.from([])).io, 'Password: '), /--password-stdin/);
});
