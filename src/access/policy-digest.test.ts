// Tests for the policy version digest: meaning counts, formatting does not.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { policyDigest } from './policy-digest.ts';
import { parsePolicyFile } from './policy-file.ts';
import { samplePolicyYaml } from './policy-fixtures.ts';

const digestOf = (text: string): string => policyDigest(parsePolicyFile(text).document);

test('the digest is SHA-256 in base64', () => {
  assert.match(digestOf(samplePolicyYaml), /^[A-Za-z0-9+/]{43}=$/);
});

test('comments, spacing, quoting, flow style and key order do not change it', () => {
  const reformatted = `# a comment\n${samplePolicyYaml}`
    .replace('{ env: prod, team: payments }', '{ team: "payments", env: prod }')
    .replace('maxDuration: 4h', 'maxDuration: "4h"   # four hours');
  assert.equal(digestOf(reformatted), digestOf(samplePolicyYaml));
});

test('writing a default out does not change it', () => {
  const explicit = samplePolicyYaml.replace('- { name: lead, users: [dana, erin], count: 1 }\n      selfApproval: true', '- { name: lead, users: [dana, erin], count: 1 }\n      selfApproval: true\n      onDenial: deny');
  assert.notEqual(explicit, samplePolicyYaml);
  assert.equal(digestOf(explicit), digestOf(samplePolicyYaml));
});

test('any change of meaning changes it', () => {
  assert.notEqual(digestOf(samplePolicyYaml.replace('maxDuration: 4h', 'maxDuration: 5h')), digestOf(samplePolicyYaml));
  assert.notEqual(digestOf(samplePolicyYaml.replace('users: [alice]', 'users: [alice, bob]')), digestOf(samplePolicyYaml));
});
