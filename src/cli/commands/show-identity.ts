// `writ whoami`: the user, roles, groups and token scopes the server sees for this CLI's credentials.
import type { Command } from 'commander';
import { openApiSession } from '../client/api-session.ts';
import { meAnswer } from '../client/identity-answers.ts';
import type { CliIo } from '../cli-io.ts';
import { printAnswer, withJsonOption } from '../format/answer-output.ts';
import { formatFields } from '../format/table-format.ts';

export function registerShowIdentity(program: Command, io: CliIo): void {
  withJsonOption(program.command('whoami').description('show who the server takes you for: user, roles, groups, token scopes')).action(async (_options: unknown, command: Command) => {
    const session = openApiSession(command, io);
    const { answer, json } = await session.client.exchange('GET', '/api/v1/auth/me', meAnswer);
    const { user } = answer;
    await printAnswer(io, command, json, () =>
      formatFields([
        ['user', user.displayName === undefined || user.displayName === user.username ? user.username : `${user.username} (${user.displayName})`],
        ['roles', user.roles.join(', ')],
        ['groups', answer.groups.length === 0 ? '(none)' : answer.groups.join(', ')],
        ['via', session.tokenSource === 'env' ? `${answer.via} from WRIT_TOKEN` : answer.via],
        ['scopes', answer.scopes.join(', ')],
        ['server', session.server],
        ['password', user.mustChangePassword === true ? 'must be changed (writ passwd)' : undefined],
      ]),
    );
  });
}
