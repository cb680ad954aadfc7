// `writ grants`: the access you hold (or everyone's, for admins and auditors), with how long each has left.
import type { Command } from 'commander';
import { grantView, pageOf } from '../../http/access-schemas.ts';
import { openApiSession } from '../client/api-session.ts';
import type { CliIo } from '../cli-io.ts';
import { formatGrantTable } from '../format/access-format.ts';
import { printAnswer, withJsonOption } from '../format/answer-output.ts';
import { formatMore } from '../format/table-format.ts';
import { parseChoice, parseCount } from '../input/option-input.ts';

interface GrantListOptions {
  all?: boolean;
  state?: string;
  resource?: string;
  limit?: string;
  cursor?: string;
}

export function registerListGrants(program: Command, io: CliIo): void {
  withJsonOption(
    program
      .command('grants')
      .description('list your grants (or all with --all: admin, auditor)')
      .option('--all', "everyone's grants (admin, auditor)")
      .option('--state <state>', 'open (scheduled or active) or ended')
      .option('--resource <id>', 'only grants on this resource')
      .option('--limit <n>', 'at most this many (1-200)', '50')
      .option('--cursor <cursor>', 'the next page, from a previous listing'),
  ).action(async (options: GrantListOptions, command: Command) => {
    const query = {
      view: options.all === true ? 'all' : 'mine',
      state: options.state === undefined ? undefined : parseChoice(options.state, '--state', ['open', 'ended'] as const),
      resourceId: options.resource,
      limit: parseCount(options.limit ?? '50', '--limit', 200),
      cursor: options.cursor,
    };
    const { answer, json } = await openApiSession(command, io).client.exchange('GET', '/api/v1/grants', pageOf(grantView), { query });
    await printAnswer(io, command, json, () =>
      answer.items.length === 0 && answer.nextCursor === null ? 'No grants.\n' : formatGrantTable(answer.items, io.nowMs()) + formatMore(answer.nextCursor),
    );
  });
}
