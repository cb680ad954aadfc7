// Tests for reading policy files: every problem located by file, line, column and field path.
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { test } from 'node:test';
import { isAppError } from '../shared/app-error.ts';
import { parsePolicyFile } from './policy-file.ts';
import { samplePolicyYaml } from './policy-fixtures.ts';
import { formatPolicyProblem, type PolicyProblem } from './policy-problems.ts';

function problemsOf(source: string): string[] {
  try {
    parsePolicyFile(source);
  } catch (error) {
    assert.ok(isAppError(error, 'invalid_input'), String(error));
    return (error.details?.problems as PolicyProblem[]).map(formatPolicyProblem);
  }
  assert.fail('expected the file to be refused');
}

test('the sample file validates, with defaults filled in', () => {
  const { document, warnings } = parsePolicyFile(samplePolicyYaml);
  assert.deepEqual(warnings, []);
  assert.equal(document.resources.length, 2);
  const dev = document.policies[1];
  const devResource = document.resources[1];
  assert.ok(dev !== undefined && devResource !== undefined);
  assert.equal(dev.pendingTtl, '24h');
  assert.equal(dev.approval.onDenial, 'deny');
  assert.deepEqual(dev.breakGlass, { allowed: false, notify: [] });
  assert.equal(devResource.connection.port, 5432);
  assert.equal(devResource.connection.tls, 'require');
});

test('the example in examples/ validates', () => {
  const text = readFileSync(new URL('../../examples/writ.policy.yaml', import.meta.url), 'utf8');
  const { document, warnings } = parsePolicyFile(text, { fileName: 'examples/writ.policy.yaml' });
  // Only the embedded demo database runs read-only as its one superuser, openly: pg-dev and pg-prod read as writ_reader.
  assert.deepEqual(
    warnings.map((warning) => formatPolicyProblem(warning).replace(/^.*?resources\[(\d)\]\.levels\["read-only"\]\.(\w+):.*$/, '$1 $2')).sort(),
    ['2 allowSuperuser', '2 username'],
  );
  assert.deepEqual(document.resources.map((resource) => resource.id), ['pg-dev', 'pg-prod', 'demo-db']);
});

test('a wrong value names file, line, column, field path and what was given', () => {
  const source = samplePolicyYaml.replace('- { name: security, groups: [security], count: 1 }', '- name: security\n          groups: [security]\n          count: two');
  const line = source.split('\n').findIndex((text) => text.includes('count: two')) + 1;
  assert.deepEqual(problemsOf(source), [`writ.policy.yaml:${line}:18: policies[0].approval.stages[1].count: expected a positive integer, got "two"`]);
});

test('every problem is reported, not just the first', () => {
  const source = samplePolicyYaml
    .replace('maxDuration: 4h', 'maxDuration: 4 hours')
    .replace('tls: require', 'tls: sometimes')
    .replace("ticketPattern: 'OPS-[0-9]+'", "ticketPattern: 'OPS-[0-9+'")
    .replace('timeZone: Europe/Berlin', 'timeZone: Mars/Olympus')
    .replace('onDenial: deny', 'onDenial: shrug\n      extra: 1');
  const problems = problemsOf(source);
  assert.equal(problems.length, 6, problems.join('\n'));
  assert.match(problems.join('\n'), /policies\[0\]\.approval\.onDenial: expected deny or ignore, got "shrug"/);
  assert.match(problems.join('\n'), /policies\[0\]\.maxDuration: expected a duration such as 30m, 2h or 1d, got "4 hours"/);
  assert.match(problems.join('\n'), /resources\[0\]\.connection\.tls: expected one of disable, prefer, require, verify-full, got "sometimes"/);
  assert.match(problems.join('\n'), /policies\[0\]\.reason\.ticketPattern: expected a valid regular expression/);
  assert.match(problems.join('\n'), /workingHours\.timeZone: expected a known IANA time zone/);
  assert.match(problems.join('\n'), /policies\[0\]\.approval\.extra: unknown field "extra"/);
});

test('missing fields are required; a missing kind is named', () => {
  const problems = problemsOf('version: 1\nresources:\n  - id: x\n    name: X\npolicies:\n  - name: p\n');
  assert.ok(problems.some((problem) => problem.startsWith('writ.policy.yaml:3:5: resources[0].kind: required')), problems.join('\n'));
  assert.ok(problems.some((problem) => problem.includes('policies[0].maxDuration: required')), problems.join('\n'));
});

test('cross-references: unknown levels, missing resources, duplicates, impossible counts', () => {
  const source = samplePolicyYaml
    .replace('read-only: { username: writ_ro }', 'read-only: { username: writ_ro }\n      admin: { username: root }')
    .replace('id: pg-dev', 'id: pg-prod')
    .replace('resources: { ids: [pg-dev] }', 'resources: { ids: [pg-gone] }')
    .replace('levels: [read-only]\n    maxDuration: 1d', 'levels: [read-only, superuser]\n    maxDuration: 1d')
    .replace('- { name: lead, users: [dana, erin], count: 1 }', '- { name: lead, users: [dana, erin], count: 3 }\n        - { name: lead, users: [dana] }')
    .replace('- name: dev-databases', '- name: prod-databases');
  const text = problemsOf(source).join('\n');
  for (const expected of [
    /resources\[1\]\.id: duplicate resource id "pg-prod" \(also at resources\[0\]\)/,
    /policies\[1\]\.name: duplicate policy name "prod-databases"/,
    /resources\[1\]\.levels\.admin: unknown level "admin" for a postgres resource/,
    /policies\[1\]\.resources\.ids\[0\]: no resource has the id "pg-gone"/,
    /policies\[1\]\.levels\[1\]: unknown level "superuser"/,
    /policies\[1\]\.approval\.stages\[0\]\.count: needs 3 approvals but names only 2 user/,
    /policies\[1\]\.approval\.stages\[1\]\.name: duplicate stage name "lead" \(also at policies\[1\]\.approval\.stages\[0\]\)/,
  ]) {
    assert.match(text, expected);
  }
});

test('a stage needs at least one approver group or user', () => {
  const source = samplePolicyYaml.replace('- { name: security, groups: [security], count: 1 }', '- { name: security, count: 1 }');
  const text = problemsOf(source).join('\n');
  assert.match(text, /policies\[0\]\.approval\.stages\[1\]: a stage names at least one approver group or user/);
});

test('cross-checks run once the shape is valid: auto-approval levels', () => {
  const source = samplePolicyYaml.replace('levels: [read-only]\n    maxDuration: 1d', 'levels: [read-only]\n    maxDuration: 1d\n    autoApprove:\n      - { levels: [read-write] }');
  assert.match(problemsOf(source).join('\n'), /policies\[1\]\.autoApprove\[0\]\.levels\[0\]: the level "read-write" is not one of this policy's levels/);
});

test('YAML syntax errors and duplicate keys are located', () => {
  assert.match(problemsOf('version: 1\npolicies: [\n')[0] ?? '', /^writ\.policy\.yaml:\d+:\d+: \(yaml\): /);
  assert.match(problemsOf('version: 1\nversion: 1\n')[0] ?? '', /^writ\.policy\.yaml:2:1: \(yaml\): .*[Uu]nique|duplicate/i);
});

test('secrets must be references, never inline', () => {
  const source = samplePolicyYaml.replace('password: env:PG_PROD_RO_PASSWORD', 'password: hunter2');
  assert.match(problemsOf(source).join('\n'), /resources\[0\]\.levels\["read-only"\]\.password: expected a secret reference/);
});

test('a label selector that matches nothing is a warning, not an error', () => {
  const source = samplePolicyYaml.replace('resources: { labels: { env: prod } }', 'resources: { labels: { env: staging } }');
  const { warnings } = parsePolicyFile(source);
  assert.equal(warnings.length, 1);
  assert.match(formatPolicyProblem(warnings[0] as PolicyProblem), /policies\[0\]\.resources\.labels: no resource has these labels yet/);
});

test('empty, non-mapping and oversized files are refused with a location', () => {
  assert.match(problemsOf('')[0] ?? '', /^writ\.policy\.yaml:1:1: \(document\): expected a mapping/);
  assert.match(problemsOf('- 1\n- 2\n')[0] ?? '', /^writ\.policy\.yaml:1:1: \(document\): expected a mapping/);
  assert.match(problemsOf(`# ${'x'.repeat(1024 * 1024)}`)[0] ?? '', /larger than/);
  assert.match(problemsOf('version: 2\n')[0] ?? '', /version: expected version: 1, got 2/);
});

test('the file name given is the one reported', () => {
  try {
    parsePolicyFile('version: x\n', { fileName: 'policies/prod.yaml' });
    assert.fail('expected a refusal');
  } catch (error) {
    assert.ok(isAppError(error, 'invalid_input'));
    assert.match(error.message, /^policies\/prod\.yaml has 1 problem:\npolicies\/prod\.yaml:1:10: version: /);
  }
});

test('a read-only level that may run as a superuser, or as the role a writing level uses, is warned about', () => {
  const levels = (readOnly: string, readWrite: string): string =>
    samplePolicyYaml.replace(/levels:\n(\s+)read-only: +\{[^}]*\}\n\s+read-write: \{[^}]*\}/, (_match, indent: string) => `levels:\n${indent}read-only: ${readOnly}\n${indent}read-write: ${readWrite}`);
  const cases: [string, string, RegExp[]][] = [
    ['{ username: writ_ro }', '{ username: writ_rw }', []],
    ['{ username: postgres }', '{ username: writ_rw }', [/"postgres" is usually a superuser/]],
    ['{ username: writ_ro, allowSuperuser: true }', '{ username: writ_rw }', [/may run as a database superuser/]],
    ['{ username: app }', '{ username: app }', [/the role the read-write level writes with/]],
  ];
  for (const [readOnly, readWrite, expected] of cases) {
    const source = levels(readOnly, readWrite);
    assert.notEqual(source, samplePolicyYaml, 'the sample policy has the levels this test rewrites');
    const messages = parsePolicyFile(source).warnings.map((warning) => formatPolicyProblem(warning));
    assert.equal(messages.length, expected.length, `${readOnly}: ${messages.join('; ')}`);
    expected.forEach((pattern, index) => { assert.match(messages[index] ?? '', pattern); });
  }
});
