// `writ request` and `writ break-glass`: ask for access to a resource, or take it at once in an emergency where policy allows.
import type { Command } from 'commander';
import { requestResult } from '../../http/access-schemas.ts';
import { openApiSession } from '../client/api-session.ts';
import type { CliIo } from '../cli-io.ts';
import { formatRequestResult } from '../format/access-format.ts';
import { printAnswer, withJsonOption } from '../format/answer-output.ts';
import { parseDuration } from '../input/duration-input.ts';
import { parseTimeInput } from '../input/time-input.ts';

interface RequestOptions {
  level: string;
  for: string;
  reason?: string;
  ticket?: string;
  start?: string;
}

function nextStep(result: { request: { status: string; id: string }; grant: unknown }): string {
  if (result.grant !== null) return '';
  return result.request.status === 'pending' ? `\nWaiting for approval; follow it with: writ requests --mine\n` : '';
}

export function registerRequestAccess(program: Command, io: CliIo): void {
  withJsonOption(
    program
      .command('request <resource>')
      .description('ask for access to a resource; the policy decides who must approve')
      .requiredOption('--level <level>', 'access level, such as read-only or read-write')
      .requiredOption('--for <duration>', 'how long, counted from approval (or --start): 90m, 2h, 1d')
      .option('--reason <text>', 'why you need it (most policies require one)')
      .option('--ticket <id>', 'a ticket or incident id')
      .option('--start <time>', 'start later: RFC 3339 or a time from now such as +30m'),
  ).action(async (resourceId: string, options: RequestOptions, command: Command) => {
    const body = {
      resourceId,
      level: options.level,
      durationSeconds: parseDuration(options.for, '--for'),
      reason: options.reason,
      ticket: options.ticket,
      startAt: options.start === undefined ? undefined : parseTimeInput(options.start, '--start', io.nowMs()),
    };
    const { answer, json } = await openApiSession(command, io).client.exchange('POST', '/api/v1/requests', requestResult, { body });
    await printAnswer(io, command, json, () => formatRequestResult(answer, io.nowMs()) + nextStep(answer));
  });

  withJsonOption(
    program
      .command('break-glass <resource>')
      .description('emergency access where policy allows it: granted at once, flagged, announced and reviewed afterwards')
      .requiredOption('--level <level>', 'access level')
      .requiredOption('--for <duration>', 'how long: 30m, 1h')
      .requiredOption('--reason <text>', 'the emergency, in words the reviewers will read'),
  ).action(async (resourceId: string, options: RequestOptions, command: Command) => {
    const body = { resourceId, level: options.level, durationSeconds: parseDuration(options.for, '--for'), reason: options.reason };
    const { answer, json } = await openApiSession(command, io).client.exchange('POST', '/api/v1/break-glass', requestResult, { body });
    await printAnswer(io, command, json, () => `BREAK-GLASS: access granted now and flagged for review.\n\n${formatRequestResult(answer, io.nowMs())}`);
  });
}
