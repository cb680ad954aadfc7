// SCRAM-SHA-256 with a client: which of the user's gateway credentials (if any) the client proved it holds.
import { authenticationSasl, authenticationSaslContinue, authenticationSaslFinal } from './backend-messages.ts';
import type { ClientChannel } from './client-channel.ts';
import { FrontendProtocolError } from './frontend-reader.ts';
import { decodeSaslInitialResponse, decodeSaslResponse } from './frontend-decoders.ts';
import type { CredentialCandidate, CredentialLookup } from '../gateway-credentials.ts';
import { createScramExchange } from './scram-server.ts';
import { gatewayCredentialSalt, SCRAM_ITERATIONS } from './scram-verifier.ts';

const MECHANISM = 'SCRAM-SHA-256';
const PASSWORD_MESSAGE = 0x70; // 'p': SASLInitialResponse and SASLResponse

/**
 * Runs SCRAM against every candidate at once (they share one salt). An unknown user gets the same exchange
 * with a salt derived from the name it claimed, so the answer does not tell who exists.
 * @see https://www.postgresql.org/docs/current/sasl-authentication.html
 */
export async function authenticateClient(channel: ClientChannel, claimedUser: string, resourceId: string, lookup: CredentialLookup): Promise<CredentialCandidate | undefined> {
  const saltOwner = lookup.user?.id ?? `unknown user ${claimedUser}`;
  const exchange = createScramExchange({ salt: gatewayCredentialSalt(saltOwner, resourceId), iterations: SCRAM_ITERATIONS });
  channel.write(authenticationSasl([MECHANISM]));
  const initial = await channel.readMessage();
  if (initial.type !== PASSWORD_MESSAGE) throw new FrontendProtocolError('expected a SASLInitialResponse message');
  const { mechanism, data } = decodeSaslInitialResponse(initial.body);
  if (mechanism !== MECHANISM) throw new FrontendProtocolError(`the client chose the SASL mechanism "${mechanism}"; Writ offers only ${MECHANISM}`);
  if (data === null) throw new FrontendProtocolError('the SASLInitialResponse carries no client-first-message');
  channel.write(authenticationSaslContinue(exchange.serverFirst(data)));
  const final = await channel.readMessage();
  if (final.type !== PASSWORD_MESSAGE) throw new FrontendProtocolError('expected a SASLResponse message');
  const candidates = lookup.candidates;
  const result = exchange.verifyClientFinal(decodeSaslResponse(final.body), candidates.map((candidate) => candidate.verifier));
  if (!result.ok) return undefined;
  channel.write(authenticationSaslFinal(result.serverFinal));
  return candidates[result.index];
}
