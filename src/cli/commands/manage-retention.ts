// `writ retention show|run [--dry-run]` and `writ hold add|list|release`: retention and legal holds through the API (admin).
import type { Command } from 'commander';
import { AppError } from '../../shared/app-error.ts';
import { openApiSession } from '../client/api-session.ts';
import { holdAnswer, holdsList, retentionOverview, retentionReport, type HoldAnswer, type RetentionOverviewAnswer, type RetentionReportAnswer } from '../client/retention-answers.ts';
import type { CliIo } from '../cli-io.ts';
import { printAnswer, withJsonOption } from '../format/answer-output.ts';
import { formatFields, formatTable } from '../format/table-format.ts';
import { parseTimeInput } from '../input/time-input.ts';

const days = (keep: number | 'forever'): string => (keep === 'forever' ? 'forever' : `${keep} days`);

function formatOverview(answer: RetentionOverviewAnswer): string {
  const rules = answer.rules.map((rule) => [`${rule.typePrefix}*`, days(rule.keepDays)] as const);
  return (
    formatTable(['TYPES', 'KEPT'], [...rules, ['everything else', days(answer.defaultKeepDays)]]) +
    formatFields([
      ['runs every', `${answer.runEveryHours} h (in writ serve)`],
      ['removed so far', `${answer.removedCount} entries`],
      ['retention floor', `${answer.retentionFloor} (every entry from this index on is still held)`],
      ['active holds', String(answer.activeHolds)],
    ])
  );
}

function formatRanges(ranges: readonly (readonly [number, number])[], truncated: boolean): string {
  const text = ranges.map(([first, last]) => (first === last ? `${first}` : `${first}-${last}`)).join(', ');
  return `${text}${truncated ? ', ...' : ''}`;
}

function formatReport(answer: RetentionReportAnswer): string {
  const verb = answer.dryRun ? 'Would remove' : 'Removed';
  const held = answer.heldCount > 0 ? `; ${answer.heldCount} past their period kept by legal holds` : '';
  const where = answer.ranges.length > 0 ? ` (indices ${formatRanges(answer.ranges, answer.rangesTruncated)})` : '';
  const tail = answer.dryRun ? 'Nothing was changed (dry run).\n' : `Recorded on the ledger as run ${answer.runId ?? ''}.\n`;
  return `${verb} the content of ${answer.removedCount} entries${where}${held}.\n${tail}`;
}

function scopeText(hold: HoldAnswer): string {
  const scope = hold.scope;
  if (scope.kind === 'subject') return `subject ${scope.subjectId}`;
  if (scope.kind === 'resource') return `resource ${scope.resourceId}`;
  return `time ${scope.from} to ${scope.to}`;
}

function formatHolds(holds: readonly HoldAnswer[]): string {
  if (holds.length === 0) return 'There are no legal holds.\n';
  return formatTable(['ID', 'HOLDS', 'REASON', 'PLACED', 'RELEASED'], holds.map((h) => [h.id, scopeText(h), h.reason, h.placedAt, h.released === null ? '-' : h.released.at]));
}

interface HoldOptions {
  subject?: string;
  resource?: string;
  from?: string;
  to?: string;
  reason: string;
}

/** The hold's scope from the options: exactly one of --subject, --resource, or --from with --to. */
export function holdScopeOf(options: HoldOptions, nowMs: number): Record<string, string> {
  const given = [options.subject !== undefined, options.resource !== undefined, options.from !== undefined || options.to !== undefined].filter(Boolean).length;
  if (given !== 1) throw new AppError('invalid_input', 'give exactly one of --subject <id>, --resource <id>, or --from <time> with --to <time>');
  if (options.subject !== undefined) return { kind: 'subject', subjectId: options.subject };
  if (options.resource !== undefined) return { kind: 'resource', resourceId: options.resource };
  if (options.from === undefined || options.to === undefined) throw new AppError('invalid_input', 'a hold on a time range needs both --from <time> and --to <time>');
  return { kind: 'time', from: parseTimeInput(options.from, '--from', nowMs), to: parseTimeInput(options.to, '--to', nowMs) };
}

export function registerRetention(program: Command, io: CliIo): void {
  const retention = program.command('retention').description('retention rules: how long entries keep their content (leaf hashes and proofs are kept forever)');
  withJsonOption(retention.command('show', { isDefault: true }).description('the rules in force, what was removed, the retention floor and active holds (admin)')).action(async (_options: unknown, command: Command) => {
    const { answer, json } = await openApiSession(command, io).client.exchange('GET', '/api/v1/retention', retentionOverview);
    await printAnswer(io, command, json, () => formatOverview(answer));
  });
  withJsonOption(
    retention.command('run').description('remove the content of entries past their period and not held, now (admin); recorded on the ledger').option('--dry-run', 'only report what would be removed'),
  ).action(async (options: { dryRun?: boolean }, command: Command) => {
    const body = { dryRun: options.dryRun === true };
    const { answer, json } = await openApiSession(command, io).client.exchange('POST', '/api/v1/retention/run', retentionReport, { body });
    await printAnswer(io, command, json, () => formatReport(answer));
  });
}

export function registerHolds(program: Command, io: CliIo): void {
  const hold = program.command('hold').description('legal holds: entries they cover are never removed by retention');
  withJsonOption(
    hold
      .command('add')
      .description('place a legal hold on a subject, a resource or a time range (admin)')
      .option('--subject <id>', "a subject's user id (entries it acted in or that name it)")
      .option('--resource <id>', 'a resource id (entries that name it as a target)')
      .option('--from <time>', 'start of a time range of event times (RFC 3339, now, -30d)')
      .option('--to <time>', 'end of the time range')
      .requiredOption('--reason <text>', 'why, for the ledger (the matter or request)'),
  ).action(async (options: HoldOptions, command: Command) => {
    const body = { scope: holdScopeOf(options, io.nowMs()), reason: options.reason };
    const { answer, json } = await openApiSession(command, io).client.exchange('POST', '/api/v1/holds', holdAnswer, { body });
    await printAnswer(io, command, json, () => `Placed legal hold ${answer.id} on ${scopeText(answer)}.\n`);
  });
  withJsonOption(hold.command('list', { isDefault: true }).description('legal holds, newest first (admin)').option('--all', 'include released holds')).action(
    async (options: { all?: boolean }, command: Command) => {
      const query = { all: options.all === true ? 'true' : 'false' };
      const { answer, json } = await openApiSession(command, io).client.exchange('GET', '/api/v1/holds', holdsList, { query });
      await printAnswer(io, command, json, () => formatHolds(answer.holds));
    },
  );
  withJsonOption(hold.command('release <id>').description('release a legal hold (admin)').requiredOption('--reason <text>', 'why, for the ledger')).action(
    async (id: string, options: { reason: string }, command: Command) => {
      const path = `/api/v1/holds/${encodeURIComponent(id)}/release`;
      const { answer, json } = await openApiSession(command, io).client.exchange('POST', path, holdAnswer, { body: { reason: options.reason } });
      await printAnswer(io, command, json, () => `Released legal hold ${answer.id} on ${scopeText(answer)}.\n`);
    },
  );
}
