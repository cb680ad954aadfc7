// Checks what the server says it did against what Writ judged: reported settings and command tags; a mismatch ends the session.
import { isPinnedSetting, isPinnedValue, PINNED_SETTINGS } from './pinned-settings.ts';

/*
 * The judge reads the text; this reads the server's answers. If they disagree, Writ and the server did not read the
 * same statements (a parser differential), or something Writ cannot see (a function, a trigger) changed the session:
 * either way the session is ended at once and a `gateway.session.violation` records the evidence. On a read-only
 * level, ending it before COMMIT also rolls back whatever the transaction wrote.
 */

export type ViolationKind = 'pinned_setting_changed' | 'read_only_lifted' | 'role_changed' | 'write_in_read_only' | 'unexpected_statement';

export interface Violation {
  readonly kind: ViolationKind;
  /** What the client is told, and the event records. */
  readonly message: string;
  readonly evidence: Readonly<Record<string, string | number>>;
}

/** The statement a command tag answers, as the tracker knows it. */
export interface AnsweredStatement {
  readonly statementIndex: number;
  /** Each statement's parse node, in order; empty when Writ forwarded the text unparsed or it is a bound portal of unknown text. */
  readonly nodes: readonly string[];
  /** Tags already received for this statement (the position of this one). */
  readonly tagsBefore: number;
}

export interface SessionGuard {
  onParameterStatus(name: string, value: string): Violation | undefined;
  onCommandTag(statement: AnsweredStatement | undefined, tag: string): Violation | undefined;
  /** The server asks for COPY data: a write. */
  onCopyIn(statement: AnsweredStatement | undefined): Violation | undefined;
}

/** Commands (tags without their counts) a read-only session may produce. */
const READ_TAGS = [
  'SELECT', 'SHOW', 'EXPLAIN', 'COPY', 'FETCH', 'MOVE', 'DECLARE CURSOR', 'CLOSE CURSOR', 'CLOSE CURSOR ALL', 'PREPARE', 'DEALLOCATE', 'DEALLOCATE ALL',
  'LISTEN', 'UNLISTEN', 'DISCARD PLANS', 'DISCARD SEQUENCES', 'DISCARD TEMP', 'BEGIN', 'START TRANSACTION', 'COMMIT', 'ROLLBACK', 'SAVEPOINT', 'RELEASE',
  'SET', 'RESET',
];

const TRANSACTION_TAGS = ['BEGIN', 'START TRANSACTION', 'COMMIT', 'ROLLBACK', 'SAVEPOINT', 'RELEASE', 'PREPARE TRANSACTION', 'COMMIT PREPARED', 'ROLLBACK PREPARED'];

/** The tags each parse node may answer with; nodes not listed (EXECUTE, CREATE TABLE AS, DDL...) are not compared. */
const EXPECTED_TAGS: Readonly<Record<string, readonly string[]>> = {
  SelectStmt: ['SELECT'],
  InsertStmt: ['INSERT'],
  UpdateStmt: ['UPDATE'],
  DeleteStmt: ['DELETE'],
  MergeStmt: ['MERGE'],
  VariableShowStmt: ['SHOW'],
  VariableSetStmt: ['SET', 'RESET'],
  ExplainStmt: ['EXPLAIN'],
  CopyStmt: ['COPY'],
  FetchStmt: ['FETCH', 'MOVE'],
  DeclareCursorStmt: ['DECLARE CURSOR'],
  ClosePortalStmt: ['CLOSE CURSOR', 'CLOSE CURSOR ALL'],
  PrepareStmt: ['PREPARE'],
  DeallocateStmt: ['DEALLOCATE', 'DEALLOCATE ALL'],
  ListenStmt: ['LISTEN'],
  UnlistenStmt: ['UNLISTEN'],
  DiscardStmt: ['DISCARD ALL', 'DISCARD PLANS', 'DISCARD SEQUENCES', 'DISCARD TEMP'],
  TransactionStmt: TRANSACTION_TAGS,
  DoStmt: ['DO'],
  CallStmt: ['CALL'],
  TruncateStmt: ['TRUNCATE TABLE'],
};

/** Whether the tag's command (its counts left out) is one of `commands`: `INSERT 0 1` is INSERT, never PREPARE TRANSACTION for PREPARE. */
function tagIsOneOf(tag: string, commands: readonly string[]): boolean {
  return commands.includes(commandOf(tag));
}

/** The part of a tag that names the command: `INSERT 0 1` → `INSERT`, `DECLARE CURSOR` stays. */
function commandOf(tag: string): string {
  return tag.replace(/( \d+)+$/, '').slice(0, 64);
}

export interface SessionGuardOptions {
  readonly readOnly: boolean;
  /** The parameters the server reported at startup. */
  readonly startParameters: ReadonlyMap<string, string>;
}

/** @example createSessionGuard({ readOnly: true, startParameters }).onCommandTag({ statementIndex: 0, nodes: ['SelectStmt'], tagsBefore: 0 }, 'DELETE 3')?.kind // 'write_in_read_only' */
export function createSessionGuard(options: SessionGuardOptions): SessionGuard {
  const { readOnly, startParameters } = options;
  const evidenceOf = (statement: AnsweredStatement | undefined, tag: string): Record<string, string | number> => ({
    commandTag: commandOf(tag),
    ...(statement === undefined ? {} : { statementIndex: statement.statementIndex, statementPosition: statement.tagsBefore + 1, statementKinds: statement.nodes.join(', ').slice(0, 500) }),
  });
  return {
    onParameterStatus(name, value) {
      if (isPinnedSetting(name) && !isPinnedValue(name, value)) {
        return {
          kind: 'pinned_setting_changed',
          message: `Writ ended this session: the database reported ${name} = ${value.slice(0, 64)}, but Writ keeps it at ${PINNED_SETTINGS[name] ?? ''} so that it reads statements as the database does`,
          evidence: { parameter: name, value: value.slice(0, 64) },
        };
      }
      if (!readOnly) return undefined;
      if (name === 'default_transaction_read_only' && value !== 'on') {
        return { kind: 'read_only_lifted', message: 'Writ ended this session: the database reported that its read-only default was lifted, which read-only access does not allow', evidence: { parameter: name, value: value.slice(0, 64) } };
      }
      if ((name === 'is_superuser' || name === 'session_authorization') && startParameters.has(name) && startParameters.get(name) !== value) {
        return { kind: 'role_changed', message: `Writ ended this session: the database reported a change of ${name}, which read-only access does not allow`, evidence: { parameter: name, value: value.slice(0, 64) } };
      }
      return undefined;
    },
    onCommandTag(statement, tag) {
      if (readOnly && !tagIsOneOf(tag, READ_TAGS)) {
        return { kind: 'write_in_read_only', message: `Writ ended this session: the database answered ${commandOf(tag)}, which read-only access does not allow`, evidence: evidenceOf(statement, tag) };
      }
      if (statement === undefined || statement.nodes.length === 0) return undefined;
      const node = statement.nodes[statement.tagsBefore];
      if (node === undefined) {
        return { kind: 'unexpected_statement', message: `Writ ended this session: the database ran more statements than Writ saw in the text (it answered ${commandOf(tag)})`, evidence: evidenceOf(statement, tag) };
      }
      const expected = EXPECTED_TAGS[node];
      if (expected !== undefined && !tagIsOneOf(tag, expected)) {
        return { kind: 'unexpected_statement', message: `Writ ended this session: the database answered ${commandOf(tag)} where Writ saw ${node}`, evidence: evidenceOf(statement, tag) };
      }
      return undefined;
    },
    onCopyIn(statement) {
      if (!readOnly) return undefined;
      return { kind: 'write_in_read_only', message: 'Writ ended this session: the database asked for COPY data to write, which read-only access does not allow', evidence: evidenceOf(statement, 'COPY FROM STDIN') };
    },
  };
}
