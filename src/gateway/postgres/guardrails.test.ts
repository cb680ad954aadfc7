// Tests for policy guardrails: each condition alone and together, nested statements, messages, and failing closed.
import assert from 'node:assert/strict';
import { before, test } from 'node:test';
import { guardrailSchema, type Guardrail } from '../../access/guardrail-schema.ts';
import { evaluateGuardrails } from './guardrails.ts';
import { inspectSql, loadStatementParser } from './statement-inspector.ts';
import type { StatementVerdict } from './statement-verdict.ts';

before(() => loadStatementParser());

const rule = (fields: Record<string, unknown>): Guardrail => guardrailSchema.parse(fields);

const noDrop = rule({ name: 'no-drop', statements: ['drop', 'truncate'] });
const unqualified = rule({ name: 'no-unqualified-writes', statements: ['update', 'delete'], withoutWhere: true, message: 'Add a WHERE clause.' });
const anyUnqualified = rule({ name: 'where-required', withoutWhere: true });
const noSleep = rule({ name: 'no-sleep', pattern: 'pg_sleep' });
const usersDelete = rule({ name: 'no-user-delete', statements: ['DeleteStmt'], pattern: '\\busers\\b' });
const prodRules = [noDrop, unqualified];

const verdictOf = (sql: string, rules: readonly Guardrail[] = prodRules): StatementVerdict => evaluateGuardrails(inspectSql(sql), rules);

const REFUSED: readonly (readonly [string, readonly Guardrail[], string, string])[] = [
  ['DROP TABLE t', prodRules, 'no-drop', 'guardrail no-drop refuses DROP TABLE'],
  ['drop view if exists v cascade', prodRules, 'no-drop', 'guardrail no-drop refuses DROP VIEW'],
  ['DROP DATABASE app', prodRules, 'no-drop', 'guardrail no-drop refuses DROP DATABASE'],
  ['DROP ROLE bob', prodRules, 'no-drop', 'DROP ROLE'],
  ['TRUNCATE t', prodRules, 'no-drop', 'guardrail no-drop refuses TRUNCATE'],
  ['SELECT 1; TRUNCATE t', prodRules, 'no-drop', 'refuses TRUNCATE (statement 2 of 2)'],
  ['DELETE FROM t', prodRules, 'no-unqualified-writes', 'guardrail no-unqualified-writes refuses DELETE without WHERE: Add a WHERE clause.'],
  ['UPDATE t SET a = 1', prodRules, 'no-unqualified-writes', 'UPDATE without WHERE'],
  ['/* WHERE id = 1 */ DELETE FROM t -- WHERE id = 1', prodRules, 'no-unqualified-writes', 'DELETE without WHERE'],
  ["DELETE FROM t RETURNING 'WHERE'", prodRules, 'no-unqualified-writes', 'DELETE without WHERE'],
  ['WITH d AS (DELETE FROM t RETURNING *) SELECT * FROM d', prodRules, 'no-unqualified-writes', 'SELECT containing DELETE without WHERE'],
  ['EXPLAIN ANALYZE UPDATE t SET a = 1', prodRules, 'no-unqualified-writes', 'EXPLAIN ANALYZE containing UPDATE without WHERE'],
  ['PREPARE p AS DELETE FROM t', prodRules, 'no-unqualified-writes', 'PREPARE containing DELETE without WHERE'],
  ['WITH d AS (DELETE FROM t WHERE id = 1 RETURNING *) UPDATE u SET a = 1', [anyUnqualified], 'where-required', 'UPDATE without WHERE'],
  ['SELECT pg_sleep(10)', [noSleep], 'no-sleep', 'guardrail no-sleep refuses SELECT matching /pg_sleep/'],
  ['select PG_SLEEP(10)', [noSleep], 'no-sleep', 'SELECT matching /pg_sleep/'],
  ['DELETE FROM users WHERE id = 1', [usersDelete], 'no-user-delete', 'guardrail no-user-delete refuses DELETE'],
  ['SELEC 1', prodRules, 'unparseable', 'could not be parsed'],
];

const ALLOWED: readonly (readonly [string, readonly Guardrail[]])[] = [
  ['SELECT * FROM t', prodRules],
  ['DELETE FROM t WHERE id = 1', prodRules],
  ['UPDATE t SET a = 1 WHERE id = 1', prodRules],
  ['DELETE FROM t WHERE CURRENT OF c', prodRules],
  ['INSERT INTO t VALUES (1)', prodRules],
  ['CREATE TABLE x (a int)', prodRules],
  ["SELECT 'DROP TABLE t'", prodRules],
  ['SELECT "truncate" FROM "drop"', prodRules],
  ['UPDATE t SET a = 1', [noDrop]],
  ['DELETE FROM t', [rule({ name: 'updates-need-where', statements: ['update'], withoutWhere: true })]],
  ['WITH d AS (DELETE FROM t WHERE id = 1 RETURNING *) SELECT * FROM d', prodRules],
  ['SELECT 1', [noSleep]],
  ['DELETE FROM accounts WHERE id = 1', [usersDelete]],
  ['SELECT * FROM users', [usersDelete]],
  ['DROP TABLE t', []],
  ['SELEC 1', []],
  ['', prodRules],
];

test('statements matching a guardrail are refused, named by the guardrail', () => {
  for (const [sql, rules, name, fragment] of REFUSED) {
    const verdict = verdictOf(sql, rules);
    assert.ok(verdict.kind === 'deny', `expected ${JSON.stringify(sql)} to be refused`);
    assert.equal(verdict.rule, name, sql);
    assert.ok(verdict.message.includes(fragment), `${JSON.stringify(sql)}: ${JSON.stringify(verdict.message)} should contain ${JSON.stringify(fragment)}`);
  }
});

test('statements matching no guardrail are allowed', () => {
  for (const [sql, rules] of ALLOWED) assert.deepEqual(verdictOf(sql, rules), { kind: 'allow' }, JSON.stringify(sql));
});

test('the first matching guardrail in order decides', () => {
  const noDelete = rule({ name: 'no-delete', statements: ['delete'] });
  const ruleOf = (verdict: StatementVerdict): string => (verdict.kind === 'deny' ? verdict.rule : 'allowed');
  assert.equal(ruleOf(verdictOf('DELETE FROM t', [noDelete, unqualified])), 'no-delete');
  assert.equal(ruleOf(verdictOf('DELETE FROM t', [unqualified, noDelete])), 'no-unqualified-writes');
});

test('a guardrail with several conditions needs all of them', () => {
  const dropUsers = rule({ name: 'keep-users', statements: ['drop'], pattern: 'users' });
  assert.equal(verdictOf('DROP TABLE users', [dropUsers]).kind, 'deny');
  assert.equal(verdictOf('DROP TABLE orders', [dropUsers]).kind, 'allow');
  assert.equal(verdictOf('SELECT * FROM users', [dropUsers]).kind, 'allow');
});

test('compiled guardrails are reused, and a rule keeps working across calls', () => {
  for (let round = 0; round < 3; round += 1) {
    assert.equal(verdictOf('SELECT pg_sleep(1)', [noSleep]).kind, 'deny');
    assert.equal(verdictOf('SELECT 1', [noSleep]).kind, 'allow');
  }
});

test('a MERGE that deletes or updates counts as a DELETE or UPDATE without WHERE; ALTER TABLE ... DROP COLUMN counts as a drop', () => {
  const noUnbounded = [rule({ name: 'no-unbounded', statements: ['delete', 'update'], withoutWhere: true })];
  const noDrop = [rule({ name: 'no-drop', statements: ['drop'] })];
  const judge = (sql: string, rules: readonly Guardrail[]): string => {
    const verdict = evaluateGuardrails(inspectSql(sql), rules);
    return verdict.kind === 'deny' ? verdict.message : 'allow';
  };
  assert.match(judge('MERGE INTO t USING s ON true WHEN MATCHED THEN DELETE', noUnbounded), /MERGE containing DELETE without WHERE/);
  assert.match(judge('MERGE INTO t USING s ON t.id = s.id WHEN MATCHED AND s.gone THEN UPDATE SET v = 1', noUnbounded), /MERGE containing UPDATE without WHERE/);
  assert.equal(judge('MERGE INTO t USING s ON t.id = s.id WHEN NOT MATCHED THEN INSERT VALUES (s.id)', noUnbounded), 'allow');
  assert.match(judge('ALTER TABLE t DROP COLUMN payload', noDrop), /ALTER TABLE containing DROP/);
  assert.equal(judge('ALTER TABLE t ADD COLUMN payload text', noDrop), 'allow');
});
