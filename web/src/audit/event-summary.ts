// One audit event as a readable row: when, what, who, on what, and the one detail that says most.
import type { AuditEvent } from './audit-queries.ts';

export interface EventSummary {
  readonly type: string;
  readonly time: string;
  readonly actor: string;
  readonly targets: string;
  readonly outcome: AuditEvent['outcome'];
  /** The reason, the SQL, a rule's message: whatever tells most, cut to one line. */
  readonly detail: string;
}

const MAX_DETAIL = 160;

function field(data: unknown, name: string): string | undefined {
  if (typeof data !== 'object' || data === null) return undefined;
  const value = (data as Record<string, unknown>)[name];
  return typeof value === 'string' && value !== '' ? value : undefined;
}

function oneLine(text: string): string {
  const flat = text.replace(/\s+/g, ' ').trim();
  return flat.length > MAX_DETAIL ? `${flat.slice(0, MAX_DETAIL - 1)}…` : flat;
}

/** @example describeEvent(event).actor // 'alice (Alice Liddell)' */
export function describeEvent(event: AuditEvent): EventSummary {
  const name = event.actor.name === undefined ? '' : ` (${event.actor.name})`;
  const actor = `${event.actor.kind === 'user' ? '' : `${event.actor.kind}:`}${event.actor.id}${name}`;
  const targets = event.targets.map((t) => `${t.kind}:${t.id}`).join(', ');
  const message = field(event.data, 'message');
  const sql = field(event.data, 'sql');
  const detail = [event.reason, sql, message, field(event.data, 'comment')].filter((part): part is string => part !== undefined).join(' — ');
  return { type: event.type, time: event.time, actor, targets, outcome: event.outcome, detail: oneLine(detail) };
}

export const OUTCOME_COLOR: Readonly<Record<AuditEvent['outcome'], string>> = { success: 'teal', failure: 'orange', denied: 'red' };
