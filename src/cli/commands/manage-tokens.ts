// `writ tokens ...`: API tokens for scripts, services and AI agents: list, create (the secret is shown once) and revoke.
import type { Command } from 'commander';
import { AppError } from '../../shared/app-error.ts';
import { openApiSession } from '../client/api-session.ts';
import { createdTokenAnswer, ignoredAnswer, tokensPage } from '../client/identity-answers.ts';
import type { CliIo } from '../cli-io.ts';
import { note, printAnswer, withJsonOption } from '../format/answer-output.ts';
import { formatDuration } from '../format/duration-format.ts';
import { formatTokenTable } from '../format/identity-format.ts';
import { formatMore } from '../format/table-format.ts';
import { parseDuration } from '../input/duration-input.ts';
import { collectList, parseCount } from '../input/option-input.ts';

interface CreateOptions {
  scope: string[];
  expires?: string;
  owner?: string;
}

function registerCreate(tokens: Command, io: CliIo): void {
  withJsonOption(
    tokens
      .command('create <name>')
      .description('create an API token; its secret is shown this once')
      .option('--scope <scope>', 'a scope such as requests:write, events:write, log:read (repeatable, or comma-separated)', collectList, [])
      .option('--expires <duration>', 'expire after this long: 30d, 12h (default: never)')
      .option('--owner <user>', 'issue it to another user, such as a service account (admin)'),
  ).action(async (name: string, options: CreateOptions, command: Command) => {
    if (options.scope.length === 0) throw new AppError('invalid_input', 'give at least one --scope, such as --scope requests:read');
    const expiresInSeconds = options.expires === undefined ? undefined : parseDuration(options.expires, '--expires');
    const body = { name, scopes: options.scope, expiresInSeconds, ownerId: options.owner };
    const { answer, json } = await openApiSession(command, io).client.exchange('POST', '/api/v1/tokens', createdTokenAnswer, { body });
    await note(io, 'writ: this is the only time the token is shown: keep it in a secret store, never in a file others can read');
    const expiry = expiresInSeconds === undefined ? 'never expires' : `expires in ${formatDuration(expiresInSeconds)}`;
    await printAnswer(io, command, json, () => `Created API token ${name} (id ${answer.tokenId}, scopes ${options.scope.join(', ')}); it ${expiry}.\n\n  ${answer.token}\n\n`);
  });
}

export function registerTokens(program: Command, io: CliIo): void {
  const tokens = program.command('tokens').description('API tokens for scripts, services and AI agents');
  withJsonOption(
    tokens
      .command('list', { isDefault: true })
      .description('list your API tokens (never their secrets)')
      .option('--all', "every user's tokens (admin)")
      .option('--limit <n>', 'at most this many (1-500)', '50')
      .option('--cursor <cursor>', 'the next page, from a previous listing'),
  ).action(async (options: { all?: boolean; limit: string; cursor?: string }, command: Command) => {
    const query = { all: options.all === true ? 'true' : undefined, limit: parseCount(options.limit, '--limit', 500), cursor: options.cursor };
    const { answer, json } = await openApiSession(command, io).client.exchange('GET', '/api/v1/tokens', tokensPage, { query });
    await printAnswer(io, command, json, () =>
      answer.items.length === 0 ? 'No API tokens.\n' : formatTokenTable(answer.items, io.nowMs(), options.all === true) + formatMore(answer.nextCursor),
    );
  });
  registerCreate(tokens, io);
  withJsonOption(tokens.command('revoke <id>').description('revoke an API token at once')).action(async (id: string, _options: unknown, command: Command) => {
    const { json } = await openApiSession(command, io).client.exchange('DELETE', `/api/v1/tokens/${encodeURIComponent(id)}`, ignoredAnswer);
    await printAnswer(io, command, json, () => `Revoked API token ${id}.\n`);
  });
}
