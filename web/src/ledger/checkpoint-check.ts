// A published checkpoint checked in the browser: its signature by the log's key, its body, and the witnesses' cosignatures.
import { cosignaturesOf, parseCheckpointText, type CheckpointBody, type Cosignature } from './checkpoint.ts';
import { verifyNote, type VerifierKey } from './signed-note.ts';

export type CheckpointCheck =
  | { readonly kind: 'verified'; readonly body: CheckpointBody; readonly cosignatures: readonly Cosignature[] }
  | { readonly kind: 'failed'; readonly reason: string };

/**
 * @example (await checkCheckpoint(await (await fetch('/log/checkpoint')).text(), logKey, witnessKeys)).kind // 'verified'
 */
export async function checkCheckpoint(note: string, key: VerifierKey, witnessKeys: readonly VerifierKey[]): Promise<CheckpointCheck> {
  const opened = await verifyNote(note, key);
  if (opened.kind === 'malformed') return { kind: 'failed', reason: `malformed note: ${opened.reason}` };
  if (opened.kind === 'unknown-key') return { kind: 'failed', reason: `unknown key: ${opened.reason}` };
  if (opened.kind === 'bad-signature') return { kind: 'failed', reason: `bad signature: ${opened.reason}` };
  const body = parseCheckpointText(opened.text);
  if (!body.ok) return { kind: 'failed', reason: `malformed note: ${body.reason}` };
  if (body.value.origin !== key.name) return { kind: 'failed', reason: `malformed note: origin "${body.value.origin}" is not the key's name "${key.name}"` };
  return { kind: 'verified', body: body.value, cosignatures: await cosignaturesOf(opened.text, opened.signatures, key.name, witnessKeys) };
}
