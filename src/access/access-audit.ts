// The audit events of access commands, built in one place so every command records who, what, on which resource and why.
import type { EventInput } from '../events/event-schema.ts';
import { formatEventTime } from '../events/event-time.ts';
import type { AccessActor } from './access-policy.ts';
import type { AccessRequest, Grant } from './access-types.ts';

type Outcome = EventInput['outcome'];

/** The actor of an event: the pseudonymous user id in the entry, the name and addresses beside it (erasable). */
export function auditActor(actor: AccessActor | 'system'): EventInput['actor'] {
  if (actor === 'system') return { kind: 'system', id: 'writ' };
  const out: EventInput['actor'] = { kind: 'user', id: actor.userId, name: actor.username };
  if (actor.ip !== undefined) out.ip = actor.ip;
  if (actor.userAgent !== undefined) out.userAgent = actor.userAgent.slice(0, 1024);
  if (actor.authMethod !== undefined) out.authMethod = actor.authMethod;
  return out;
}

export const isoTime = formatEventTime;

interface EventParts {
  readonly type: string;
  readonly actor: AccessActor | 'system';
  readonly outcome?: Outcome;
  readonly reason?: string | undefined;
  readonly request?: Pick<AccessRequest, 'id' | 'resourceId'>;
  readonly grant?: Pick<Grant, 'id' | 'resourceId'>;
  readonly resourceId?: string;
  readonly data: Record<string, unknown>;
}

/**
 * One access event: targets name the resource, the request and the grant; context carries their ids for filtering.
 * @example accessEvent({ type: 'access.request.cancelled', actor, request, data: { requestId: request.id } })
 */
export function accessEvent(parts: EventParts): EventInput {
  const resourceId = parts.resourceId ?? parts.request?.resourceId ?? parts.grant?.resourceId;
  const targets: NonNullable<EventInput['targets']> = [];
  if (resourceId !== undefined) targets.push({ kind: 'resource', id: resourceId });
  if (parts.request !== undefined) targets.push({ kind: 'request', id: parts.request.id });
  if (parts.grant !== undefined) targets.push({ kind: 'grant', id: parts.grant.id });
  const context: NonNullable<EventInput['context']> = {};
  if (parts.request !== undefined) context.requestId = parts.request.id;
  if (parts.grant !== undefined) context.grantId = parts.grant.id;
  const event: EventInput = { type: parts.type, actor: auditActor(parts.actor), targets, outcome: parts.outcome ?? 'success', data: parts.data };
  if (parts.reason !== undefined && parts.reason !== '') event.reason = parts.reason.slice(0, 1024);
  if (Object.keys(context).length > 0) event.context = context;
  return event;
}

/** `access.grant.created` for a new grant. */
export function grantCreatedEvent(actor: AccessActor | 'system', request: AccessRequest, grant: Grant): EventInput {
  return accessEvent({
    type: 'access.grant.created',
    actor,
    request,
    grant,
    data: {
      grantId: grant.id,
      requestId: request.id,
      resourceId: grant.resourceId,
      level: grant.level,
      startsAt: isoTime(grant.startsAtMs),
      endsAt: isoTime(grant.endsAtMs),
      breakGlass: grant.breakGlass,
    },
  });
}

/** `access.grant.ended` when a grant expires, is revoked or released. */
export function grantEndedEvent(actor: AccessActor | 'system', grant: Grant, reason: string | undefined): EventInput {
  return accessEvent({
    type: 'access.grant.ended',
    actor,
    grant,
    reason,
    data: { grantId: grant.id, endReason: grant.endReason ?? 'expired', endedAt: isoTime(grant.endedAtMs ?? grant.endsAtMs) },
  });
}
