// What a Cedar query about a request carries: the principal's entities and the context computed in TypeScript (tickets, hours).
import type { CedarValueJson, EntityJson } from '@cedar-policy/cedar-wasm/nodejs';
import { cedarPolicyId } from './cedar-policy-ids.ts';
import { levelReference } from './cedar-compile.ts';
import { cedarUid } from './cedar-text.ts';
import type { AccessRequestInput, Principal } from './policy-decisions.ts';
import { compileTicketPattern, type PolicyDocument } from './policy-schema.ts';
import { isWithinWorkingHours, type WorkingHours } from './policy-working-hours.ts';

/** Longer tickets never match: bounds the work a pattern does on caller input. */
const MAX_TICKET_LENGTH = 256;

/** What the context needs from a document, prepared once per policy version. */
export interface ContextInputs {
  readonly ticketPatterns: ReadonlyMap<string, RegExp>;
  readonly workingHourRules: readonly { readonly id: string; readonly hours: WorkingHours }[];
}

/**
 * Compiles the ticket patterns and collects the working-hours rules of `document`.
 * @example prepareContextInputs(document).ticketPatterns.get('prod-databases') // /^(?:OPS-[0-9]+)$/u
 */
export function prepareContextInputs(document: PolicyDocument): ContextInputs {
  const ticketPatterns = new Map<string, RegExp>();
  const workingHourRules: { id: string; hours: WorkingHours }[] = [];
  for (const policy of document.policies) {
    if (policy.reason.ticketPattern !== undefined) ticketPatterns.set(policy.name, compileTicketPattern(policy.reason.ticketPattern));
    policy.autoApprove.forEach((rule, index) => {
      if (rule.workingHours !== undefined) workingHourRules.push({ id: cedarPolicyId(policy.name, 'auto-approve', String(index)), hours: rule.workingHours });
    });
  }
  return { ticketPatterns, workingHourRules };
}

/** True when the request says why: a reason with something other than spaces. */
export function hasReason(input: Pick<AccessRequestInput, 'reason'>): boolean {
  return input.reason !== undefined && input.reason.trim() !== '';
}

/**
 * The Cedar context of a request: level, duration, whether a reason was given, which policies' ticket
 * patterns the ticket matches, and which auto-approval rules' working hours hold at `nowMs`.
 * @example accessContext(input, inputs) // { level: { __entity: ... }, durationSeconds: 7200, hasReason: true, ticketOk: [], inWorkingHours: [] }
 */
export function accessContext(input: AccessRequestInput, inputs: ContextInputs): Record<string, CedarValueJson> {
  const ticket = input.ticket;
  const ticketOk: string[] = [];
  if (ticket !== undefined && ticket.length <= MAX_TICKET_LENGTH) {
    for (const [policy, pattern] of inputs.ticketPatterns) if (pattern.test(ticket)) ticketOk.push(policy);
  }
  const inWorkingHours = inputs.workingHourRules.filter((rule) => isWithinWorkingHours(input.nowMs, rule.hours)).map((rule) => rule.id);
  return { level: levelReference(input.level), durationSeconds: input.durationSeconds, hasReason: hasReason(input), ticketOk, inWorkingHours };
}

/**
 * The principal's user entity (its groups as parents) and its group entities.
 * @example principalEntities({ user: 'alice', groups: ['engineers'] }).length // 2
 */
export function principalEntities(principal: Principal): EntityJson[] {
  const groups = [...new Set(principal.groups)];
  return [
    { uid: cedarUid('User', principal.user), attrs: {}, parents: groups.map((group) => cedarUid('Group', group)) },
    ...groups.map((group) => ({ uid: cedarUid('Group', group), attrs: {}, parents: [] })),
  ];
}
