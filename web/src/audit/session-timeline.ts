// A gateway session from its audit events: start, end, and each statement in order with how it finished or why it was blocked.
import type { AuditEvent } from './audit-queries.ts';

export interface StatementRow {
  readonly statementIndex: number;
  readonly time: string;
  readonly sql: string;
  readonly blocked: boolean;
  /** For a blocked statement: the rule and its message. */
  readonly rule?: string;
  readonly message?: string;
  /** For a run statement, once the server answered. */
  readonly commandTag?: string;
  readonly rowCount?: number;
  readonly durationMs?: number;
  readonly sqlState?: string;
}

export interface SessionTimeline {
  readonly started: AuditEvent | undefined;
  readonly ended: AuditEvent | undefined;
  readonly statements: readonly StatementRow[];
}

type Data = Readonly<Record<string, unknown>>;

const dataOf = (event: AuditEvent): Data => (typeof event.data === 'object' && event.data !== null ? (event.data as Data) : {});
const str = (value: unknown): string | undefined => (typeof value === 'string' ? value : undefined);
const num = (value: unknown): number | undefined => (typeof value === 'number' ? value : undefined);

/** The row without its undefined fields (a row says only what the events said). */
function withDefined(row: { readonly [K in keyof StatementRow]-?: StatementRow[K] | undefined }): StatementRow {
  return Object.fromEntries(Object.entries(row).filter(([, v]) => v !== undefined)) as unknown as StatementRow;
}

/**
 * Orders a session's statements by their index (events may arrive in any order) and joins each to its completion.
 * @example sessionTimeline(events).statements.filter((s) => s.blocked)
 */
export function sessionTimeline(events: readonly AuditEvent[]): SessionTimeline {
  const rows = new Map<number, StatementRow>();
  const completions = new Map<number, Data>();
  let started: AuditEvent | undefined;
  let ended: AuditEvent | undefined;
  for (const event of events) {
    const data = dataOf(event);
    if (event.type === 'gateway.session.started') started = event;
    else if (event.type === 'gateway.session.ended') ended = event;
    else if (event.type === 'gateway.statements.completed' && Array.isArray(data.statements)) {
      for (const done of data.statements as Data[]) {
        const index = num(done.statementIndex);
        if (index !== undefined) completions.set(index, done);
      }
    } else if (event.type === 'gateway.statement.executed' || event.type === 'gateway.statement.blocked') {
      const index = num(data.statementIndex);
      if (index === undefined) continue;
      const blocked = event.type === 'gateway.statement.blocked';
      rows.set(index, withDefined({ statementIndex: index, time: event.time, sql: str(data.sql) ?? '', blocked, rule: blocked ? str(data.rule) : undefined, message: blocked ? str(data.message) : undefined, commandTag: undefined, rowCount: undefined, durationMs: undefined, sqlState: undefined }));
    }
  }
  const statements = [...rows.values()]
    .sort((a, b) => a.statementIndex - b.statementIndex)
    .map((row) => {
      const done = completions.get(row.statementIndex);
      if (done === undefined || row.blocked) return row;
      return withDefined({ rule: undefined, message: undefined, ...row, commandTag: str(done.commandTag), rowCount: num(done.rowCount), durationMs: num(done.durationMs), sqlState: str(done.sqlState) });
    });
  return { started, ended, statements };
}
