// `writ resources`: what one may ask for, searched by name and filtered by labels.
import type { Command } from 'commander';
import { pageOf, resourceView } from '../../http/access-schemas.ts';
import { AppError } from '../../shared/app-error.ts';
import { openApiSession } from '../client/api-session.ts';
import type { CliIo } from '../cli-io.ts';
import { printAnswer, withJsonOption } from '../format/answer-output.ts';
import { formatTable } from '../format/table-format.ts';
import { collectList } from '../input/option-input.ts';

const LABEL = /^[^=\s]{1,100}(=[^\s]{0,99})?$/;

function checkLabels(labels: readonly string[]): readonly string[] {
  const bad = labels.find((l) => !LABEL.test(l));
  if (bad !== undefined) throw new AppError('invalid_input', `--label "${bad.slice(0, 60)}" must be key=value (or a bare key), such as env=prod`);
  if (labels.length > 16) throw new AppError('invalid_input', 'give at most 16 --label filters');
  return labels;
}

export function registerListResources(program: Command, io: CliIo): void {
  withJsonOption(
    program
      .command('resources')
      .description('list the resources of the policy in force')
      .option('--search <text>', 'id or name contains this')
      .option('--label <key=value>', 'has this label (repeatable; all must match)', collectList, []),
  ).action(async (options: { search?: string; label: string[] }, command: Command) => {
    const query = { q: options.search, label: checkLabels(options.label) };
    const { answer, json } = await openApiSession(command, io).client.exchange('GET', '/api/v1/resources', pageOf(resourceView), { query });
    const rows = answer.items.map((r) => [r.id, r.kind, r.name, r.levels.join(', '), Object.entries(r.labels).map(([k, v]) => `${k}=${v}`).join(' ')]);
    await printAnswer(io, command, json, () => (rows.length === 0 ? 'No resources match.\n' : formatTable(['id', 'kind', 'name', 'levels', 'labels'], rows)));
  });
}
