// `writ connect`: a short-lived password for the PostgreSQL gateway under my active grant, with a ready psql command.
import type { Command } from 'commander';
import { issuedCredentialView, type IssuedCredentialView } from '../../http/gateway-schemas.ts';
import { openApiSession } from '../client/api-session.ts';
import type { CliIo } from '../cli-io.ts';
import { note, printAnswer, withJsonOption } from '../format/answer-output.ts';
import { formatFields } from '../format/table-format.ts';
import { safeText } from '../format/terminal-text.ts';
import { formatRelative } from '../format/time-format.ts';

interface ConnectOptions {
  level?: string;
}

/**
 * The end as a person reads it: the time of day in UTC, with the date when it is not today.
 * @example formatUntil('2026-11-25T14:05:00Z', Date.parse('2026-11-25T13:00:00Z')) // '14:05 UTC (in 1h 5m)'
 */
export function formatUntil(iso: string, nowMs: number): string {
  const ms = Date.parse(iso);
  if (Number.isNaN(ms)) return iso;
  const at = new Date(ms).toISOString();
  const sameDay = at.slice(0, 10) === new Date(nowMs).toISOString().slice(0, 10);
  return `${sameDay ? '' : `${at.slice(0, 10)} `}${at.slice(11, 16)} UTC (${formatRelative(iso, nowMs)})`;
}

/** The credential as text: the psql line first (what most people want), then each part for other clients. */
export function formatCredential(c: IssuedCredentialView, nowMs: number): string {
  const fields = formatFields([
    ['host', c.host],
    ['port', String(c.port)],
    ['database', c.database],
    ['user', c.user],
    ['password', c.password],
    ['level', c.level],
    ['grant', c.grantId],
  ]);
  return (
    `Connect to ${safeText(c.resourceId)} (${safeText(c.level)}) with:\n\n  ${safeText(c.psqlCommand)}\n\n` +
    `connection string: ${safeText(c.connectionString)}\n\n${fields}\n` +
    `Valid until ${formatUntil(c.expiresAt, nowMs)}, when your grant ends.\n`
  );
}

export function registerConnectResource(program: Command, io: CliIo): void {
  withJsonOption(
    program
      .command('connect <resource>')
      .description('a short-lived password for the PostgreSQL gateway under your active grant, and the psql command that uses it')
      .option('--level <level>', 'which of your grants, when you hold several levels on the resource'),
  ).action(async (resourceId: string, options: ConnectOptions, command: Command) => {
    const body = { resourceId, level: options.level };
    const { answer, json } = await openApiSession(command, io).client.exchange('POST', '/api/v1/gateway/credentials', issuedCredentialView, { body });
    await printAnswer(io, command, json, () => formatCredential(answer, io.nowMs()));
    await note(io, 'The password is shown only this once: Writ keeps no copy. Run writ connect again for a new one.');
  });
}
