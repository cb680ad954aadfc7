// C2SP tlog-witness add-checkpoint as a pure decision: parse the body, check signature, size and proof, cosign.
// @see https://c2sp.org/tlog-witness (status codes as it specifies them: 400, 403, 404, 409, 422)
import { AppError } from '../shared/app-error.ts';
import { parseCheckpoint, parseDecimal } from './checkpoint.ts';
import type { Checkpoint } from './checkpoint.ts';
import { cosignCheckpoint } from './cosignature.ts';
import type { Cosigner } from './cosignature.ts';
import { emptyRoot, hashesEqual, HASH_SIZE } from './hash.ts';
import type { Hash } from './hash.ts';
import { verifyConsistency } from './proof-verify.ts';
import { decodeBase64Strict, openNote } from './signed-note.ts';
import type { NoteVerifier } from './signed-note.ts';

/** What a witness keeps per log: the latest cosigned checkpoint. */
export interface WitnessLogState {
  origin: string;
  size: number;
  rootHash: Hash;
  /** The signed checkpoint note as the log sent it. */
  checkpointNote: string;
}

/** A parsed add-checkpoint body. */
export interface AddCheckpointRequest {
  oldSize: number;
  proof: Hash[];
  checkpointNote: string;
  /** The checkpoint note text (without signatures), parsed. */
  checkpointText: string;
  checkpoint: Checkpoint;
}

/** Two signed checkpoints of one log that no consistency proof joined: a fork (409) or a failed proof (422). */
export interface ForkEvidence {
  stored: string;
  presented: string;
}

export interface AddCheckpointDeps {
  /** The verifiers trusted for a log origin; undefined when the witness does not know the log. */
  logVerifiers(origin: string): NoteVerifier[] | undefined;
  cosigner: Cosigner;
  nowSeconds: number;
}

export type AddCheckpointRefusal = {
  kind: 'refused';
  status: 400 | 403 | 404 | 409 | 422;
  message: string;
  /** On a 409 for a stale old size: the size the witness has (the response body, text/x.tlog.size). */
  latestSize?: number;
  evidence?: ForkEvidence;
};

export type AddCheckpointDecision = { kind: 'cosigned'; newState: WitnessLogState; cosignature: string } | AddCheckpointRefusal;

export type ParsedAddCheckpoint = { kind: 'parsed'; request: AddCheckpointRequest } | AddCheckpointRefusal;

/** At most 63 proof hashes fit a tree of up to 2^63 leaves (tlog-witness). */
export const MAX_PROOF_HASHES = 63;
const MAX_BODY_CHARS = 64 * 1024;

function refuse(status: AddCheckpointRefusal['status'], message: string): AddCheckpointRefusal {
  return { kind: 'refused', status, message };
}

/**
 * Parses an add-checkpoint body: "old <size>\n", proof hashes in base64 one per line, a blank line, the signed
 * checkpoint. Refuses with 400 anything malformed; the signature is checked later, by decideAddCheckpoint.
 * @example parseAddCheckpointRequest(`old 0\n\n${note}`) // { kind: 'parsed', request: { oldSize: 0, proof: [], … } }
 */
export function parseAddCheckpointRequest(body: string): ParsedAddCheckpoint {
  if (body.length > MAX_BODY_CHARS) return refuse(400, `add-checkpoint body is longer than ${MAX_BODY_CHARS} characters`);
  const split = body.indexOf('\n\n');
  if (split < 0) return refuse(400, 'add-checkpoint body has no blank line before the checkpoint');
  const [first = '', ...proofLines] = body.slice(0, split).split('\n');
  const oldSize = first.startsWith('old ') ? parseDecimal(first.slice(4)) : undefined;
  if (oldSize === undefined) return refuse(400, `add-checkpoint body must start with "old <size>", not "${first.slice(0, 40)}"`);
  if (proofLines.length > MAX_PROOF_HASHES) return refuse(400, `consistency proof has more than ${MAX_PROOF_HASHES} hashes`);
  const proof: Hash[] = [];
  for (const line of proofLines) {
    const hash = decodeBase64Strict(line);
    if (hash?.length !== HASH_SIZE) return refuse(400, `proof line "${line.slice(0, 60)}" is not base64 of ${HASH_SIZE} bytes`);
    proof.push(hash);
  }
  const checkpointNote = body.slice(split + 2);
  const textEnd = checkpointNote.lastIndexOf('\n\n');
  if (textEnd < 0) return refuse(400, 'the checkpoint has no signature lines');
  const checkpointText = checkpointNote.slice(0, textEnd + 1);
  let checkpoint: Checkpoint;
  try {
    checkpoint = parseCheckpoint(checkpointText);
  } catch (error) {
    return refuse(400, error instanceof AppError ? error.message : 'checkpoint is malformed');
  }
  return { kind: 'parsed', request: { oldSize, proof, checkpointNote, checkpointText, checkpoint } };
}

function checkSignature(request: AddCheckpointRequest, deps: AddCheckpointDeps): AddCheckpointRefusal | undefined {
  const origin = request.checkpoint.origin;
  const verifiers = deps.logVerifiers(origin);
  if (verifiers === undefined) return refuse(404, `the witness does not know the log "${origin.slice(0, 100)}"`);
  try {
    const opened = openNote(request.checkpointNote, verifiers);
    if (opened.text !== request.checkpointText) return refuse(400, 'the checkpoint note is malformed');
  } catch (error) {
    return refuse(403, error instanceof AppError ? error.message : 'the checkpoint signature does not verify');
  }
  return undefined;
}

/**
 * Decides an add-checkpoint request against the witness's state for the log (undefined before its first checkpoint).
 * The caller stores `newState` only if the stored size is still the one passed in (compare-and-swap), then answers
 * 200 with `cosignature`; a refusal maps to its status (409 with `latestSize` as a text/x.tlog.size body).
 * @example decideAddCheckpoint(undefined, request, { logVerifiers, cosigner, nowSeconds }) // { kind: 'cosigned', … }
 */
export function decideAddCheckpoint(state: WitnessLogState | undefined, request: AddCheckpointRequest, deps: AddCheckpointDeps): AddCheckpointDecision {
  const { checkpoint, oldSize, proof } = request;
  if (state !== undefined && state.origin !== checkpoint.origin) {
    throw new AppError('internal', `witness state for "${state.origin}" was passed for a checkpoint of "${checkpoint.origin}"`);
  }
  const signatureProblem = checkSignature(request, deps);
  if (signatureProblem !== undefined) return signatureProblem;
  if (oldSize > checkpoint.size) {
    return refuse(400, `old size ${oldSize} is larger than the checkpoint size ${checkpoint.size}`);
  }
  const storedSize = state?.size ?? 0;
  const storedRoot = state?.rootHash ?? emptyRoot();
  if (oldSize !== storedSize) {
    return { ...refuse(409, `old size ${oldSize} is not the size ${storedSize} the witness has for this log`), latestSize: storedSize };
  }
  if (state !== undefined && checkpoint.size === storedSize && !hashesEqual(checkpoint.rootHash, storedRoot)) {
    return {
      ...refuse(409, `the log signed two different trees of size ${storedSize}: a fork`),
      evidence: { stored: state.checkpointNote, presented: request.checkpointNote },
    };
  }
  if (!verifyConsistency(oldSize, checkpoint.size, storedRoot, checkpoint.rootHash, proof)) {
    const refusal = refuse(422, `the consistency proof from size ${oldSize} to ${checkpoint.size} does not verify`);
    // tlog-witness: the witness MAY keep such a request, as it might be proof of log misbehaviour.
    return state === undefined ? refusal : { ...refusal, evidence: { stored: state.checkpointNote, presented: request.checkpointNote } };
  }
  const cosignature = cosignCheckpoint(deps.cosigner, request.checkpointText, deps.nowSeconds);
  const newState: WitnessLogState = {
    origin: checkpoint.origin,
    size: checkpoint.size,
    rootHash: checkpoint.rootHash,
    checkpointNote: request.checkpointNote,
  };
  return { kind: 'cosigned', newState, cosignature };
}
