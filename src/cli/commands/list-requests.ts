// `writ requests`: my requests, those waiting for my review, or all of them, newest first.
import type { Command } from 'commander';
import { pageOf, requestView } from '../../http/access-schemas.ts';
import { AppError } from '../../shared/app-error.ts';
import { openApiSession } from '../client/api-session.ts';
import type { CliIo } from '../cli-io.ts';
import { formatRequestTable } from '../format/access-format.ts';
import { printAnswer, withJsonOption } from '../format/answer-output.ts';
import { formatMore } from '../format/table-format.ts';
import { parseChoice, parseCount } from '../input/option-input.ts';

const statuses = ['pending', 'approved', 'denied', 'cancelled', 'expired'] as const;

interface ListOptions {
  mine?: boolean;
  toReview?: boolean;
  all?: boolean;
  status?: string;
  limit?: string;
  cursor?: string;
}

type View = 'mine' | 'to-review' | 'all';

function viewOf(options: ListOptions): View {
  const flags: readonly (readonly [boolean | undefined, View])[] = [
    [options.mine, 'mine'],
    [options.toReview, 'to-review'],
    [options.all, 'all'],
  ];
  const chosen = flags.filter(([given]) => given === true).map(([, view]) => view);
  if (chosen.length > 1) throw new AppError('invalid_input', 'give only one of --mine, --to-review and --all');
  return chosen[0] ?? 'mine';
}

const emptyText: Readonly<Record<View, string>> = {
  mine: 'You have no requests. Ask for access with: writ request <resource> --level <level> --for 2h --reason "..."\n',
  'to-review': 'Nothing is waiting for your review.\n',
  all: 'There are no requests.\n',
};

export function registerListRequests(program: Command, io: CliIo): void {
  withJsonOption(
    program
      .command('requests')
      .description('list requests: yours (default), those waiting for your review, or all (admin, auditor)')
      .option('--mine', 'requests you made (the default)')
      .option('--to-review', 'pending requests you may approve or deny')
      .option('--all', 'every request (admin, auditor)')
      .option('--status <status>', `only this status: ${statuses.join(', ')}`)
      .option('--limit <n>', 'at most this many (1-200)', '50')
      .option('--cursor <cursor>', 'the next page, from a previous listing'),
  ).action(async (options: ListOptions, command: Command) => {
    const view = viewOf(options);
    const query = {
      view,
      status: options.status === undefined ? undefined : parseChoice(options.status, '--status', statuses),
      limit: parseCount(options.limit ?? '50', '--limit', 200),
      cursor: options.cursor,
    };
    const { answer, json } = await openApiSession(command, io).client.exchange('GET', '/api/v1/requests', pageOf(requestView), { query });
    await printAnswer(io, command, json, () =>
      answer.items.length === 0 && answer.nextCursor === null ? emptyText[view] : formatRequestTable(answer.items, io.nowMs()) + formatMore(answer.nextCursor),
    );
  });
}
