// `writ passwd`: change your own password (the current one is asked for first; neither is ever an argument).
import type { Command } from 'commander';
import { AppError } from '../../shared/app-error.ts';
import { openApiSession } from '../client/api-session.ts';
import { ignoredAnswer } from '../client/identity-answers.ts';
import type { CliIo } from '../cli-io.ts';
import { printAnswer, withJsonOption } from '../format/answer-output.ts';
import { canPrompt, promptNewSecret, promptSecret, readStdinLines } from '../input/secret-input.ts';

async function passwordsFrom(io: CliIo, fromStdin: boolean): Promise<{ currentPassword: string; newPassword: string }> {
  if (fromStdin) {
    const [currentPassword = '', newPassword = ''] = await readStdinLines(io.stdin, 2, 'the current and the new password');
    return { currentPassword, newPassword };
  }
  if (!canPrompt(io.stdin)) throw new AppError('invalid_input', 'there is no terminal to ask for the passwords on: pipe them in with --password-stdin (current, then new)');
  const currentPassword = await promptSecret(io, 'Current password: ');
  return { currentPassword, newPassword: await promptNewSecret(io, 'password') };
}

export function registerPasswd(program: Command, io: CliIo): void {
  withJsonOption(
    program
      .command('passwd')
      .description('change your password')
      .option('--password-stdin', 'read the current password, then the new one, from two lines of standard input'),
  ).action(async (options: { passwordStdin?: boolean }, command: Command) => {
    const session = openApiSession(command, io);
    const body = await passwordsFrom(io, options.passwordStdin === true);
    if (body.currentPassword === body.newPassword) throw new AppError('invalid_input', 'the new password is the same as the current one');
    const { json } = await session.client.exchange('POST', '/api/v1/auth/password', ignoredAnswer, { body });
    await printAnswer(io, command, json, () => 'Password changed; your other browser sessions are signed out.\n');
  });
}
