// Tests for the gateway enforcement fields of a postgres resource: readOnly, guardrails and logParameters per level.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { isAppError } from '../shared/app-error.ts';
import { GUARDRAIL_STATEMENT_ALIASES, STATEMENT_NODE_NAMES, compileGuardrailPattern, guardrailStatementNodes } from './guardrail-schema.ts';
import { parsePolicyFile } from './policy-file.ts';
import { samplePolicyYaml } from './policy-fixtures.ts';
import { formatPolicyProblem, type PolicyProblem } from './policy-problems.ts';
import { levelEnforcement, resourceSchema, toPublicResource, type Resource } from './resource-schema.ts';

const base = {
  id: 'pg-prod',
  kind: 'postgres',
  name: 'Payments',
  connection: { host: 'db.internal', database: 'payments' },
};

function resourceWith(extra: Record<string, unknown>, levels: Record<string, unknown> = {}): Resource {
  return resourceSchema.parse({
    ...base,
    ...extra,
    levels: { 'read-only': { username: 'writ_ro' }, 'read-write': { username: 'writ_rw' }, ...levels },
  });
}

function issuesOf(extra: Record<string, unknown>, levels: Record<string, unknown> = {}): string[] {
  const result = resourceSchema.safeParse({ ...base, ...extra, levels: { 'read-only': { username: 'writ_ro' }, 'read-write': { username: 'writ_rw' }, ...levels } });
  assert.equal(result.success, false, 'expected the resource to be refused');
  return result.error.issues.map((issue) => `${issue.path.join('.')}: ${issue.message}`);
}

function problemsOf(source: string): string[] {
  try {
    parsePolicyFile(source);
  } catch (error) {
    assert.ok(isAppError(error, 'invalid_input'), String(error));
    return (error.details?.problems as PolicyProblem[]).map(formatPolicyProblem);
  }
  assert.fail('expected the file to be refused');
}

test('without enforcement fields, read-only is read-only, read-write is not, parameters are redacted', () => {
  const resource = resourceWith({});
  assert.deepEqual(levelEnforcement(resource, 'read-only'), { readOnly: true, guardrails: [], logParameters: false, allowSuperuser: false });
  assert.deepEqual(levelEnforcement(resource, 'read-write'), { readOnly: false, guardrails: [], logParameters: false, allowSuperuser: false });
});

test('a level may be made read-only and may log parameters', () => {
  const resource = resourceWith({}, { 'read-write': { username: 'writ_rw', readOnly: true, logParameters: true } });
  assert.deepEqual(levelEnforcement(resource, 'read-write'), { readOnly: true, guardrails: [], logParameters: true, allowSuperuser: false });
});

test('the read-only level cannot be made writable', () => {
  assert.deepEqual(issuesOf({}, { 'read-only': { username: 'writ_ro', readOnly: false } }), [
    'levels.read-only.readOnly: the read-only level is always read-only: offer read-write for changes',
  ]);
});

test("a level's guardrails come after the resource's", () => {
  const resource = resourceWith(
    { guardrails: [{ name: 'no-drop', statements: ['drop', 'truncate'] }] },
    { 'read-write': { username: 'writ_rw', guardrails: [{ name: 'no-unqualified-writes', statements: ['update', 'delete'], withoutWhere: true, message: 'Add a WHERE clause.' }] } },
  );
  assert.deepEqual(
    levelEnforcement(resource, 'read-write').guardrails.map((rule) => rule.name),
    ['no-drop', 'no-unqualified-writes'],
  );
  assert.deepEqual(levelEnforcement(resource, 'read-only').guardrails.map((rule) => rule.name), ['no-drop']);
});

test('a level the resource does not offer gets the defaults and the resource guardrails', () => {
  const resource = resourceWith({ guardrails: [{ name: 'no-drop', statements: ['drop'] }] });
  assert.deepEqual(levelEnforcement(resource, 'admin'), { readOnly: false, guardrails: resource.guardrails, logParameters: false, allowSuperuser: false });
  assert.equal(levelEnforcement(resource, 'toString').readOnly, false);
});

test('guardrail names are unique among the rules that apply to a level', () => {
  assert.deepEqual(issuesOf({ guardrails: [{ name: 'a', statements: ['drop'] }, { name: 'a', pattern: 'x' }] }), ['guardrails.1.name: duplicate guardrail name "a"']);
  assert.deepEqual(issuesOf({ guardrails: [{ name: 'a', statements: ['drop'] }] }, { 'read-write': { username: 'u', guardrails: [{ name: 'a', pattern: 'x' }] } }), [
    `levels.read-write.guardrails.0.name: guardrail name "a" is used by the resource's guardrails too`,
  ]);
  assert.deepEqual(issuesOf({}, { 'read-write': { username: 'u', guardrails: [{ name: 'b', pattern: 'x' }, { name: 'b', pattern: 'y' }] } }), [
    'levels.read-write.guardrails.1.name: duplicate guardrail name "b"',
  ]);
  const levelsShareAName = resourceWith({}, { 'read-only': { username: 'r', guardrails: [{ name: 'b', pattern: 'x' }] }, 'read-write': { username: 'w', guardrails: [{ name: 'b', pattern: 'y' }] } });
  assert.equal(levelEnforcement(levelsShareAName, 'read-write').guardrails.length, 1);
});

test('guardrail fields are checked: names, statements, conditions, patterns, bounds', () => {
  assert.match(issuesOf({ guardrails: [{ name: 'No Drop', statements: ['drop'] }] }).join('\n'), /guardrails\.0\.name: expected an id/);
  assert.match(issuesOf({ guardrails: [{ name: 'x', statements: ['dorp'] }] }).join('\n'), /guardrails\.0\.statements\.0: unknown statement "dorp": expected one of select, insert/);
  assert.match(issuesOf({ guardrails: [{ name: 'x', statements: ['dropstmt'] }] }).join('\n'), /unknown statement "dropstmt"/);
  assert.match(issuesOf({ guardrails: [{ name: 'x', statements: [] }] }).join('\n'), /expected at least one statement name/);
  assert.match(issuesOf({ guardrails: [{ name: 'x' }] }).join('\n'), /a guardrail needs at least one condition/);
  assert.match(issuesOf({ guardrails: [{ name: 'x', withoutWhere: false }] }).join('\n'), /a guardrail needs at least one condition/);
  assert.match(issuesOf({ guardrails: [{ name: 'x', statements: ['drop'], withoutWhere: true }] }).join('\n'), /guardrails\.0\.withoutWhere: withoutWhere applies to UPDATE and DELETE only/);
  assert.match(issuesOf({ guardrails: [{ name: 'x', pattern: 'drop (table' }] }).join('\n'), /guardrails\.0\.pattern: expected a valid regular expression \(/);
  assert.match(issuesOf({ guardrails: [{ name: 'x', pattern: 'a'.repeat(501) }] }).join('\n'), /at most 500 characters/);
  assert.match(issuesOf({ guardrails: [{ name: 'x', pattern: 'a', message: '' }] }).join('\n'), /guardrails\.0\.message: expected text/);
  assert.match(issuesOf({ guardrails: [{ name: 'x', pattern: 'a', extra: 1 }] }).join('\n'), /guardrails\.0/);
  assert.match(issuesOf({ guardrails: Array.from({ length: 65 }, (_, index) => ({ name: `g${index}`, pattern: 'a' })) }).join('\n'), /at most 64 guardrails/);
  assert.match(issuesOf({}, { 'read-write': { username: 'u', readOnly: 'yes' } }).join('\n'), /levels\.read-write\.readOnly: expected true or false/);
  assert.match(issuesOf({}, { 'read-write': { username: 'u', logParameters: 1 } }).join('\n'), /levels\.read-write\.logParameters: expected true or false/);
});

test('aliases stand for parse nodes that exist; node names are accepted as they are', () => {
  for (const [alias, nodes] of Object.entries(GUARDRAIL_STATEMENT_ALIASES)) {
    assert.ok(nodes.length > 0, alias);
    for (const node of nodes) assert.ok(STATEMENT_NODE_NAMES.includes(node), `${alias}: ${node}`);
  }
  assert.deepEqual([...guardrailStatementNodes(['truncate', 'DropStmt'])], ['TruncateStmt', 'DropStmt']);
  assert.ok(guardrailStatementNodes(['drop']).has('DropdbStmt'));
  assert.ok(guardrailStatementNodes(['create']).has('CreateTableAsStmt'));
  assert.ok(guardrailStatementNodes(['alter']).has('AlterSystemStmt'));
  assert.equal(guardrailStatementNodes(['drop']).has('CreateStmt'), false);
  assert.equal(compileGuardrailPattern('pg_sleep').test('SELECT PG_SLEEP(1)'), true);
});

test('the public view shows enforcement per level, still without credentials', () => {
  const resource = resourceWith(
    { guardrails: [{ name: 'no-drop', statements: ['drop'] }] },
    { 'read-only': { username: 'writ_ro', password: 'env:PG_RO' }, 'read-write': { username: 'writ_rw', password: 'file:/run/secrets/rw', logParameters: true } },
  );
  const view = toPublicResource(resource);
  assert.deepEqual(view.enforcement['read-write'], { readOnly: false, guardrails: [{ name: 'no-drop', statements: ['drop'] }], logParameters: true, allowSuperuser: false });
  assert.equal(view.enforcement['read-only']?.readOnly, true);
  const text = JSON.stringify(view);
  for (const secret of ['env:', 'file:', 'writ_ro', 'writ_rw', 'password', 'username']) assert.equal(text.includes(secret), false, secret);
});

test('a policy file with guardrails validates; a bad one is located by line and field path', () => {
  const withRules = samplePolicyYaml.replace(
    'read-write: { username: writ_rw, password: file:/run/secrets/pg-prod-rw }',
    [
      'read-write:',
      '        username: writ_rw',
      '        password: file:/run/secrets/pg-prod-rw',
      '        guardrails:',
      '          - { name: no-drop, statements: [drop, truncate] }',
      '          - { name: no-unqualified-writes, statements: [update, delete], withoutWhere: true }',
    ].join('\n'),
  );
  const { document } = parsePolicyFile(withRules);
  const prod = document.resources[0];
  assert.ok(prod !== undefined);
  assert.deepEqual(levelEnforcement(prod, 'read-write').guardrails.map((rule) => rule.name), ['no-drop', 'no-unqualified-writes']);
  const broken = withRules.replace('statements: [drop, truncate]', 'statements: [drop, trunc]');
  const lines = broken.split('\n');
  const line = lines.findIndex((text) => text.includes('trunc]')) + 1;
  const column = (lines[line - 1] ?? '').indexOf('trunc]') + 1;
  assert.deepEqual(problemsOf(broken), [
    `writ.policy.yaml:${line}:${column}: resources[0].levels["read-write"].guardrails[0].statements[1]: unknown statement "trunc": expected one of ${Object.keys(GUARDRAIL_STATEMENT_ALIASES).join(', ')} or a PostgreSQL parse node name such as DropStmt, got "trunc"`,
  ]);
});
