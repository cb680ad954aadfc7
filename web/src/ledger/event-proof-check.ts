// Checks one event as the API serves it, in the browser: signed checkpoint, its root, the entry's leaf hash and the inclusion proof.
import { decodeBase64, encodeBase64, equalBytes } from './bytes.ts';
import { cosignaturesOf, parseCheckpointText, type Cosignature } from './checkpoint.ts';
import { leafHash, rootFromInclusionProof } from './merkle-proof.ts';
import { verifyNote, type VerifierKey } from './signed-note.ts';

/** What GET /api/v1/events/{id} answers, as far as the check needs it. */
export interface EventProofInput {
  readonly eventId: string;
  readonly index: number | null;
  readonly entry: string;
  readonly inclusionProof: { readonly leafIndex: number; readonly treeSize: number; readonly hashes: readonly string[] } | null;
  readonly checkpoint: { readonly size: number; readonly rootHash: string; readonly note: string } | null;
}

/** The steps, in the order they are checked. */
export type ProofStep = 'note' | 'key' | 'signature' | 'checkpoint' | 'leaf' | 'proof';

export const STEP_FAILURE: Readonly<Record<ProofStep, string>> = {
  note: 'malformed note',
  key: 'unknown key',
  signature: 'bad signature',
  checkpoint: "root differs from the checkpoint's",
  leaf: 'leaf hash mismatch',
  proof: 'proof does not reach the root',
};

export type EventProofCheck =
  | {
      readonly kind: 'verified';
      readonly origin: string;
      readonly treeSize: number;
      readonly rootBase64: string;
      readonly leafHashBase64: string;
      readonly cosignatures: readonly Cosignature[];
    }
  | { readonly kind: 'failed'; readonly step: ProofStep; readonly reason: string }
  | { readonly kind: 'pending'; readonly reason: string };

export interface ProofCheckOptions {
  /** Witness cosignature/v1 keys: their lines are checked; others are listed unchecked. */
  readonly witnessKeys?: readonly VerifierKey[];
  /** The level-0 tile holding the entry's leaf hash, as /log/tile/0/… served it: the leaf hash must equal the one in it. */
  readonly leafTile?: Uint8Array;
}

const failed = (step: ProofStep, detail: string): EventProofCheck => ({ kind: 'failed', step, reason: `${STEP_FAILURE[step]}: ${detail}` });

/** The URL path of the level-0 tile holding leaf `index` in a tree of `treeSize` (C2SP tlog-tiles). */
export function leafTilePath(index: number, treeSize: number): string {
  const tile = Math.floor(index / 256);
  const width = Math.min(256, treeSize - tile * 256);
  const digits = String(tile).padStart(3 * Math.max(1, Math.ceil(String(tile).length / 3)), '0');
  const groups = digits.match(/.{3}/g) ?? [digits];
  const path = groups.map((g, i) => (i < groups.length - 1 ? `x${g}` : g)).join('/');
  return `/log/tile/0/${path}${width < 256 ? `.p/${width}` : ''}`;
}

function entryProblem(entry: Uint8Array, eventId: string): string | undefined {
  try {
    const parsed = JSON.parse(new TextDecoder('utf-8', { fatal: true }).decode(entry)) as { id?: unknown };
    return parsed.id === eventId ? undefined : `the entry bytes are event "${String(parsed.id)}", not "${eventId}"`;
  } catch {
    return 'the entry bytes are not JSON';
  }
}

/**
 * Checks the note's signature by `key`, that the answer's checkpoint is the note's, the entry's leaf hash and the proof to the root.
 * @example (await checkEventProof(answerOf(event), logKey)).kind // 'verified'
 */
export async function checkEventProof(input: EventProofInput, key: VerifierKey, options: ProofCheckOptions = {}): Promise<EventProofCheck> {
  if (input.index === null || input.inclusionProof === null || input.checkpoint === null) return { kind: 'pending', reason: 'not yet in a signed checkpoint' };
  const note = await verifyNote(input.checkpoint.note, key);
  if (note.kind === 'malformed') return failed('note', note.reason);
  if (note.kind === 'unknown-key') return failed('key', note.reason);
  if (note.kind === 'bad-signature') return failed('signature', note.reason);
  const body = parseCheckpointText(note.text);
  if (!body.ok) return failed('note', body.reason);
  if (body.value.origin !== key.name) return failed('note', `origin "${body.value.origin}" is not the key's name "${key.name}"`);
  const { size, rootBase64, rootHash } = body.value;
  if (input.checkpoint.size !== size || input.checkpoint.rootHash !== rootBase64 || input.inclusionProof.treeSize !== size) {
    return failed('checkpoint', `the signed note says size ${size} root ${rootBase64}; the answer says size ${input.checkpoint.size} root ${input.checkpoint.rootHash}, proof for size ${input.inclusionProof.treeSize}`);
  }
  const entry = decodeBase64(input.entry);
  if (entry === undefined) return failed('leaf', 'the entry is not base64');
  const problem = entryProblem(entry, input.eventId);
  if (problem !== undefined) return failed('leaf', problem);
  const leaf = await leafHash(entry);
  if (input.inclusionProof.leafIndex !== input.index) return failed('proof', `the proof is for index ${input.inclusionProof.leafIndex}, the event is at ${input.index}`);
  if (options.leafTile !== undefined) {
    const offset = (input.index % 256) * 32;
    const served = options.leafTile.subarray(offset, offset + 32);
    if (served.length !== 32 || !equalBytes(served, leaf)) return failed('leaf', `SHA-256(0x00 ‖ entry) is ${encodeBase64(leaf)}, the log's tile holds ${served.length === 32 ? encodeBase64(served) : 'no hash'} at index ${input.index}`);
  }
  const hashes: Uint8Array[] = [];
  for (const text of input.inclusionProof.hashes) {
    const hash = decodeBase64(text);
    if (hash === undefined) return failed('proof', `"${text.slice(0, 60)}" is not base64`);
    hashes.push(hash);
  }
  const reached = await rootFromInclusionProof(input.index, size, leaf, hashes);
  if (!reached.ok) return failed('proof', reached.reason);
  if (!equalBytes(reached.root, rootHash)) return failed('proof', `it leads to ${encodeBase64(reached.root)}, the checkpoint's root is ${rootBase64}`);
  const cosignatures = await cosignaturesOf(note.text, note.signatures, key.name, options.witnessKeys ?? []);
  return { kind: 'verified', origin: body.value.origin, treeSize: size, rootBase64, leafHashBase64: encodeBase64(leaf), cosignatures };
}
