// `writ policy test`: could this user request this access, and who would approve? Nothing is changed.
import type { Command } from 'commander';
import { openApiSession } from '../client/api-session.ts';
import { policyTestAnswer, type PolicyTestAnswer } from '../client/policy-answers.ts';
import type { CliIo } from '../cli-io.ts';
import { printAnswer, withJsonOption } from '../format/answer-output.ts';
import { formatDuration } from '../format/duration-format.ts';
import { safeLines } from '../format/terminal-text.ts';
import { parseDuration } from '../input/duration-input.ts';
import { parseTimeInput } from '../input/time-input.ts';

interface TestOptions {
  user?: string;
  resource: string;
  level: string;
  for: string;
  reason?: string;
  ticket?: string;
  at?: string;
}

function decisionText(d: PolicyTestAnswer['decision']): string {
  switch (d.kind) {
    case 'deny':
      return `DENIED\n${d.reasons.map((r) => `  - ${r}\n`).join('')}`;
    case 'auto-approve':
      return `APPROVED AUTOMATICALLY by rule ${d.rule} of policy ${d.policy} (up to ${formatDuration(d.maxDurationSeconds)})\n`;
    case 'needs-approval':
      return `NEEDS APPROVAL under policy ${d.policy} (up to ${formatDuration(d.maxDurationSeconds)})\n`;
  }
}

function stageText(stage: PolicyTestAnswer['stages'][number], i: number): string {
  const named = [...stage.groups.map((g) => `group ${g}`), ...stage.users.map((u) => `user ${u}`)].join(', ') || 'nobody named';
  const head = `  ${i + 1}. ${stage.name}: ${stage.count} approval${stage.count === 1 ? '' : 's'} from ${named}\n`;
  if (stage.approvers === undefined) return head;
  const people = stage.approvers.map((a) => (a.flags.length === 0 ? a.user : `${a.user} [${a.flags.join(', ')}]`));
  const who = people.length === 0 ? 'nobody' : people.join(', ');
  const warning = stage.satisfiable === false ? `      WARNING: fewer people can approve than this stage needs\n` : '';
  return `${head}      could approve: ${who}\n${warning}`;
}

/** The decision, the stages with who could approve, and what break-glass would answer. */
export function formatPolicyTest(answer: PolicyTestAnswer): string {
  const stages = answer.stages.length === 0 ? '' : `approval stages:\n${answer.stages.map(stageText).join('')}`;
  const glass = answer.breakGlass.kind === 'break-glass' ? `allowed (tells ${answer.breakGlass.notify.join(', ') || 'nobody'})` : `not allowed (${answer.breakGlass.reasons.join('; ')})`;
  return safeLines(`${decisionText(answer.decision)}${stages}break-glass: ${glass}\n`);
}

export function registerTestPolicy(policy: Command, io: CliIo): void {
  withJsonOption(
    policy
      .command('test')
      .description('ask the policy in force whether a request would be allowed and who could approve it; changes nothing')
      .option('--user <name>', 'on behalf of this user (admin, auditor); default: you')
      .requiredOption('--resource <id>', 'resource id, such as pg-prod')
      .requiredOption('--level <level>', 'access level, such as read-write')
      .requiredOption('--for <duration>', 'how long: 90m, 2h, 1d')
      .option('--reason <text>', 'the reason to test with')
      .option('--ticket <id>', 'the ticket to test with')
      .option('--at <time>', 'decide as at this time (working hours): RFC 3339 or +2h'),
  ).action(async (options: TestOptions, command: Command) => {
    const body = {
      username: options.user,
      resourceId: options.resource,
      level: options.level,
      durationSeconds: parseDuration(options.for, '--for'),
      reason: options.reason,
      ticket: options.ticket,
      at: options.at === undefined ? undefined : parseTimeInput(options.at, '--at', io.nowMs()),
    };
    const { answer, json } = await openApiSession(command, io).client.exchange('POST', '/api/v1/policy/test', policyTestAnswer, { body });
    await printAnswer(io, command, json, () => formatPolicyTest(answer));
  });
}
