// The extended query protocol as the gateway tracks it: which text each prepared statement and portal runs.
import type { Judgement } from './statement-judge.ts';

/** Most named statements or portals one session may hold (PostgreSQL has no limit; Writ bounds its memory). */
export const MAX_NAMED_OBJECTS = 10_000;

export interface PreparedStatement {
  readonly sql: string;
  readonly judgement: Judgement;
}

export interface BoundPortal {
  readonly sql: string;
  readonly statementKinds: readonly string[];
  /** The statement's parse node (one: Parse takes a single statement); empty when unknown. */
  readonly statementNodes: readonly string[];
  readonly parameterCount: number;
  readonly parameters: readonly (string | null)[] | undefined;
}

export interface ExtendedState {
  readonly statements: Map<string, PreparedStatement>;
  readonly portals: Map<string, BoundPortal>;
}

export function createExtendedState(): ExtendedState {
  return { statements: new Map(), portals: new Map() };
}

/**
 * What an Execute of a statement Writ did not see parsed runs: a statement made with SQL `PREPARE`,
 * whose text was checked when it was prepared.
 * @example sqlPreparedElsewhere('p1') // 'EXECUTE "p1"'
 */
export function sqlPreparedElsewhere(name: string): string {
  return `EXECUTE "${name.replaceAll('"', '""')}"`;
}

/**
 * Bind values as the audit may show them: text as sent, binary as `\x` hex, SQL NULL as null.
 * @example describeParameters([Buffer.from('42'), null], [0]) // ['42', null]
 */
export function describeParameters(parameters: readonly (Buffer | null)[], formats: readonly number[]): (string | null)[] {
  return parameters.map((value, index) => {
    if (value === null) return null;
    const format = formats.length === 1 ? formats[0] : formats[index];
    return format === 1 ? `\\x${value.subarray(0, 512).toString('hex')}` : value.toString('utf8', 0, Math.min(value.length, 1024));
  });
}
