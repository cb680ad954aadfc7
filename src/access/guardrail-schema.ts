// Guardrails in a policy file: rules the PostgreSQL gateway applies to each statement of a level (no DROP, no DELETE without WHERE).
import { z } from 'zod';
import { flag, slug, text } from './policy-fields.ts';

/**
 * Every statement node PostgreSQL's raw parser produces (PostgreSQL 18, as libpg-query names them).
 * @see https://github.com/postgres/postgres/blob/master/src/include/nodes/parsenodes.h
 */
export const STATEMENT_NODE_NAMES: readonly string[] = [
  'SelectStmt', 'InsertStmt', 'UpdateStmt', 'DeleteStmt', 'MergeStmt', 'ReturnStmt', 'CreateSchemaStmt', 'AlterTableStmt',
  'ReplicaIdentityStmt', 'AlterCollationStmt', 'AlterDomainStmt', 'GrantStmt', 'GrantRoleStmt', 'AlterDefaultPrivilegesStmt',
  'CopyStmt', 'VariableSetStmt', 'VariableShowStmt', 'CreateStmt', 'CreateTableSpaceStmt', 'DropTableSpaceStmt',
  'AlterTableSpaceOptionsStmt', 'AlterTableMoveAllStmt', 'CreateExtensionStmt', 'AlterExtensionStmt', 'AlterExtensionContentsStmt',
  'CreateFdwStmt', 'AlterFdwStmt', 'CreateForeignServerStmt', 'AlterForeignServerStmt', 'CreateForeignTableStmt',
  'CreateUserMappingStmt', 'AlterUserMappingStmt', 'DropUserMappingStmt', 'ImportForeignSchemaStmt', 'CreatePolicyStmt',
  'AlterPolicyStmt', 'CreateAmStmt', 'CreateTrigStmt', 'CreateEventTrigStmt', 'AlterEventTrigStmt', 'CreatePLangStmt',
  'CreateRoleStmt', 'AlterRoleStmt', 'AlterRoleSetStmt', 'DropRoleStmt', 'CreateSeqStmt', 'AlterSeqStmt', 'DefineStmt',
  'CreateDomainStmt', 'CreateOpClassStmt', 'CreateOpFamilyStmt', 'AlterOpFamilyStmt', 'DropStmt', 'TruncateStmt', 'CommentStmt',
  'SecLabelStmt', 'DeclareCursorStmt', 'ClosePortalStmt', 'FetchStmt', 'IndexStmt', 'CreateStatsStmt', 'AlterStatsStmt',
  'CreateFunctionStmt', 'AlterFunctionStmt', 'DoStmt', 'CallStmt', 'RenameStmt', 'AlterObjectDependsStmt', 'AlterObjectSchemaStmt',
  'AlterOwnerStmt', 'AlterOperatorStmt', 'AlterTypeStmt', 'RuleStmt', 'NotifyStmt', 'ListenStmt', 'UnlistenStmt', 'TransactionStmt',
  'CompositeTypeStmt', 'CreateEnumStmt', 'CreateRangeStmt', 'AlterEnumStmt', 'ViewStmt', 'LoadStmt', 'CreatedbStmt',
  'AlterDatabaseStmt', 'AlterDatabaseRefreshCollStmt', 'AlterDatabaseSetStmt', 'DropdbStmt', 'AlterSystemStmt', 'ClusterStmt',
  'VacuumStmt', 'ExplainStmt', 'CreateTableAsStmt', 'RefreshMatViewStmt', 'CheckPointStmt', 'DiscardStmt', 'LockStmt',
  'ConstraintsSetStmt', 'ReindexStmt', 'CreateConversionStmt', 'CreateCastStmt', 'CreateTransformStmt', 'PrepareStmt',
  'ExecuteStmt', 'DeallocateStmt', 'DropOwnedStmt', 'ReassignOwnedStmt', 'AlterTSDictionaryStmt', 'AlterTSConfigurationStmt',
  'CreatePublicationStmt', 'AlterPublicationStmt', 'CreateSubscriptionStmt', 'AlterSubscriptionStmt', 'DropSubscriptionStmt',
];

const byPrefix = (prefix: string): string[] => STATEMENT_NODE_NAMES.filter((name) => name.startsWith(prefix));

/**
 * Friendly statement names a guardrail may use, each standing for the parse nodes listed.
 * `create`, `alter` and `drop` cover every kind of object; `grant` covers REVOKE too (PostgreSQL parses both as one node).
 */
export const GUARDRAIL_STATEMENT_ALIASES: Readonly<Record<string, readonly string[]>> = {
  select: ['SelectStmt'],
  insert: ['InsertStmt'],
  update: ['UpdateStmt'],
  delete: ['DeleteStmt'],
  merge: ['MergeStmt'],
  truncate: ['TruncateStmt'],
  copy: ['CopyStmt'],
  drop: byPrefix('Drop'),
  create: [...byPrefix('Create'), 'DefineStmt', 'IndexStmt', 'ViewStmt', 'CompositeTypeStmt', 'RuleStmt'],
  alter: [...byPrefix('Alter'), 'RenameStmt'],
  grant: ['GrantStmt', 'GrantRoleStmt', 'AlterDefaultPrivilegesStmt'],
  comment: ['CommentStmt'],
  vacuum: ['VacuumStmt'],
  reindex: ['ReindexStmt'],
  cluster: ['ClusterStmt'],
  refresh: ['RefreshMatViewStmt'],
  lock: ['LockStmt'],
  set: ['VariableSetStmt'],
  do: ['DoStmt'],
  call: ['CallStmt'],
  notify: ['NotifyStmt'],
};

/**
 * The parse nodes a guardrail's `statements` stand for: aliases expanded, node names kept.
 * @example guardrailStatementNodes(['truncate', 'DropStmt']) // Set { 'TruncateStmt', 'DropStmt' }
 */
export function guardrailStatementNodes(statements: readonly string[]): ReadonlySet<string> {
  return new Set(statements.flatMap((name) => GUARDRAIL_STATEMENT_ALIASES[name] ?? [name]));
}

/**
 * A guardrail's pattern as it is applied: case-insensitive, anywhere in the statement's text.
 * @example compileGuardrailPattern('pg_sleep').test('SELECT PG_SLEEP(10)') // true
 */
export function compileGuardrailPattern(pattern: string): RegExp {
  return new RegExp(pattern, 'iu');
}

const isKnownStatement = (name: string): boolean => Object.hasOwn(GUARDRAIL_STATEMENT_ALIASES, name) || STATEMENT_NODE_NAMES.includes(name);

const statementName = z
  .string({ error: 'expected a statement name such as drop, truncate or DropStmt' })
  .max(64, { error: 'expected a statement name such as drop, truncate or DropStmt' })
  .refine(isKnownStatement, {
    error: (issue) =>
      `unknown statement "${String(issue.input).slice(0, 64)}": expected one of ${Object.keys(GUARDRAIL_STATEMENT_ALIASES).join(', ')} or a PostgreSQL parse node name such as DropStmt`,
  });

const guardrailPattern = z
  .string({ error: 'expected a regular expression' })
  .min(1, { error: 'expected a regular expression' })
  .max(500, { error: 'expected a regular expression of at most 500 characters' })
  .superRefine((pattern, context) => {
    try {
      compileGuardrailPattern(pattern);
    } catch (error) {
      const why = error instanceof Error ? error.message.replace(/^Invalid regular expression: \/.*\/[a-z]*: /s, '') : 'invalid';
      context.addIssue({ code: 'custom', message: `expected a valid regular expression (${why.slice(0, 120)})`, input: pattern });
    }
  });

const UNQUALIFIABLE = new Set(['UpdateStmt', 'DeleteStmt']);

/** One guardrail: a statement is refused when every condition given holds for it. */
export const guardrailSchema = z
  .strictObject(
    {
      name: slug,
      statements: z.array(statementName, { error: 'expected a list of statement names' }).min(1, { error: 'expected at least one statement name' }).max(32).optional(),
      withoutWhere: flag.optional(),
      pattern: guardrailPattern.optional(),
      message: text(500).optional(),
    },
    { error: 'expected a guardrail mapping with name and statements, withoutWhere or pattern' },
  )
  .refine((rule) => rule.statements !== undefined || rule.withoutWhere === true || rule.pattern !== undefined, {
    error: 'a guardrail needs at least one condition: statements, withoutWhere: true or pattern',
  })
  .refine((rule) => rule.withoutWhere !== true || rule.statements === undefined || [...guardrailStatementNodes(rule.statements)].some((node) => UNQUALIFIABLE.has(node)), {
    error: 'withoutWhere applies to UPDATE and DELETE only, and statements names neither',
    path: ['withoutWhere'],
  });

export type Guardrail = z.output<typeof guardrailSchema>;

/** A list of guardrails, bounded; names are checked for repeats where the lists are combined (see resource-schema.ts). */
export const guardrailListSchema = z.array(guardrailSchema, { error: 'expected a list of guardrails' }).max(64, { error: 'expected at most 64 guardrails' });
