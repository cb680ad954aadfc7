// Before a session opens: what the server reported about Writ's own upstream session must match what the level needs.
import { PINNED_SETTINGS, isPinnedValue } from './pinned-settings.ts';
import type { SessionEnforcement } from './statement-judge.ts';

export interface UpstreamRefusal {
  readonly sqlState: string;
  readonly message: string;
  readonly hint?: string;
}

/**
 * Why the upstream session must not be used, from the ParameterStatus values the server sent during startup;
 * undefined when it may. A pinned setting the server did not take, a read-only level whose session is not read-only,
 * or a read-only level connected as a superuser (unless the policy's `allowSuperuser` says so) are refused.
 * @example upstreamSessionRefusal(new Map([['is_superuser', 'on']]), { readOnly: true, allowSuperuser: false, ... }, 'pg-prod')?.sqlState // '42501'
 */
export function upstreamSessionRefusal(parameters: ReadonlyMap<string, string>, enforcement: SessionEnforcement, resourceId: string): UpstreamRefusal | undefined {
  for (const [name, pinned] of Object.entries(PINNED_SETTINGS)) {
    const value = parameters.get(name);
    if (value !== undefined && !isPinnedValue(name, value)) {
      return { sqlState: '08001', message: `Writ could not open a safe session on ${resourceId}: the database kept ${name} = ${value.slice(0, 64)} where Writ needs ${pinned}` };
    }
  }
  if (!enforcement.readOnly) return undefined;
  const readOnlyDefault = parameters.get('default_transaction_read_only');
  if (readOnlyDefault !== undefined && readOnlyDefault !== 'on') {
    return { sqlState: '08001', message: `Writ could not open a read-only session on ${resourceId}: the database did not take default_transaction_read_only = on` };
  }
  if (parameters.get('is_superuser') === 'on' && !enforcement.allowSuperuser) {
    return {
      sqlState: '42501',
      message: `${resourceId}'s read-only level connects to the database as a superuser, so the database itself would not keep the session read-only; Writ refuses it`,
      hint: 'an administrator should give this level a role that can only read (see docs/policy.md), or set allowSuperuser: true on the level to accept the risk openly',
    };
  }
  return undefined;
}
