// `writ revoke` and `writ extend`: end a grant now, or ask for more time on it (the policy decides who approves).
import type { Command } from 'commander';
import { grantView, requestResult } from '../../http/access-schemas.ts';
import { openApiSession } from '../client/api-session.ts';
import type { CliIo } from '../cli-io.ts';
import { formatGrant, formatRequestResult } from '../format/access-format.ts';
import { printAnswer, withJsonOption } from '../format/answer-output.ts';
import { parseDuration } from '../input/duration-input.ts';

const grantPath = (id: string, action: string): string => `/api/v1/grants/${encodeURIComponent(id)}/${action}`;

export function registerChangeGrant(program: Command, io: CliIo): void {
  withJsonOption(
    program
      .command('revoke <grant>')
      .description('end a grant now: your own, or one you approved, or any as an admin')
      .option('--reason <text>', 'why, for the audit trail'),
  ).action(async (id: string, options: { reason?: string }, command: Command) => {
    const { answer, json } = await openApiSession(command, io).client.exchange('POST', grantPath(id, 'revoke'), grantView, { body: { reason: options.reason } });
    await printAnswer(io, command, json, () => `Revoked grant ${answer.id}.\n\n${formatGrant(answer, io.nowMs())}`);
  });

  withJsonOption(
    program
      .command('extend <grant>')
      .description('ask to move the end of your grant; approved like a request')
      .requiredOption('--by <duration>', 'how much longer: 30m, 1h')
      .option('--reason <text>', 'why you need more time')
      .option('--ticket <id>', 'ticket, where the policy asks for one'),
  ).action(async (id: string, options: { by: string; reason?: string; ticket?: string }, command: Command) => {
    const body = { bySeconds: parseDuration(options.by, '--by'), reason: options.reason, ticket: options.ticket };
    const { answer, json } = await openApiSession(command, io).client.exchange('POST', grantPath(id, 'extend'), requestResult, { body });
    const head = answer.grant === null ? `Extension request ${answer.request.id} is ${answer.request.status}.\n\n` : `Grant ${answer.grant.id} extended.\n\n`;
    await printAnswer(io, command, json, () => head + formatRequestResult(answer, io.nowMs()));
  });
}
