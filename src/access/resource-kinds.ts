// The kinds of resources Writ guards and the access levels each kind offers.

/** Access levels per resource kind; the gateway of each kind enforces them. */
export const resourceKinds = {
  postgres: { levels: ['read-only', 'read-write'] },
} as const satisfies Record<string, { levels: readonly string[] }>;

export type ResourceKind = keyof typeof resourceKinds;

/** Every level any kind offers, in a stable order. */
export const knownLevels: readonly string[] = [...new Set(Object.values(resourceKinds).flatMap((kind) => kind.levels))];

/**
 * True when `level` is one of the levels resources of `kind` offer.
 * @example isLevelOfKind('postgres', 'read-only') // true
 */
export function isLevelOfKind(kind: ResourceKind, level: string): boolean {
  return (resourceKinds[kind].levels as readonly string[]).includes(level);
}
