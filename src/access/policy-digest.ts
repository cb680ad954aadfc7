// The version of a policy document: SHA-256 (base64) of the RFC 8785 canonical JSON of the validated document.
import { createHash } from 'node:crypto';
import { canonicalize } from '../events/canonical-json.ts';
import type { PolicyDocument } from './policy-schema.ts';

export type PolicyDigest = string & { readonly __brand: 'PolicyDigest' };

/**
 * The digest of the validated document (defaults filled in), so formatting, comments and key order in the
 * YAML do not change it, and any change in meaning does.
 * @example policyDigest(parsePolicyFile(text).document) // 'q1w2e3…=' (44 characters)
 */
export function policyDigest(document: PolicyDocument): PolicyDigest {
  return createHash('sha256').update(canonicalize(document), 'utf8').digest('base64') as PolicyDigest;
}
