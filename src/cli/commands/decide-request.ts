// `writ approve`, `writ deny` and `writ cancel`: decide a request at its current stage, or withdraw your own.
import type { Command } from 'commander';
import { requestResult, requestView, type RequestView } from '../../http/access-schemas.ts';
import { openApiSession } from '../client/api-session.ts';
import type { CliIo } from '../cli-io.ts';
import { formatRequest, formatRequestResult } from '../format/access-format.ts';
import { printAnswer, withJsonOption } from '../format/answer-output.ts';
import { parseDuration } from '../input/duration-input.ts';
import { parseTimeInput } from '../input/time-input.ts';

const requestPath = (id: string, action: string): string => `/api/v1/requests/${encodeURIComponent(id)}/${action}`;

function outcome(r: RequestView, verb: string): string {
  if (r.status === 'pending') {
    const stage = r.currentStage === null ? undefined : r.stages[r.currentStage];
    const waiting = stage === undefined ? 'still pending' : `still pending: stage ${stage.name} has ${stage.approvals} of ${stage.count} approvals`;
    return `You ${verb} request ${r.id}; it is ${waiting}.\n\n`;
  }
  return `You ${verb} request ${r.id}; it is now ${r.status}.\n\n`;
}

export function registerDecideRequest(program: Command, io: CliIo): void {
  withJsonOption(
    program
      .command('approve <request>')
      .description('approve a request at its current stage, optionally for less time or from later')
      .option('--for <duration>', 'shorten the access to this (90m, 1h)')
      .option('--start <time>', 'move the start: RFC 3339 or a time from now such as +30m')
      .option('--comment <text>', 'a note for the requester and the audit trail'),
  ).action(async (id: string, options: { for?: string; start?: string; comment?: string }, command: Command) => {
    const body = {
      comment: options.comment,
      durationSeconds: options.for === undefined ? undefined : parseDuration(options.for, '--for'),
      startAt: options.start === undefined ? undefined : parseTimeInput(options.start, '--start', io.nowMs()),
    };
    const { answer, json } = await openApiSession(command, io).client.exchange('POST', requestPath(id, 'approve'), requestResult, { body });
    await printAnswer(io, command, json, () => outcome(answer.request, 'approved') + formatRequestResult(answer, io.nowMs()));
  });

  withJsonOption(
    program
      .command('deny <request>')
      .description('deny a request, telling the requester why')
      .requiredOption('--comment <text>', 'why, for the requester and the audit trail'),
  ).action(async (id: string, options: { comment: string }, command: Command) => {
    const { answer, json } = await openApiSession(command, io).client.exchange('POST', requestPath(id, 'deny'), requestResult, { body: { comment: options.comment } });
    await printAnswer(io, command, json, () => outcome(answer.request, 'denied') + formatRequestResult(answer, io.nowMs()));
  });

  withJsonOption(program.command('cancel <request>').description('withdraw your own pending request')).action(async (id: string, _options: unknown, command: Command) => {
    const { answer, json } = await openApiSession(command, io).client.exchange('POST', requestPath(id, 'cancel'), requestView);
    await printAnswer(io, command, json, () => `Cancelled request ${answer.id}.\n\n${formatRequest(answer, io.nowMs())}`);
  });
}
