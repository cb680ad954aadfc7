// Tests for writing Cedar source: literals are escaped so no name can change a policy's meaning.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import fc from 'fast-check';
import { checkParsePolicySet } from '@cedar-policy/cedar-wasm/nodejs';
import { cedarEntity, cedarPolicyText, cedarString } from './cedar-text.ts';

test('strings are quoted and escaped', () => {
  assert.equal(cedarString('plain'), '"plain"');
  assert.equal(cedarString('a"b\\c'), '"a\\"b\\\\c"');
  assert.equal(cedarString('line\nbreak'), '"line\\u{a}break"');
  assert.equal(cedarEntity('Group', 'engineers'), 'Writ::Group::"engineers"');
});

test('any text as an entity id keeps the policy well-formed', () => {
  fc.assert(
    fc.property(fc.string({ unit: 'binary', maxLength: 40 }), (id) => {
      const text = cedarPolicyText({
        id: `p/${id}`,
        effect: 'permit',
        action: 'request',
        principalType: 'User',
        resourceType: 'Resource',
        when: [`principal in [${cedarEntity('Group', id)}]`],
      });
      assert.equal(checkParsePolicySet({ staticPolicies: { p: text } }).type, 'success', text);
    }),
  );
});
