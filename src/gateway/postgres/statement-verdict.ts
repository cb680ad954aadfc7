// The decision of an enforcement rule about a query string: allowed, or refused by a named rule with a reason for people.

/** `rule` names what refused (`read-only`, `unparseable`, a guardrail's name); `message` says what was refused and why. */
export type StatementVerdict = { readonly kind: 'allow' } | { readonly kind: 'deny'; readonly rule: string; readonly message: string };

export const ALLOW: StatementVerdict = Object.freeze({ kind: 'allow' });

/** @example deny('read-only', 'read-only access refuses DROP TABLE: only reads are allowed') */
export function deny(rule: string, message: string): StatementVerdict {
  return { kind: 'deny', rule, message };
}
