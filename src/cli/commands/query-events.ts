// `writ events query`: search the audit log by time, actor, type, target, outcome, request, grant or reason text (auditor or admin; log:read for tokens).
import type { Command } from 'commander';
import { openApiSession } from '../client/api-session.ts';
import { eventsPage, type EventAnswer } from '../client/event-answers.ts';
import type { CliIo } from '../cli-io.ts';
import { printAnswer, withJsonOption } from '../format/answer-output.ts';
import { formatMore, formatTable } from '../format/table-format.ts';
import { formatTime } from '../format/time-format.ts';
import { parseChoice, parseCount } from '../input/option-input.ts';
import { parseTimeInput } from '../input/time-input.ts';

interface QueryOptions {
  from?: string;
  to?: string;
  actor?: string;
  type?: string;
  target?: string;
  outcome?: string;
  request?: string;
  grant?: string;
  text?: string;
  limit: string;
  cursor?: string;
  order?: string;
}

function eventRow(index: number, e: EventAnswer): string[] {
  // The name when the log still has it (personal data may be erased); --json has both.
  return [String(index), formatTime(e.time), e.type, e.actor.name ?? e.actor.id, e.outcome, e.targets.map((t) => `${t.kind}:${t.id}`).join(' '), e.reason ?? ''];
}

export function registerQueryEvents(program: Command, io: CliIo): void {
  const events = program.command('events').description('the audit trail, through the server');
  withJsonOption(
    events
      .command('query')
      .description('search events, newest first (auditor or admin; a token needs log:read)')
      .option('--from <time>', 'at or after: RFC 3339, or -1h for an hour ago')
      .option('--to <time>', 'before: RFC 3339 or -10m')
      .option('--actor <id>', 'actor id')
      .option('--type <type>', 'event type, or a prefix ending in *, such as access.request.*')
      .option('--target <kind:id>', 'a target, such as resource:pg-prod')
      .option('--outcome <outcome>', 'success, failure or denied')
      .option('--request <id>', 'events of this access request')
      .option('--grant <id>', 'events of this grant')
      .option('--text <words>', 'the reason contains this (any case)')
      .option('--order <order>', 'desc (newest first) or asc')
      .option('--limit <n>', 'at most this many (1-500)', '100')
      .option('--cursor <cursor>', 'the next page, from a previous search'),
  ).action(async (options: QueryOptions, command: Command) => {
    const nowMs = io.nowMs();
    const query = {
      from: options.from === undefined ? undefined : parseTimeInput(options.from, '--from', nowMs),
      to: options.to === undefined ? undefined : parseTimeInput(options.to, '--to', nowMs),
      actor: options.actor,
      type: options.type,
      target: options.target,
      outcome: options.outcome === undefined ? undefined : parseChoice(options.outcome, '--outcome', ['success', 'failure', 'denied'] as const),
      requestId: options.request,
      grantId: options.grant,
      reason: options.text,
      order: options.order === undefined ? undefined : parseChoice(options.order, '--order', ['desc', 'asc'] as const),
      limit: parseCount(options.limit, '--limit', 500),
      cursor: options.cursor,
    };
    const { answer, json } = await openApiSession(command, io).client.exchange('GET', '/api/v1/events', eventsPage, { query });
    const rows = answer.events.map((e) => eventRow(e.index, e.event));
    await printAnswer(io, command, json, () =>
      (rows.length === 0 ? 'No events match.\n' : formatTable(['index', 'time', 'type', 'actor', 'outcome', 'targets', 'reason'], rows)) + formatMore(answer.next),
    );
  });
}
