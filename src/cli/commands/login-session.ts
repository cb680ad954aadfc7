// `writ login` and `writ logout`: trade a user name and password for a stored API token, and give it back.
import { hostname } from 'node:os';
import type { Command } from 'commander';
import { AppError, isAppError } from '../../shared/app-error.ts';
import { createApiClient } from '../client/api-client.ts';
import { openApiSession, storedLogin } from '../client/api-session.ts';
import { removeCredentials, writeCredentials } from '../client/credentials.ts';
import { credentialsPath } from '../client/credentials.ts';
import { cliTokenAnswer, ignoredAnswer } from '../client/identity-answers.ts';
import type { CliIo } from '../cli-io.ts';
import { note, printAnswer, withJsonOption } from '../format/answer-output.ts';
import { formatWhen } from '../format/time-format.ts';
import { canPrompt, promptLine, promptNewSecret, promptSecret, readStdinLines } from '../input/secret-input.ts';

interface LoginOptions {
  username?: string;
  passwordStdin?: boolean;
}

/** The current password, and a new one if the server says it must be changed first. */
interface Passwords {
  current: string;
  replacement(): Promise<string>;
}

async function passwordsFor(io: CliIo, options: LoginOptions, username: string, server: string): Promise<Passwords> {
  if (options.passwordStdin === true) {
    const [current = '', next] = await readStdinLines(io.stdin, 1, 'the password');
    return {
      current,
      replacement: () => {
        if (next === undefined || next === '') throw new AppError('forbidden', 'your password must be changed first: give the new one as the second line of standard input, or run writ login on a terminal');
        return Promise.resolve(next);
      },
    };
  }
  if (!canPrompt(io.stdin)) throw new AppError('invalid_input', 'there is no terminal to ask for the password on: pipe it in with --password-stdin');
  const current = await promptSecret(io, `Password for ${username} at ${server}: `);
  return { current, replacement: () => note(io, 'Your password must be changed before you go on.').then(() => promptNewSecret(io, 'password')) };
}

async function usernameFor(io: CliIo, options: LoginOptions, storedName: string | undefined): Promise<string> {
  if (options.username !== undefined) return options.username;
  if (storedName !== undefined) return storedName;
  if (!canPrompt(io.stdin)) throw new AppError('invalid_input', 'give the user name with --username');
  const typed = await promptLine(io, 'Username: ');
  if (typed === '') throw new AppError('invalid_input', 'the user name must not be empty');
  return typed;
}

function mustChangePassword(error: unknown): boolean {
  return isAppError(error, 'forbidden') && error.details?.passwordChangeRequired === true;
}

/** A refused sign-in in the server's words, without the client's "run writ login" hint (this is writ login). */
function signInRefused(error: unknown): unknown {
  if (!isAppError(error, 'unauthorized')) return error;
  const detail = error.details?.detail;
  return new AppError('unauthorized', typeof detail === 'string' ? detail : 'the server refused the sign-in');
}

async function login(command: Command, io: CliIo, options: LoginOptions): Promise<void> {
  const session = openApiSession(command, io, { anonymous: true });
  const sameServer = session.stored?.server === session.server ? session.stored : undefined;
  const username = await usernameFor(io, options, sameServer?.username);
  const passwords = await passwordsFor(io, options, username, session.server);
  const body = { username, password: passwords.current, name: `writ CLI on ${hostname()}`.slice(0, 128) };
  const signIn = (extra: { newPassword?: string }) =>
    session.client.exchange('POST', '/api/v1/auth/cli-token', cliTokenAnswer, { body: { ...body, ...extra } }).catch((error: unknown) => {
      throw signInRefused(error);
    });
  const exchange = await signIn({}).catch(async (error: unknown) => {
    if (!mustChangePassword(error)) throw error;
    return signIn({ newPassword: await passwords.replacement() });
  });
  const { token, tokenId, expiresAt, user } = exchange.answer;
  writeCredentials(session.credentialsFile, { server: session.server, token, tokenId, username: user.username, expiresAt });
  if (io.env.WRIT_TOKEN !== undefined && io.env.WRIT_TOKEN !== '') {
    await note(io, 'writ: note: WRIT_TOKEN is set, so commands send it rather than this login');
  }
  const json = typeof exchange.json === 'object' && exchange.json !== null ? { ...exchange.json, token: undefined, server: session.server } : {};
  await printAnswer(io, command, json, () => {
    const expiry = expiresAt === null ? 'does not expire' : `expires ${formatWhen(expiresAt, io.nowMs())}`;
    return `Logged in to ${session.server} as ${user.username} (${user.roles.join(', ')}); the token ${expiry}.\n`;
  });
}

async function logout(command: Command, io: CliIo): Promise<void> {
  const file = credentialsPath(io.env);
  const stored = storedLogin(file);
  if (stored === undefined) {
    removeCredentials(file);
    await printAnswer(io, command, {}, () => 'Not logged in.\n');
    return;
  }
  const client = createApiClient(stored.server, stored.token, { fetch: io.fetch });
  try {
    // Signing out with the token revokes it, whatever scopes it carries.
    await client.call('POST', '/api/v1/auth/logout', ignoredAnswer);
  } catch (error) {
    // Already revoked or expired: the server has forgotten it, which is what logging out wants.
    if (!isAppError(error, 'unauthorized') && !isAppError(error, 'not_found')) {
      removeCredentials(file);
      const code = isAppError(error) ? error.code : 'internal';
      const until = stored.expiresAt === null ? 'until it is revoked' : `until ${stored.expiresAt}`;
      throw new AppError(code, `logged out here, but the token was not revoked on ${stored.server} (${(error as Error).message}); it stays valid ${until}`);
    }
  }
  removeCredentials(file);
  await printAnswer(io, command, {}, () => `Logged out of ${stored.server}; the token is revoked.\n`);
}

export function registerLogin(program: Command, io: CliIo): void {
  withJsonOption(
    program
      .command('login')
      .description('sign in to a Writ server and store an API token (12 hours) for the other commands')
      .option('--username <name>', 'your Writ user name (default: the last one used)')
      .option('--password-stdin', 'read the password from standard input (a second line: the new password, if it must be changed)'),
  ).action((options: LoginOptions, command: Command) => login(command, io, options));
  withJsonOption(program.command('logout').description('revoke the stored token on its server and forget it')).action((_options: unknown, command: Command) => logout(command, io));
}
