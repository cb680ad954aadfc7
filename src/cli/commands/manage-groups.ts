// `writ groups ...`: list, add and remove groups, and manage their members (policies name approvers by group).
import type { Command } from 'commander';
import { openApiSession } from '../client/api-session.ts';
import { addedAnswer, groupAnswer, groupsPage, ignoredAnswer, removedAnswer, usersPage } from '../client/identity-answers.ts';
import type { CliIo } from '../cli-io.ts';
import { printAnswer, withJsonOption } from '../format/answer-output.ts';
import { formatGroupTable, formatUserTable } from '../format/identity-format.ts';
import { formatMore } from '../format/table-format.ts';
import { parseCount } from '../input/option-input.ts';

const groupPath = (name: string): string => `/api/v1/groups/${encodeURIComponent(name)}`;
const memberPath = (name: string, user: string): string => `${groupPath(name)}/members/${encodeURIComponent(user)}`;

function withPaging(command: Command): Command {
  return withJsonOption(command.option('--limit <n>', 'at most this many (1-500)', '50').option('--cursor <cursor>', 'the next page, from a previous listing'));
}

const pageQuery = (options: { limit: string; cursor?: string }) => ({ limit: parseCount(options.limit, '--limit', 500), cursor: options.cursor });

function registerMembers(groups: Command, io: CliIo): void {
  withPaging(groups.command('members <name>').description("a group's members")).action(async (name: string, options: { limit: string; cursor?: string }, command: Command) => {
    const { answer, json } = await openApiSession(command, io).client.exchange('GET', `${groupPath(name)}/members`, usersPage, { query: pageQuery(options) });
    await printAnswer(io, command, json, () => (answer.items.length === 0 ? `${name} has no members.\n` : formatUserTable(answer.items) + formatMore(answer.nextCursor)));
  });
  withJsonOption(groups.command('add-member <name> <user>').description('add a user (name or id) to a group')).action(async (name: string, user: string, _options: unknown, command: Command) => {
    const { answer, json } = await openApiSession(command, io).client.exchange('PUT', memberPath(name, user), addedAnswer);
    await printAnswer(io, command, json, () => (answer.added ? `Added ${user} to ${name}.\n` : `${user} was already in ${name}.\n`));
  });
  withJsonOption(groups.command('remove-member <name> <user>').description('remove a user from a group')).action(async (name: string, user: string, _options: unknown, command: Command) => {
    const { answer, json } = await openApiSession(command, io).client.exchange('DELETE', memberPath(name, user), removedAnswer);
    await printAnswer(io, command, json, () => (answer.removed ? `Removed ${user} from ${name}.\n` : `${user} was not in ${name}.\n`));
  });
}

export function registerGroups(program: Command, io: CliIo): void {
  const groups = program.command('groups').description('groups of users, which policies name as requesters and approvers');
  withPaging(groups.command('list', { isDefault: true }).description('list groups')).action(async (options: { limit: string; cursor?: string }, command: Command) => {
    const { answer, json } = await openApiSession(command, io).client.exchange('GET', '/api/v1/groups', groupsPage, { query: pageQuery(options) });
    await printAnswer(io, command, json, () => (answer.items.length === 0 ? 'There are no groups.\n' : formatGroupTable(answer.items) + formatMore(answer.nextCursor)));
  });
  withJsonOption(groups.command('add <name>').description('create a group (admin)').option('--description <text>', 'what the group is for')).action(async (name: string, options: { description?: string }, command: Command) => {
    const { answer, json } = await openApiSession(command, io).client.exchange('POST', '/api/v1/groups', groupAnswer, { body: { name, description: options.description } });
    await printAnswer(io, command, json, () => `Created group ${answer.name}.\n`);
  });
  withJsonOption(groups.command('remove <name>').description('delete a group (admin)')).action(async (name: string, _options: unknown, command: Command) => {
    const { json } = await openApiSession(command, io).client.exchange('DELETE', groupPath(name), ignoredAnswer);
    await printAnswer(io, command, json, () => `Deleted group ${name}.\n`);
  });
  registerMembers(groups, io);
}
