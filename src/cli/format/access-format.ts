// Requests and grants as text: one-screen summaries after a command, tables for the lists.
import type { z } from 'zod';
import type { GrantView, RequestView, requestResult } from '../../http/access-schemas.ts';
import { formatDuration } from './duration-format.ts';
import { formatFields, formatTable } from './table-format.ts';
import { safeText } from './terminal-text.ts';
import { formatRelative, formatWhen } from './time-format.ts';

type RequestResult = z.infer<typeof requestResult>;

function approvers(stage: RequestView['stages'][number]): string {
  const who = [...stage.groups.map((g) => `group ${g}`), ...stage.users.map((u) => `user ${u}`)];
  return who.length === 0 ? 'nobody named' : who.join(', ');
}

/** Each approval stage with its count and who may approve; the current one marked. */
export function formatStages(request: RequestView): string {
  return request.stages
    .map((stage, i) => {
      const current = request.currentStage === i ? '   <- waiting here' : '';
      return `    ${i + 1}. ${safeText(stage.name)}: ${stage.approvals} of ${stage.count} approvals, from ${safeText(approvers(stage))}${current}\n`;
    })
    .join('');
}

function decisionLine(d: RequestView['decisions'][number]): string {
  const changed = [d.durationSeconds === null ? undefined : `for ${formatDuration(d.durationSeconds)}`, d.startAt === null ? undefined : `from ${d.startAt}`].filter((x) => x !== undefined);
  const flags = d.selfApproval ? ' [self-approval]' : '';
  const comment = d.comment === null ? '' : `: "${d.comment}"`;
  return `${d.verdict === 'approve' ? 'approved' : 'denied'} by ${d.reviewer.username}${flags}${changed.length > 0 ? ` (${changed.join(', ')})` : ''}${comment}`;
}

function statusLine(r: RequestView): string {
  if (r.breakGlass) return `${r.status} (break-glass, flagged for review)`;
  if (r.autoApprovedBy !== null) return `${r.status} automatically (rule ${r.autoApprovedBy})`;
  return r.status;
}

/** A request with its stages (while pending) and decisions. */
export function formatRequest(r: RequestView, nowMs: number): string {
  const what = r.kind === 'extension' ? `extend grant ${r.extendsGrantId ?? '?'} by ${formatDuration(r.durationSeconds)}` : `${r.level} on ${r.resourceId} for ${formatDuration(r.durationSeconds)}`;
  const start = r.kind === 'access' ? (r.startAt === null ? 'at approval' : formatWhen(r.startAt, nowMs)) : undefined;
  const head = formatFields([
    ['request', r.id],
    ['status', statusLine(r)],
    ['asks', `${r.requester.username}: ${what}`],
    ['starts', start],
    ['reason', r.reason ?? undefined],
    ['ticket', r.ticket ?? undefined],
    ['policy', r.policy],
    ['decided', r.decidedAt === null ? undefined : formatWhen(r.decidedAt, nowMs)],
    ['lapses', r.status === 'pending' ? `${formatWhen(r.expiresAt, nowMs)} if not decided` : undefined],
  ]);
  const stages = r.status === 'pending' && r.stages.length > 0 ? `  approvals needed:\n${formatStages(r)}` : '';
  const decisions = r.decisions.map((d) => `  ${safeText(decisionLine(d))}\n`).join('');
  return head + stages + decisions;
}

/** A grant: who holds what, from when until when. */
export function formatGrant(g: GrantView, nowMs: number): string {
  return formatFields([
    ['grant', g.id],
    ['state', g.breakGlass ? `${g.state} (break-glass)` : g.state],
    ['holder', g.user.username],
    ['access', `${g.level} on ${g.resourceId}`],
    ['starts', formatWhen(g.startsAt, nowMs)],
    ['ends', formatWhen(g.endsAt, nowMs)],
    ['ended', g.endedAt === null ? undefined : `${formatWhen(g.endedAt, nowMs)}: ${g.endReason ?? 'ended'}${g.endedBy === null ? '' : ` by ${g.endedBy}`}`],
  ]);
}

/** The answer of create, approve, deny, extend and break-glass: the request, then the grant when there is one. */
export function formatRequestResult(result: RequestResult, nowMs: number): string {
  return formatRequest(result.request, nowMs) + (result.grant === null ? '' : `\n${formatGrant(result.grant, nowMs)}`);
}

function stageCell(r: RequestView): string {
  const stage = r.currentStage === null ? undefined : r.stages[r.currentStage];
  return stage === undefined ? '' : `${stage.name} ${stage.approvals}/${stage.count}`;
}

export function formatRequestTable(items: readonly RequestView[], nowMs: number): string {
  const rows = items.map((r) => [
    r.id,
    r.requester.username,
    r.kind === 'extension' ? `${r.resourceId} (extend)` : r.resourceId,
    r.level,
    formatDuration(r.durationSeconds),
    r.breakGlass ? `${r.status}!` : r.status,
    stageCell(r),
    formatRelative(r.createdAt, nowMs),
    r.reason ?? '',
  ]);
  return formatTable(['id', 'requester', 'resource', 'level', 'for', 'status', 'stage', 'asked', 'reason'], rows);
}

export function formatGrantTable(items: readonly GrantView[], nowMs: number): string {
  const rows = items.map((g) => [
    g.id,
    g.user.username,
    g.resourceId,
    g.level,
    g.breakGlass ? `${g.state} (break-glass)` : g.state,
    g.state === 'scheduled' ? formatRelative(g.startsAt, nowMs) : '',
    g.state === 'ended' ? `${formatRelative(g.endedAt ?? g.endsAt, nowMs)}${g.endReason === null ? '' : `, ${g.endReason}`}` : formatRelative(g.endsAt, nowMs),
  ]);
  return formatTable(['id', 'holder', 'resource', 'level', 'state', 'starts', 'ends'], rows);
}
