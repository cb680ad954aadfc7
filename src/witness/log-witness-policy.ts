// Loads the log's own witness policy at start: it must name this log's key, and every witness must have a URL to ask.
import { readFileSync } from 'node:fs';
import { parseWitnessPolicy, type WitnessPolicy } from '../ledger/witness-policy.ts';
import { AppError } from '../shared/app-error.ts';

/**
 * Reads and checks the policy file; undefined without one (checkpoints are then published as soon as they are signed).
 * @example loadLogWitnessPolicy(config.witnessPolicyFile, app.signer.verifierKey)?.witnesses.length
 */
export function loadLogWitnessPolicy(file: string | undefined, logVerifierKey: string): WitnessPolicy | undefined {
  if (file === undefined) return undefined;
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (cause) {
    throw new AppError('config_invalid', `cannot read the witness policy file (WRIT_WITNESS_POLICY): ${cause instanceof Error ? cause.message : String(cause)}`, { cause });
  }
  let policy: WitnessPolicy;
  try {
    policy = parseWitnessPolicy(text);
  } catch (cause) {
    throw new AppError('config_invalid', `the witness policy file is not valid: ${cause instanceof Error ? cause.message : String(cause)}`, { cause });
  }
  if (!policy.logs.some((log) => log.verifierKey === logVerifierKey)) {
    throw new AppError('config_invalid', `the witness policy names no "log ${logVerifierKey}" line: add this log's verifier key (writ keys show)`);
  }
  const unreachable = policy.witnesses.filter((w) => w.url === undefined).map((w) => w.name);
  if (unreachable.length > 0) {
    throw new AppError('config_invalid', `the witness policy gives no URL for ${unreachable.join(', ')}: the log cannot ask them to cosign`);
  }
  return policy;
}
