// Cedar policy ids: `<yaml policy>/<rule>[/<detail>]`, so every Cedar decision names the YAML policy and rule behind it.

/** Ids of the policies Writ adds for every document (they name no YAML policy). */
export const builtinPolicyIds = {
  levelOffered: 'writ/level-offered',
  selfApproval: 'writ/self-approval',
} as const;

export type CedarRule =
  | 'request'
  | 'auto-approve'
  | 'break-glass'
  | 'review'
  | 'check-scope'
  | 'check-duration'
  | 'check-reason'
  | 'check-ticket'
  | 'check-break-glass'
  | 'check-break-glass-duration';

export interface CedarPolicyRef {
  readonly policy: string;
  readonly rule: CedarRule;
  /** The auto-approval rule index or the stage name. */
  readonly detail?: string;
}

/**
 * The Cedar id of a YAML policy's rule.
 * @example cedarPolicyId('prod-databases', 'review', 'security') // 'prod-databases/review/security'
 */
export function cedarPolicyId(policy: string, rule: CedarRule, detail?: string): string {
  return detail === undefined ? `${policy}/${rule}` : `${policy}/${rule}/${detail}`;
}

/**
 * Reads an id made by {@link cedarPolicyId}; undefined for built-in ids.
 * @example parseCedarPolicyId('prod-databases/auto-approve/1') // { policy: 'prod-databases', rule: 'auto-approve', detail: '1' }
 */
export function parseCedarPolicyId(id: string): CedarPolicyRef | undefined {
  const [policy, rule, detail] = id.split('/');
  if (policy === undefined || rule === undefined || policy === 'writ') return undefined;
  return detail === undefined ? { policy, rule: rule as CedarRule } : { policy, rule: rule as CedarRule, detail };
}
