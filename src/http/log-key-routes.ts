// The log's public keys for browsers and auditors: the verifier key that signs checkpoints and the witnesses' keys, public.
import { z } from 'zod';
import type { WitnessPolicy } from '../ledger/witness-policy.ts';
import type { ApiRoutes } from './api-plugin.ts';

export interface LogKeyRouteDeps {
  /** The C2SP signed-note verifier key of this log (`<name>+<key ID>+<base64 key>`). */
  readonly verifierKey: string;
  /** The witness policy, whose witnesses' cosignature keys are listed; undefined without one. */
  readonly witnessPolicy: WitnessPolicy | undefined;
}

export const logKeysAnswer = z.object({
  origin: z.string().describe('the log origin (the key name), line 1 of every checkpoint'),
  verifierKey: z.string().describe('C2SP signed-note verifier key: <name>+<key ID as 8 hex digits>+<base64(0x01 || Ed25519 public key)>'),
  witnesses: z.array(z.object({ name: z.string(), verifierKey: z.string().describe('cosignature/v1 verifier key (type 0x04)') })),
});

/**
 * GET /api/v1/log/verifier-key: public, like /log/checkpoint; it is what the dashboard checks signatures against
 * unless the auditor pins a key obtained another way.
 * @example apiPlugin(app, { routes: [logKeyRoutes({ verifierKey: app.signer.verifierKey, witnessPolicy: app.witnessPolicy })] })
 */
export function logKeyRoutes(deps: LogKeyRouteDeps): ApiRoutes {
  const answer: z.infer<typeof logKeysAnswer> = {
    origin: deps.verifierKey.slice(0, deps.verifierKey.indexOf('+')),
    verifierKey: deps.verifierKey,
    witnesses: (deps.witnessPolicy?.witnesses ?? []).map((w) => ({ name: w.name, verifierKey: w.verifierKey })),
  };
  return (api) => {
    api.get('/v1/log/verifier-key', { auth: 'public', schema: { tags: ['ledger'], summary: "The log's verifier key and its witnesses' keys (public)", response: { 200: logKeysAnswer } } }, () => answer);
  };
}
