// Tests for statement inspection: the facts read from PostgreSQL's parse tree, the limits, and a parser that survives hostile input.
import assert from 'node:assert/strict';
import { before, test } from 'node:test';
import fc from 'fast-check';
import { inspectSql, loadStatementParser, type InspectedStatement } from './statement-inspector.ts';

before(() => loadStatementParser());

function only(sql: string): InspectedStatement {
  const inspection = inspectSql(sql);
  assert.equal(inspection.kind, 'parsed', JSON.stringify(inspection));
  assert.equal(inspection.statements.length, 1);
  const statement = inspection.statements[0];
  assert.ok(statement !== undefined);
  return statement;
}

test('statements are split, named and given their own text', () => {
  const inspection = inspectSql("SELECT 'é' ; -- note\n DROP TABLE t; SELECT 2");
  assert.ok(inspection.kind === 'parsed');
  assert.deepEqual(inspection.kinds, ['SelectStmt', 'DropStmt']);
  assert.deepEqual(inspection.statements.map((statement) => [statement.node, statement.label, statement.text]), [
    ['SelectStmt', 'SELECT', "SELECT 'é'"],
    ['DropStmt', 'DROP TABLE', 'DROP TABLE t'],
    ['SelectStmt', 'SELECT', 'SELECT 2'],
  ]);
  const repeated = inspectSql('SELECT 1; VALUES (2); SHOW x; SELECT 3');
  assert.ok(repeated.kind === 'parsed');
  assert.deepEqual(repeated.kinds, ['SelectStmt', 'VariableShowStmt']);
  assert.deepEqual(repeated.statements.map((statement) => statement.label), ['SELECT', 'VALUES', 'SHOW', 'SELECT']);
});

test('an empty string, blanks, comments and bare semicolons are zero statements', () => {
  for (const sql of ['', '  \n\t', '-- nothing', '/* nothing */', ';;', ' ; -- x\n;']) {
    assert.deepEqual(inspectSql(sql), { kind: 'parsed', statements: [], kinds: [] }, JSON.stringify(sql));
  }
});

test('what cannot be parsed, is too long or holds a NUL is unparseable, with a reason', () => {
  assert.deepEqual(inspectSql('SELEC 1'), { kind: 'unparseable', message: 'syntax error at or near "SELEC"' });
  assert.deepEqual(inspectSql('SELECT 1', { maxLength: 7 }), { kind: 'unparseable', message: 'the statement is longer than 7 characters' });
  assert.equal(inspectSql('SELECT 1', { maxLength: 8 }).kind, 'parsed');
  assert.deepEqual(inspectSql('SELECT 1\u0000; DROP TABLE t'), { kind: 'unparseable', message: 'the statement contains a NUL character' });
});

test('nested writes, functions, SELECT INTO and row locks are found anywhere in the tree', () => {
  const cte = only("WITH d AS (DELETE FROM t RETURNING *), u AS (UPDATE t SET a = 1 WHERE id = 2 RETURNING *) SELECT pg_catalog.Set_Config('a.b', 'c', false), lower(x) FROM d");
  assert.deepEqual(cte.statementNodes, ['SelectStmt', 'DeleteStmt', 'UpdateStmt']);
  assert.deepEqual(cte.modifications, [{ node: 'DeleteStmt', hasWhere: false }, { node: 'UpdateStmt', hasWhere: true }]);
  assert.deepEqual(cte.functions, ['pg_catalog.set_config', 'lower']);
  assert.equal(only('SELECT * INTO t2 FROM t').selectInto, true);
  assert.equal(only('SELECT * FROM t').selectInto, false);
  assert.deepEqual(only('SELECT * FROM (SELECT * FROM t FOR SHARE) s FOR NO KEY UPDATE').lockingClauses, ['FOR SHARE', 'FOR NO KEY UPDATE']);
  assert.deepEqual(only('CALL app.proc(1)').functions, ['app.proc']);
  assert.deepEqual(only('SELECT * FROM generate_series(1, 3) g').functions, ['generate_series']);
});

test('UPDATE and DELETE say whether they have a WHERE clause', () => {
  assert.equal(only('DELETE FROM t').hasWhere, false);
  assert.equal(only('DELETE FROM t WHERE id = 1').hasWhere, true);
  assert.equal(only('DELETE FROM t WHERE CURRENT OF c').hasWhere, true);
  assert.equal(only('UPDATE t SET a = 1').hasWhere, false);
  assert.equal(only('UPDATE t SET a = 1 FROM u WHERE u.id = t.id').hasWhere, true);
  assert.equal(only('SELECT 1').hasWhere, undefined);
});

test('SET and RESET: action, lower-cased name, values, LOCAL', () => {
  assert.deepEqual(only('SET LOCAL search_path TO a, "B"').setting, { action: 'set', name: 'search_path', values: ['a', 'B'], isLocal: true });
  assert.deepEqual(only('SET "Role" TO admin').setting, { action: 'set', name: 'role', values: ['admin'], isLocal: false });
  assert.deepEqual(only('SET SESSION AUTHORIZATION DEFAULT').setting?.name, 'session_authorization');
  assert.deepEqual(only('SET statement_timeout = 0').setting?.values, ['0']);
  assert.deepEqual(only('SET search_path TO DEFAULT').setting?.action, 'set-default');
  assert.deepEqual(only('RESET work_mem').setting, { action: 'reset', name: 'work_mem', values: [], isLocal: false });
  assert.deepEqual(only('RESET ALL').setting, { action: 'reset-all', name: '', values: [], isLocal: false });
  assert.deepEqual(only('SET SESSION CHARACTERISTICS AS TRANSACTION READ WRITE').setting, {
    action: 'set-multi', name: 'session characteristics', values: [], isLocal: false, modes: { access: 'read-write' },
  });
  assert.deepEqual(only('SET TRANSACTION ISOLATION LEVEL SERIALIZABLE, READ ONLY, DEFERRABLE').setting?.modes, { access: 'read-only', isolation: 'serializable', deferrable: true });
});

test('transaction statements: action and modes; READ WRITE anywhere wins', () => {
  assert.deepEqual(only('BEGIN').transaction, { action: 'begin', modes: { access: 'unspecified' } });
  assert.deepEqual(only('START TRANSACTION READ ONLY').transaction, { action: 'start', modes: { access: 'read-only' } });
  assert.deepEqual(only('BEGIN READ WRITE').transaction?.modes.access, 'read-write');
  assert.deepEqual(only('BEGIN READ ONLY, READ WRITE').transaction?.modes.access, 'read-write');
  assert.deepEqual(only('END').transaction?.action, 'commit');
  assert.deepEqual(only('ROLLBACK TO SAVEPOINT s').transaction?.action, 'rollback-to');
  assert.deepEqual(only("PREPARE TRANSACTION 'x'").transaction?.action, 'prepare');
});

test('COPY direction, target and source; EXPLAIN ANALYZE; wrapped statements', () => {
  assert.deepEqual(only('COPY t FROM STDIN').copy, { direction: 'from', target: 'client', source: 'table' });
  assert.deepEqual(only("COPY t TO PROGRAM 'gzip'").copy, { direction: 'to', target: 'program', source: 'table' });
  assert.deepEqual(only("COPY (SELECT 1) TO '/tmp/x'").copy, { direction: 'to', target: 'file', source: 'query' });
  assert.equal(only("COPY (SELECT 1) TO '/tmp/x'").inner?.node, 'SelectStmt');
  assert.deepEqual(only('EXPLAIN SELECT 1').explain, { analyze: false });
  assert.deepEqual(only('EXPLAIN ANALYZE SELECT 1').explain, { analyze: true });
  assert.deepEqual(only('EXPLAIN (ANALYZE) SELECT 1').explain, { analyze: true });
  assert.deepEqual(only('EXPLAIN (ANALYZE false) SELECT 1').explain, { analyze: false });
  assert.equal(only('EXPLAIN ANALYZE DELETE FROM t').label, 'EXPLAIN ANALYZE');
  const prepared = only('PREPARE p AS DELETE FROM t');
  assert.equal(prepared.inner?.node, 'DeleteStmt');
  assert.equal(prepared.inner.hasWhere, false);
  assert.equal(only('DECLARE c CURSOR FOR SELECT 1').inner?.node, 'SelectStmt');
});

test('the parse tree is kept as plain JSON', () => {
  const statement = only('SELECT 1');
  assert.deepEqual(JSON.parse(JSON.stringify(statement.tree)), statement.tree);
  assert.ok(typeof statement.tree === 'object' && statement.tree !== null && 'SelectStmt' in statement.tree);
});

test('statements nested past what the parser can take are unparseable, and the parser stays sound after many', async () => {
  const deep = `SELECT ${'1 + '.repeat(50_000)}1`;
  const reference = 'WITH d AS (DELETE FROM t RETURNING *) SELECT set_config($$a.b$$, $$c$$, false) FROM d';
  const expected = JSON.stringify(inspectSql(reference));
  for (let attempt = 0; attempt < 60; attempt += 1) {
    const inspection = inspectSql(deep);
    assert.equal(inspection.kind, 'unparseable');
    await loadStatementParser();
    assert.equal(JSON.stringify(inspectSql(reference)), expected, `after ${attempt + 1} deep statements`);
  }
});

test('a deeply nested statement the parser can take is walked without recursion', () => {
  const statement = only(`SELECT ${'1 + '.repeat(1_000)}nextval('s')`);
  assert.deepEqual(statement.functions, ['nextval']);
  const parenthesised = only(`SELECT ${'('.repeat(3_000)}1${')'.repeat(3_000)}`);
  assert.equal(parenthesised.node, 'SelectStmt');
});

test('property: inspectSql never throws, whatever the string', () => {
  const sqlish = fc.array(
    fc.constantFrom('SELECT', 'DELETE', 'FROM', 't', '(', ')', ';', ',', "'", '"', '$$', '$a$', '--', '/*', '*/', '\n', ' ', '1', '+', 'WITH', 'AS', 'SET', 'ROLE', 'COPY', 'E\'\\', '\u0000', 'é', '\ud800'),
    { maxLength: 40 },
  ).map((tokens) => tokens.join(' '));
  fc.assert(
    fc.property(fc.oneof(fc.string({ maxLength: 200 }), fc.string({ unit: 'binary', maxLength: 200 }), sqlish), (sql) => {
      const inspection = inspectSql(sql);
      if (inspection.kind === 'parsed') assert.deepEqual(inspection.kinds, [...new Set(inspection.statements.map((statement) => statement.node))]);
      else assert.ok(inspection.message.length > 0);
    }),
    { numRuns: 2_000 },
  );
});
