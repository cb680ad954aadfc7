// One iterative walk over a statement's parse tree, gathering what the rules look for anywhere in it.
import { settingFacts, type SettingFacts } from './statement-details.ts';

/** A data-modifying statement found in a tree: the statement itself, or one nested in a CTE, EXPLAIN, PREPARE or COPY. */
export interface Modification {
  readonly node: 'InsertStmt' | 'UpdateStmt' | 'DeleteStmt' | 'MergeStmt';
  /** Whether it has a WHERE clause (INSERT and MERGE never do: MERGE has its ON condition). */
  readonly hasWhere: boolean;
}

/** Facts about a whole tree, nested statements included. */
export interface TreeFacts {
  /** Statement nodes in the tree, distinct, the root first. */
  readonly statementNodes: readonly string[];
  readonly modifications: readonly Modification[];
  /** Names of the functions called, lower-cased and qualified as written: `set_config`, `pg_catalog.set_config`. */
  readonly functions: readonly string[];
  /** A SELECT ... INTO somewhere (it creates a table). */
  readonly selectInto: boolean;
  /** Row-locking clauses, as written in SQL: `FOR UPDATE`, `FOR NO KEY UPDATE`, `FOR SHARE`, `FOR KEY SHARE`. */
  readonly lockingClauses: readonly string[];
  /**
   * Every SET or RESET anywhere in the tree, wrapped in a VariableSetStmt node or not (ALTER ROLE ... SET,
   * ALTER DATABASE ... SET, ALTER SYSTEM and a function's SET clause hold it unwrapped).
   */
  readonly settingChanges: readonly SettingFacts[];
  /** The first argument of each set_config call: the setting's name when it is a string constant, else undefined. */
  readonly configCalls: readonly (string | undefined)[];
}


const MODIFYING = new Set(['InsertStmt', 'UpdateStmt', 'DeleteStmt', 'MergeStmt']);

const MERGE_ACTIONS: Readonly<Record<string, 'DeleteStmt' | 'UpdateStmt'>> = { CMD_DELETE: 'DeleteStmt', CMD_UPDATE: 'UpdateStmt' };

const LOCKING_CLAUSES: Readonly<Record<string, string>> = {
  LCS_FORKEYSHARE: 'FOR KEY SHARE',
  LCS_FORSHARE: 'FOR SHARE',
  LCS_FORNOKEYUPDATE: 'FOR NO KEY UPDATE',
  LCS_FORUPDATE: 'FOR UPDATE',
};

interface FactSets {
  readonly statementNodes: Set<string>;
  readonly modifications: Modification[];
  readonly functions: Set<string>;
  readonly lockingClauses: Set<string>;
  readonly settingChanges: SettingFacts[];
  readonly configCalls: (string | undefined)[];
  selectInto: boolean;
}

/** A plain object of the parse tree (arrays are handled apart). */
export function isRecord(value: unknown): value is Readonly<Record<string, unknown>> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** Parse nodes are objects with one key, the node's name, which starts upper-case; fields start lower-case. */
function isNodeName(key: string): boolean {
  const first = key.charCodeAt(0);
  return first >= 65 && first <= 90;
}

/**
 * A function name from a `funcname` list of String nodes, lower-cased; undefined if it is not such a list.
 * @example functionName([{ String: { sval: 'pg_catalog' } }, { String: { sval: 'Set_Config' } }]) // 'pg_catalog.set_config'
 */
export function functionName(funcname: unknown): string | undefined {
  if (!Array.isArray(funcname) || funcname.length === 0) return undefined;
  const parts: string[] = [];
  for (const part of funcname as readonly unknown[]) {
    const value = isRecord(part) && isRecord(part['String']) ? part['String']['sval'] : undefined;
    if (typeof value !== 'string') return undefined;
    parts.push(value.toLowerCase());
  }
  return parts.join('.');
}

function visitNode(name: string, body: Readonly<Record<string, unknown>>, facts: FactSets): void {
  if (name.endsWith('Stmt') && name !== 'RawStmt') facts.statementNodes.add(name);
  if (MODIFYING.has(name)) {
    facts.modifications.push({ node: name as Modification['node'], hasWhere: body['whereClause'] !== undefined && body['whereClause'] !== null });
  }
  // MERGE's actions delete and update rows bounded only by its join: guardrails see them as DELETE and UPDATE without WHERE.
  if (name === 'MergeWhenClause') {
    const action = MERGE_ACTIONS[String(body['commandType'])];
    if (action !== undefined) {
      facts.statementNodes.add(action);
      facts.modifications.push({ node: action, hasWhere: false });
    }
  }
  // ALTER TABLE ... DROP COLUMN destroys data as a DROP does: guardrails on `drop` see it.
  if (name === 'AlterTableCmd' && body['subtype'] === 'AT_DropColumn') facts.statementNodes.add('DropStmt');
  if (name === 'SelectStmt' && body['intoClause'] !== undefined) facts.selectInto = true;
  if (name === 'LockingClause') facts.lockingClauses.add(LOCKING_CLAUSES[String(body['strength'])] ?? 'FOR UPDATE');
  // CALL keeps its FuncCall unwrapped (a field typed FuncCall, not Node), so the walk would not see it as a node.
  const called = name === 'FuncCall' ? body['funcname'] : name === 'CallStmt' && isRecord(body['funccall']) ? body['funccall']['funcname'] : undefined;
  if (called !== undefined) {
    const functionCalled = functionName(called) ?? '?';
    facts.functions.add(functionCalled);
    const args = name === 'FuncCall' ? body['args'] : isRecord(body['funccall']) ? body['funccall']['args'] : undefined;
    if (functionCalled === 'set_config' || functionCalled.endsWith('.set_config')) facts.configCalls.push(firstStringArgument(args));
  }
}

/** A string constant's text, lower-cased and trimmed, or undefined for anything else. */
function stringConstant(node: unknown): string | undefined {
  const constant = isRecord(node) ? node['A_Const'] : undefined;
  const text = isRecord(constant) && isRecord(constant['sval']) ? constant['sval']['sval'] : undefined;
  if (isRecord(constant) && isRecord(constant['sval']) && text === undefined) return '';
  return typeof text === 'string' ? text.trim().toLowerCase() : undefined;
}

function firstStringArgument(args: unknown): string | undefined {
  return Array.isArray(args) ? stringConstant((args as readonly unknown[])[0]) : undefined;
}

/** The body of a SET or RESET, wrapped in a VariableSetStmt node or not: its `kind` is a VariableSetKind (`VAR_SET_VALUE`...). */
function isSettingBody(body: Readonly<Record<string, unknown>>): boolean {
  return typeof body['kind'] === 'string' && body['kind'].startsWith('VAR_');
}

/**
 * Walks `root`, a parse node such as `{ SelectStmt: { ... } }`, with an explicit stack: no recursion, so no depth limit.
 * @example collectTreeFacts({ DeleteStmt: { relation: { relname: 't' } } }).modifications // [{ node: 'DeleteStmt', hasWhere: false }]
 */
export function collectTreeFacts(root: unknown): TreeFacts {
  const facts: FactSets = { statementNodes: new Set(), modifications: [], functions: new Set(), lockingClauses: new Set(), settingChanges: [], configCalls: [], selectInto: false };
  // Pre-order, in the order of the tree: each entry is a value and, when it is a node's body, the node's name.
  const stack: [string | undefined, unknown][] = [[undefined, root]];
  for (let entry = stack.pop(); entry !== undefined; entry = stack.pop()) {
    const [name, value] = entry;
    if (Array.isArray(value)) {
      for (let index = value.length - 1; index >= 0; index -= 1) stack.push([undefined, value[index]]);
      continue;
    }
    if (!isRecord(value)) continue;
    if (name !== undefined) visitNode(name, value, facts);
    if (isSettingBody(value)) facts.settingChanges.push(settingFacts(value));
    const keys = Object.keys(value);
    for (let index = keys.length - 1; index >= 0; index -= 1) {
      const key = keys[index] ?? '';
      const child = value[key];
      if (typeof child === 'object' && child !== null) stack.push([isNodeName(key) ? key : undefined, child]);
    }
  }
  return {
    statementNodes: [...facts.statementNodes],
    modifications: facts.modifications,
    functions: [...facts.functions],
    selectInto: facts.selectInto,
    lockingClauses: [...facts.lockingClauses],
    settingChanges: facts.settingChanges,
    configCalls: facts.configCalls,
  };
}
