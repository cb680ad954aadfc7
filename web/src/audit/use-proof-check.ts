// Runs the browser's own check of one event: the chosen key, the witnesses' keys, the log's level-0 tile, then checkEventProof.
import { useQuery } from '@tanstack/react-query';
import { checkEventProof, leafTilePath, type EventProofCheck } from '../ledger/event-proof-check.ts';
import { COSIGNATURE_V1_TYPE, parseVerifierKey, type VerifierKey } from '../ledger/signed-note.ts';
import { fetchPublic, type EventWithProof, type LogKeys } from './audit-queries.ts';

export type ProofOutcome = EventProofCheck | { readonly kind: 'bad-key'; readonly reason: string };

export interface ProofCheckResult {
  readonly outcome: ProofOutcome;
  /** False when the tile could not be fetched: the leaf hash was then not compared with the log's own. */
  readonly tileChecked: boolean;
}

async function witnessKeysOf(keys: LogKeys | undefined): Promise<VerifierKey[]> {
  const parsed = await Promise.all((keys?.witnesses ?? []).map((w) => parseVerifierKey(w.verifierKey, COSIGNATURE_V1_TYPE)));
  return parsed.flatMap((p) => (p.ok ? [p.value] : []));
}

async function leafTileOf(answer: EventWithProof, signal: AbortSignal): Promise<Uint8Array | undefined> {
  if (answer.index === null || answer.checkpoint === null) return undefined;
  try {
    return new Uint8Array(await (await fetchPublic(leafTilePath(answer.index, answer.checkpoint.size), signal)).arrayBuffer());
  } catch {
    return undefined;
  }
}

export async function runProofCheck(answer: EventWithProof, eventId: string, keyText: string, keys: LogKeys | undefined, signal: AbortSignal): Promise<ProofCheckResult> {
  const key = await parseVerifierKey(keyText);
  if (!key.ok) return { outcome: { kind: 'bad-key', reason: `the verifier key cannot be used: ${key.reason}` }, tileChecked: false };
  const leafTile = await leafTileOf(answer, signal);
  const outcome = await checkEventProof({ ...answer, eventId }, key.value, { witnessKeys: await witnessKeysOf(keys), ...(leafTile === undefined ? {} : { leafTile }) });
  return { outcome, tileChecked: leafTile !== undefined };
}

export function useProofCheck(eventId: string, answer: EventWithProof | undefined, keyText: string | undefined, keys: LogKeys | undefined) {
  return useQuery({
    queryKey: ['proof-check', eventId, keyText, answer],
    queryFn: ({ signal }) => runProofCheck(answer as EventWithProof, eventId, keyText ?? '', keys, signal),
    enabled: answer !== undefined && keyText !== undefined,
    staleTime: Infinity,
    retry: false,
  });
}
