// `writ policy show` and `writ policy versions`: the policy file in force (or an older version, or its diff) and the history.
import type { Command } from 'commander';
import { openApiSession } from '../client/api-session.ts';
import { policyTextAnswer, policyVersionsPage } from '../client/policy-answers.ts';
import type { CliIo } from '../cli-io.ts';
import { note, printAnswer, wantsJson, withJsonOption } from '../format/answer-output.ts';
import { formatMore, formatTable } from '../format/table-format.ts';
import { formatRelative } from '../format/time-format.ts';
import { parseCount } from '../input/option-input.ts';

export function registerShowPolicy(policy: Command, io: CliIo): void {
  withJsonOption(
    policy
      .command('show')
      .description('print the policy file in force (YAML, exactly as applied), or another version')
      .option('--version <n>', 'this version instead of the one in force')
      .option('--diff', 'with --version: print its changes from the version before instead'),
  ).action(async (options: { version?: string; diff?: boolean }, command: Command) => {
    const version = options.version === undefined ? undefined : parseCount(options.version, '--version', Number.MAX_SAFE_INTEGER);
    const path = version === undefined ? '/api/v1/policy' : `/api/v1/policy/versions/${version}`;
    const { answer, json } = await openApiSession(command, io).client.exchange('GET', path, policyTextAnswer);
    if (!wantsJson(command)) {
      const applied = answer.appliedAt === undefined ? '' : `, applied ${formatRelative(answer.appliedAt, io.nowMs())}${answer.appliedBy === undefined ? '' : ` by ${answer.appliedBy}`}`;
      await note(io, `# policy version ${answer.version} (${answer.digest})${applied}`);
    }
    const shown = options.diff === true && answer.diff !== undefined ? answer.diff : answer.text;
    await printAnswer(io, command, json, () => (shown.endsWith('\n') || shown === '' ? shown : `${shown}\n`));
  });

  withJsonOption(
    policy
      .command('versions')
      .description('list applied policy versions, newest first')
      .option('--limit <n>', 'at most this many (1-100)', '20')
      .option('--cursor <cursor>', 'the next page, from a previous listing'),
  ).action(async (options: { limit: string; cursor?: string }, command: Command) => {
    const query = { limit: parseCount(options.limit, '--limit', 100), cursor: options.cursor };
    const { answer, json } = await openApiSession(command, io).client.exchange('GET', '/api/v1/policy/versions', policyVersionsPage, { query });
    const rows = answer.items.map((v) => [String(v.version), v.digest.slice(0, 19), v.source ?? '', v.appliedBy ?? '', v.appliedAt === undefined ? '' : formatRelative(v.appliedAt, io.nowMs())]);
    await printAnswer(io, command, json, () =>
      rows.length === 0 ? 'No policy has been applied yet (writ policy apply FILE).\n' : formatTable(['version', 'digest', 'source', 'applied by', 'applied'], rows) + formatMore(answer.nextCursor),
    );
  });
}
