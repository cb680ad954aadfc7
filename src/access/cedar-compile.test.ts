// Tests for the Cedar compiler: the set validates against the schema, and every policy names its YAML policy and rule.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { createCedarAuthorizer } from './cedar-authorizer.ts';
import { compilePolicyDocument } from './cedar-compile.ts';
import { parsePolicyFile } from './policy-file.ts';
import { samplePolicyYaml } from './policy-fixtures.ts';

const { document } = parsePolicyFile(samplePolicyYaml);

test('the compiled set validates against the schema (strict) and preparses', () => {
  assert.doesNotThrow(() => createCedarAuthorizer('test-compile', compilePolicyDocument(document)));
});

test('each Cedar policy carries an @id naming the YAML policy and rule', () => {
  const compiled = compilePolicyDocument(document);
  const ids = Object.keys(compiled.policies);
  for (const expected of [
    'writ/level-offered',
    'writ/self-approval',
    'prod-databases/request',
    'prod-databases/auto-approve/0',
    'prod-databases/auto-approve/1',
    'prod-databases/break-glass',
    'prod-databases/review/team-lead',
    'prod-databases/review/security',
    'prod-databases/check-ticket',
    'dev-databases/request',
    'dev-databases/review/lead',
  ]) {
    assert.ok(ids.includes(expected), expected);
    assert.ok(compiled.policies[expected]?.startsWith(`@id("${expected}")`), expected);
  }
  assert.equal(ids.includes('dev-databases/break-glass'), false, 'no break-glass where not allowed');
  assert.equal(ids.includes('dev-databases/check-reason'), false, 'no reason check where none is required');
});

test('self-approval is forbidden except for the policies that allow it', () => {
  const text = compilePolicyDocument(document).policies['writ/self-approval'] ?? '';
  assert.match(text, /forbid/);
  assert.match(text, /unless \{ \["dev-databases"\]\.contains\(resource\.policy\) \}/);
});

test('policies are split per action, so a decision evaluates only its own', () => {
  const compiled = compilePolicyDocument(document);
  assert.deepEqual(compiled.policyIdsByAction.get('review'), [
    'writ/self-approval',
    'prod-databases/review/team-lead',
    'prod-databases/review/security',
    'dev-databases/review/lead',
  ]);
  assert.ok(compiled.policyIdsByAction.get('request')?.includes('writ/level-offered'));
});

test('labels become tags; the text is deterministic', () => {
  const compiled = compilePolicyDocument(document);
  assert.deepEqual(compiled.resourceEntities.get('pg-prod')?.tags, { env: 'prod', team: 'payments' });
  assert.equal(compiled.text, compilePolicyDocument(document).text);
  assert.match(compiled.text, /resource\.hasTag\("env"\) && resource\.getTag\("env"\) == "prod"/);
});
