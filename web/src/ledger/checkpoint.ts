// C2SP tlog-checkpoint text and witness cosignature/v1 lines, read in the browser.
import { decodeBase64 } from './bytes.ts';
import { verifyEd25519, type Parsed, type SignatureLine, type VerifierKey } from './signed-note.ts';

export interface CheckpointBody {
  readonly origin: string;
  readonly size: number;
  readonly rootHash: Uint8Array;
  readonly rootBase64: string;
  readonly extensions: readonly string[];
}

/**
 * Reads checkpoint text: origin, decimal size, base64 root, then any extension lines.
 * @example parseCheckpointText('example.com/log\n5\nfKo0…=\n').value.size // 5
 */
export function parseCheckpointText(text: string): Parsed<CheckpointBody> {
  const lines = text.split('\n');
  if (lines.pop() !== '') return { ok: false, reason: 'checkpoint text does not end with a newline' };
  const [origin, sizeText, rootBase64, ...extensions] = lines;
  if (origin === undefined || origin === '') return { ok: false, reason: 'checkpoint has no origin line' };
  if (sizeText === undefined || !/^(0|[1-9][0-9]{0,15})$/.test(sizeText) || !Number.isSafeInteger(Number(sizeText))) return { ok: false, reason: `checkpoint size "${(sizeText ?? '').slice(0, 24)}" is not a decimal number` };
  const rootHash = rootBase64 === undefined ? undefined : decodeBase64(rootBase64);
  if (rootBase64 === undefined || rootHash?.length !== 32) return { ok: false, reason: 'checkpoint root is not base64 of 32 bytes' };
  return { ok: true, value: { origin, size: Number(sizeText), rootHash, rootBase64, extensions } };
}

export interface Cosignature {
  readonly name: string;
  readonly keyId: string;
  /** When the witness cosigned (seconds since 1970); undefined when the line is not cosignature/v1. */
  readonly timeSeconds: number | undefined;
  /** verified / bad with a known witness key, unchecked without one. */
  readonly status: 'verified' | 'bad' | 'unchecked';
}

function timeOf(payload: Uint8Array): number | undefined {
  if (payload.length !== 8 + 64) return undefined;
  const view = new DataView(payload.buffer, payload.byteOffset, 8);
  const time = view.getBigUint64(0);
  return time <= BigInt(Number.MAX_SAFE_INTEGER) ? Number(time) : undefined;
}

/**
 * The witnesses' lines of a checkpoint note (every line but the log's own), checked where the witness key is known.
 * @example await cosignaturesOf(text, signatures, 'example.com/log', witnessKeys) // [{ name: 'w1.example', status: 'verified', … }]
 */
export async function cosignaturesOf(checkpointText: string, signatures: readonly SignatureLine[], logName: string, witnessKeys: readonly VerifierKey[]): Promise<Cosignature[]> {
  const encoder = new TextEncoder();
  const out: Cosignature[] = [];
  for (const line of signatures) {
    if (line.name === logName) continue;
    const timeSeconds = timeOf(line.payload);
    const key = witnessKeys.find((k) => k.name === line.name && k.keyId === line.keyId);
    let status: Cosignature['status'] = 'unchecked';
    if (key !== undefined) {
      const message = encoder.encode(`cosignature/v1\ntime ${String(timeSeconds ?? 0)}\n${checkpointText}`);
      status = timeSeconds !== undefined && (await verifyEd25519(key.publicKey, message, line.payload.subarray(8))) ? 'verified' : 'bad';
    }
    out.push({ name: line.name, keyId: line.keyId, timeSeconds, status });
  }
  return out;
}
