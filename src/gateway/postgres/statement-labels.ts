// Names of statements as people write them (DROP TABLE, SET role, BEGIN), for refusals and audit events.

/** Statement nodes whose SQL name is not their node name with spaces. */
const SQL_NAMES: Readonly<Record<string, string>> = {
  CreatedbStmt: 'CREATE DATABASE',
  DropdbStmt: 'DROP DATABASE',
  AlterDatabaseStmt: 'ALTER DATABASE',
  IndexStmt: 'CREATE INDEX',
  ViewStmt: 'CREATE VIEW',
  RuleStmt: 'CREATE RULE',
  DefineStmt: 'CREATE',
  CompositeTypeStmt: 'CREATE TYPE',
  CreateStmt: 'CREATE TABLE',
  CreateSeqStmt: 'CREATE SEQUENCE',
  AlterSeqStmt: 'ALTER SEQUENCE',
  CreateTrigStmt: 'CREATE TRIGGER',
  CreateEventTrigStmt: 'CREATE EVENT TRIGGER',
  CreatePLangStmt: 'CREATE LANGUAGE',
  CreateAmStmt: 'CREATE ACCESS METHOD',
  CreateFdwStmt: 'CREATE FOREIGN DATA WRAPPER',
  CreateStatsStmt: 'CREATE STATISTICS',
  CreateOpClassStmt: 'CREATE OPERATOR CLASS',
  CreateOpFamilyStmt: 'CREATE OPERATOR FAMILY',
  RenameStmt: 'ALTER ... RENAME',
  AlterObjectSchemaStmt: 'ALTER ... SET SCHEMA',
  AlterOwnerStmt: 'ALTER ... OWNER',
  RefreshMatViewStmt: 'REFRESH MATERIALIZED VIEW',
  ConstraintsSetStmt: 'SET CONSTRAINTS',
  VariableShowStmt: 'SHOW',
  ClosePortalStmt: 'CLOSE',
  SecLabelStmt: 'SECURITY LABEL',
  DeclareCursorStmt: 'DECLARE CURSOR',
  CheckPointStmt: 'CHECKPOINT',
};

const TRANSACTION_NAMES: Readonly<Record<string, string>> = {
  TRANS_STMT_BEGIN: 'BEGIN',
  TRANS_STMT_START: 'START TRANSACTION',
  TRANS_STMT_COMMIT: 'COMMIT',
  TRANS_STMT_ROLLBACK: 'ROLLBACK',
  TRANS_STMT_SAVEPOINT: 'SAVEPOINT',
  TRANS_STMT_RELEASE: 'RELEASE SAVEPOINT',
  TRANS_STMT_ROLLBACK_TO: 'ROLLBACK TO SAVEPOINT',
  TRANS_STMT_PREPARE: 'PREPARE TRANSACTION',
  TRANS_STMT_COMMIT_PREPARED: 'COMMIT PREPARED',
  TRANS_STMT_ROLLBACK_PREPARED: 'ROLLBACK PREPARED',
};

const text = (value: unknown): string => (typeof value === 'string' ? value : '');

/** `OBJECT_MATVIEW` → `MATERIALIZED VIEW`, `OBJECT_TABLE` → `TABLE`. */
function objectName(objectType: unknown): string {
  const name = text(objectType).replace(/^OBJECT_/, '');
  return name === 'MATVIEW' ? 'MATERIALIZED VIEW' : name.replaceAll('_', ' ');
}

function setLabel(body: Readonly<Record<string, unknown>>): string {
  // Setting names are case-insensitive; quoting one keeps its case, so it is shown lower-cased.
  const name = text(body['name']).toLowerCase();
  switch (body['kind']) {
    case 'VAR_RESET_ALL':
      return 'RESET ALL';
    case 'VAR_RESET':
      return `RESET ${name}`;
    case 'VAR_SET_MULTI':
      return `SET ${name.toUpperCase()}`;
    default:
      return `SET ${name}`;
  }
}

function specificLabel(node: string, body: Readonly<Record<string, unknown>>): string | undefined {
  switch (node) {
    case 'SelectStmt':
      return body['valuesLists'] !== undefined ? 'VALUES' : body['intoClause'] !== undefined ? 'SELECT INTO' : 'SELECT';
    case 'VariableSetStmt':
      return setLabel(body);
    case 'TransactionStmt':
      return TRANSACTION_NAMES[text(body['kind'])] ?? 'TRANSACTION';
    case 'DropStmt':
      return `DROP ${objectName(body['removeType'])}`.trimEnd();
    case 'CopyStmt':
      return body['is_from'] === true ? 'COPY FROM' : 'COPY TO';
    case 'FetchStmt':
      return body['ismove'] === true ? 'MOVE' : 'FETCH';
    case 'DiscardStmt':
      return `DISCARD ${text(body['target']).replace(/^DISCARD_/, '')}`.trimEnd();
    case 'GrantStmt':
    case 'GrantRoleStmt':
      return body['is_grant'] === true ? 'GRANT' : 'REVOKE';
    case 'VacuumStmt':
      return body['is_vacuumcmd'] === true ? 'VACUUM' : 'ANALYZE';
    case 'CreateFunctionStmt':
      return body['is_procedure'] === true ? 'CREATE PROCEDURE' : 'CREATE FUNCTION';
    case 'CreateTableAsStmt':
      return body['objtype'] === 'OBJECT_MATVIEW' ? 'CREATE MATERIALIZED VIEW' : 'CREATE TABLE AS';
    default:
      return SQL_NAMES[node];
  }
}

/**
 * The statement as people name it, from its parse node and the node's fields.
 * @example statementLabel('DropStmt', { removeType: 'OBJECT_TABLE' }) // 'DROP TABLE'
 * @example statementLabel('AlterTableStmt', {}) // 'ALTER TABLE'
 */
export function statementLabel(node: string, body: Readonly<Record<string, unknown>>): string {
  return specificLabel(node, body) ?? node.replace(/Stmt$/, '').replace(/([a-z])([A-Z])/g, '$1 $2').toUpperCase();
}
