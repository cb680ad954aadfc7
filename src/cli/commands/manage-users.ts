// `writ users ...`: list, add, show, set roles, disable, enable and reset the password of Writ users (admin).
import type { Command } from 'commander';
import { openApiSession } from '../client/api-session.ts';
import { createdUserAnswer, passwordResetAnswer, userAnswer, usersPage } from '../client/identity-answers.ts';
import type { CliIo } from '../cli-io.ts';
import { printAnswer, withJsonOption } from '../format/answer-output.ts';
import { formatUser, formatUserTable } from '../format/identity-format.ts';
import { formatMore } from '../format/table-format.ts';
import { collectList, parseChoice, parseCount } from '../input/option-input.ts';
import { readStdinLines } from '../input/secret-input.ts';

const roles = ['admin', 'auditor', 'user'] as const;
const userPath = (user: string): string => `/api/v1/users/${encodeURIComponent(user)}`;

interface AddOptions {
  name?: string;
  email?: string;
  role: string[];
  service?: boolean;
  passwordStdin?: boolean;
}

function oneTimePasswordText(username: string, password: string | null | undefined): string {
  if (password === null || password === undefined) return '';
  return `\nOne-time password for ${username} (shown only now; they must change it when they first sign in):\n\n  ${password}\n\n`;
}

function registerAdd(users: Command, io: CliIo): void {
  withJsonOption(
    users
      .command('add <username>')
      .description('create a user; without --password-stdin a one-time password is generated and shown once')
      .option('--name <name>', 'display name')
      .option('--email <address>', 'e-mail address')
      .option('--role <role>', `a role besides user: ${roles.join(', ')} (repeatable)`, collectList, [])
      .option('--service', 'a service account (API tokens only, no password sign-in)')
      .option('--password-stdin', 'read the initial password from standard input'),
  ).action(async (username: string, options: AddOptions, command: Command) => {
    const session = openApiSession(command, io);
    const password = options.passwordStdin === true ? (await readStdinLines(io.stdin, 1, 'the password'))[0] : undefined;
    const body = {
      username,
      displayName: options.name,
      email: options.email,
      kind: options.service === true ? 'service' : undefined,
      roles: options.role.length === 0 ? undefined : options.role.map((r) => parseChoice(r, '--role', roles)),
      password,
    };
    const { answer, json } = await session.client.exchange('POST', '/api/v1/users', createdUserAnswer, { body });
    await printAnswer(io, command, json, () => `Created user ${answer.user.username} (roles: ${answer.user.roles.join(', ')}).\n${oneTimePasswordText(answer.user.username, answer.oneTimePassword)}`);
  });
}

function registerChanges(users: Command, io: CliIo): void {
  withJsonOption(users.command('set-roles <user> <roles...>').description(`replace a user's roles (${roles.join(', ')})`)).action(async (user: string, given: string[], _options: unknown, command: Command) => {
    const body = { roles: given.flatMap((r) => collectList(r, [])).map((r) => parseChoice(r, 'role', roles)) };
    const { answer, json } = await openApiSession(command, io).client.exchange('PATCH', userPath(user), userAnswer, { body });
    await printAnswer(io, command, json, () => `${answer.username} now has roles: ${answer.roles.join(', ')}.\n`);
  });

  for (const [verb, disabled, effect] of [
    ['disable', true, 'signs them out everywhere; their tokens stop working'],
    ['enable', false, 'lets them sign in again'],
  ] as const) {
    withJsonOption(users.command(`${verb} <user>`).description(`${verb} a user: ${effect}`)).action(async (user: string, _options: unknown, command: Command) => {
      const { answer, json } = await openApiSession(command, io).client.exchange('PATCH', userPath(user), userAnswer, { body: { disabled } });
      await printAnswer(io, command, json, () => `${answer.username} is ${disabled ? 'disabled' : 'enabled'}.\n`);
    });
  }

  withJsonOption(users.command('reset-password <user>').description('give a user a one-time password (they must change it when they sign in)')).action(async (user: string, _options: unknown, command: Command) => {
    const { answer, json } = await openApiSession(command, io).client.exchange('POST', `${userPath(user)}/password-reset`, passwordResetAnswer);
    await printAnswer(io, command, json, () => `The password of ${user} is reset; their sessions are signed out.\n${oneTimePasswordText(user, answer.oneTimePassword)}`);
  });
}

export function registerUsers(program: Command, io: CliIo): void {
  const users = program.command('users').description('Writ users (admin; auditors may list)');
  withJsonOption(
    users
      .command('list', { isDefault: true })
      .description('list users')
      .option('--limit <n>', 'at most this many (1-500)', '50')
      .option('--cursor <cursor>', 'the next page, from a previous listing'),
  ).action(async (options: { limit: string; cursor?: string }, command: Command) => {
    const query = { limit: parseCount(options.limit, '--limit', 500), cursor: options.cursor };
    const { answer, json } = await openApiSession(command, io).client.exchange('GET', '/api/v1/users', usersPage, { query });
    await printAnswer(io, command, json, () => formatUserTable(answer.items) + formatMore(answer.nextCursor));
  });
  withJsonOption(users.command('show <user>').description('one user, by user name or id')).action(async (user: string, _options: unknown, command: Command) => {
    const { answer, json } = await openApiSession(command, io).client.exchange('GET', userPath(user), userAnswer);
    await printAnswer(io, command, json, () => formatUser(answer, io.nowMs()));
  });
  registerAdd(users, io);
  registerChanges(users, io);
}
