// C2SP tlog-proof@v1 receipts: an entry's index, inclusion proof and the signed checkpoint it is proven against.
import { AppError } from '../shared/app-error.ts';
import { HASH_SIZE, leafHash } from './hash.ts';
import type { Hash } from './hash.ts';
import { parseCheckpoint, parseDecimal } from './checkpoint.ts';
import type { Checkpoint } from './checkpoint.ts';
import { verifyInclusion } from './proof-verify.ts';
import { decodeBase64Strict, openNote } from './signed-note.ts';
import type { NoteVerifier } from './signed-note.ts';

/** The parts of a receipt; `extra` is opaque, unauthenticated application data. */
export interface Receipt {
  index: number;
  proof: Hash[];
  checkpointNote: string;
  extra: Uint8Array | undefined;
}

const HEADER = 'c2sp.org/tlog-proof@v1';
// A tree of at most 2^53 entries has inclusion proofs of at most 53 hashes.
const MAX_PROOF_HASHES = 64;

const base64 = (bytes: Uint8Array): string => Buffer.from(bytes).toString('base64');

/**
 * Formats a receipt; empty `extra` is omitted, `checkpointNote` is copied verbatim.
 * @example formatReceipt({ index: 0, proof: [], checkpointNote }) // 'c2sp.org/tlog-proof@v1\nindex 0\n\n…'
 */
export function formatReceipt(r: { index: number; proof: Hash[]; checkpointNote: string; extra?: Uint8Array }): string {
  if (!Number.isSafeInteger(r.index) || r.index < 0) throw new AppError('invalid_input', `receipt index ${r.index} is not a non-negative safe integer`);
  if (r.proof.length > MAX_PROOF_HASHES) throw new AppError('invalid_input', `receipt proof has ${r.proof.length} hashes, more than ${MAX_PROOF_HASHES}`);
  r.proof.forEach((hash, i) => {
    if (hash.length !== HASH_SIZE) throw new AppError('invalid_input', `receipt proof hash ${i} has ${hash.length} bytes, not ${HASH_SIZE}`);
  });
  if (r.checkpointNote.length === 0) throw new AppError('invalid_input', 'receipt needs a signed checkpoint');
  const extra = r.extra !== undefined && r.extra.length > 0 ? [`extra ${base64(r.extra)}`] : [];
  const lines = [HEADER, ...extra, `index ${r.index}`, ...r.proof.map(base64), ''];
  return `${lines.join('\n')}\n${r.checkpointNote}`;
}

/** Cuts the next line (without its newline) off `text` at `at`; undefined when no newline follows. */
function lineAt(text: string, at: number): { line: string; next: number } | undefined {
  const end = text.indexOf('\n', at);
  return end < 0 ? undefined : { line: text.slice(at, end), next: end + 1 };
}

/**
 * Parses a receipt strictly: header, optional extra, index without leading zeros, 32-byte proof hashes, blank line, note.
 * The checkpoint note is returned verbatim and not yet verified (see verifyReceipt).
 * @example parseReceipt(text).index
 */
export function parseReceipt(text: string): Receipt {
  const bad = (why: string): AppError => new AppError('invalid_input', `receipt is malformed: ${why}`);
  let cursor = lineAt(text, 0);
  if (cursor?.line !== HEADER) throw bad(`the first line must be "${HEADER}"`);
  let extra: Uint8Array | undefined;
  let next = lineAt(text, cursor.next);
  if (next?.line.startsWith('extra ') === true) {
    extra = decodeBase64Strict(next.line.slice('extra '.length));
    if (extra === undefined || extra.length === 0) throw bad('the extra line is not non-empty base64');
    cursor = next;
    next = lineAt(text, cursor.next);
  }
  const index = next?.line.startsWith('index ') === true ? parseDecimal(next.line.slice('index '.length)) : undefined;
  if (next === undefined || index === undefined) throw bad('an "index <decimal>" line without leading zeros must follow the header');
  const proof: Hash[] = [];
  for (cursor = lineAt(text, next.next); cursor !== undefined && cursor.line !== ''; cursor = lineAt(text, cursor.next)) {
    const hash = decodeBase64Strict(cursor.line);
    if (hash?.length !== HASH_SIZE) throw bad(`proof line ${proof.length + 1} is not base64 of ${HASH_SIZE} bytes`);
    if (proof.length === MAX_PROOF_HASHES) throw bad(`the proof has more than ${MAX_PROOF_HASHES} hashes`);
    proof.push(hash);
  }
  if (cursor === undefined) throw bad('no blank line separates the proof from the checkpoint');
  const checkpointNote = text.slice(cursor.next);
  if (checkpointNote.length === 0) throw bad('the signed checkpoint is missing');
  return { index, proof, checkpointNote, extra };
}

/**
 * Verifies a receipt for `entry`: the checkpoint is signed by a known key named as its origin, and the inclusion
 * proof places leafHash(entry) at the receipt's index under the checkpoint's root. Throws AppError('invalid_input').
 * @example verifyReceipt(receipt, entryBytes, [createVerifier(logKey)]).checkpoint.size
 */
export function verifyReceipt(text: string, entry: Uint8Array, verifiers: NoteVerifier[]): { checkpoint: Checkpoint; index: number } {
  const receipt = parseReceipt(text);
  const opened = openNote(receipt.checkpointNote, verifiers);
  const checkpoint = parseCheckpoint(opened.text);
  if (!opened.verifiedBy.some((v) => v.name === checkpoint.origin)) {
    throw new AppError('invalid_input', `receipt checkpoint for origin "${checkpoint.origin.slice(0, 100)}" is not signed by that log's key`);
  }
  if (receipt.index >= checkpoint.size) {
    throw new AppError('invalid_input', `receipt index ${receipt.index} is outside the checkpoint's tree of ${checkpoint.size} entries`);
  }
  if (!verifyInclusion(leafHash(entry), receipt.index, checkpoint.size, receipt.proof, checkpoint.rootHash)) {
    throw new AppError('invalid_input', `receipt inclusion proof does not place this entry at index ${receipt.index} of the tree of ${checkpoint.size} entries`);
  }
  return { checkpoint, index: receipt.index };
}
