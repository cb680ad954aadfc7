// The catalogue of Writ's own event types, one family per file, looked up by type name.
import { accessEvents } from './access-events.ts';
import { authEvents } from './auth-events.ts';
import type { EventDefinition } from './event-definition.ts';
import { gatewayEvents } from './gateway-events.ts';
import { identityEvents } from './identity-events.ts';
import { ledgerEvents } from './ledger-events.ts';

export type { EventDefinition } from './event-definition.ts';

/** Every Writ event type, in catalogue order. */
export const eventCatalogue: readonly EventDefinition[] = [...ledgerEvents, ...authEvents, ...identityEvents, ...accessEvents, ...gatewayEvents];

const byType = new Map<string, EventDefinition>();
for (const definition of eventCatalogue) {
  if (byType.has(definition.type)) throw new Error(`catalogue: "${definition.type}" is defined twice`);
  byType.set(definition.type, definition);
}

/**
 * The catalogue entry of a Writ event type, or undefined.
 * @example findEventDefinition('auth.login.failed')?.version // 1
 */
export function findEventDefinition(type: string): EventDefinition | undefined {
  return byType.get(type);
}
