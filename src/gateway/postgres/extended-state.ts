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

/** A Parse forwarded and not yet answered: it becomes a prepared statement only at the server's ParseComplete. */
export interface PendingParse {
  readonly name: string;
  readonly statement: PreparedStatement;
  /** The number of the ReadyForQuery by which the server has answered it. */
  readonly syncNumber: number;
}

export interface ExtendedState {
  /** Statements the server confirmed (ParseComplete). */
  readonly statements: Map<string, PreparedStatement>;
  /** Parses forwarded, oldest first, until the server answers them. */
  readonly pendingParses: PendingParse[];
  readonly portals: Map<string, BoundPortal>;
}

export function createExtendedState(): ExtendedState {
  return { statements: new Map(), pendingParses: [], portals: new Map() };
}

/*
 * Why a Parse is remembered only once the server confirms it: a Parse the server refuses (a duplicate name, 42P05, or
 * a text its parse analysis rejects) leaves the server's statement as it was. Had Writ taken the refused text, every
 * later Execute of that name would be audited as the refused text while the server ran the earlier one.
 */

/**
 * The statement a Bind of `name` runs, as far as Writ knows: the newest Parse of it still in flight (if that Parse
 * fails, the server discards the Bind too), else the confirmed one.
 * @example preparedStatement(state, 's1')?.sql
 */
export function preparedStatement(state: ExtendedState, name: string): PreparedStatement | undefined {
  for (let index = state.pendingParses.length - 1; index >= 0; index -= 1) {
    const pending = state.pendingParses[index];
    if (pending?.name === name) return pending.statement;
  }
  return state.statements.get(name);
}

/** Whether a named statement exists or is being parsed: PostgreSQL refuses to parse it again until it is closed. */
export function isStatementNameTaken(state: ExtendedState, name: string): boolean {
  return name !== '' && (state.statements.has(name) || state.pendingParses.some((pending) => pending.name === name));
}

/** ParseComplete: the oldest Parse in flight is now a prepared statement. */
export function confirmParse(state: ExtendedState): void {
  const pending = state.pendingParses.shift();
  if (pending !== undefined) state.statements.set(pending.name, pending.statement);
}

/** ReadyForQuery number `answered`: the Parses it ends that got no ParseComplete failed or were skipped, so never exist. */
export function dropUnansweredParses(state: ExtendedState, answered: number): void {
  while (state.pendingParses[0] !== undefined && state.pendingParses[0].syncNumber <= answered) state.pendingParses.shift();
}

/** Close of a statement: gone from the server once it gets there, whether confirmed or still in flight. */
export function forgetStatement(state: ExtendedState, name: string): void {
  state.statements.delete(name);
  for (let index = state.pendingParses.length - 1; index >= 0; index -= 1) {
    if (state.pendingParses[index]?.name === name) state.pendingParses.splice(index, 1);
  }
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
