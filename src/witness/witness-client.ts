// The log's HTTP client for witnesses: POST <url>/add-checkpoint with a timeout, no redirects, and a bounded answer.
import type { WitnessAnswer, WitnessClient } from '../ledger/witness-publisher.ts';

const MAX_ANSWER_BYTES = 64 * 1024;

async function readBounded(response: Response): Promise<string> {
  if (response.body === null) return '';
  const chunks: Uint8Array[] = [];
  let total = 0;
  for await (const chunk of response.body as AsyncIterable<Uint8Array>) {
    total += chunk.length;
    if (total > MAX_ANSWER_BYTES) throw new Error(`the witness answered more than ${MAX_ANSWER_BYTES} bytes`);
    chunks.push(chunk);
  }
  return Buffer.concat(chunks).toString('utf8');
}

/**
 * Creates the client; each request is cut after `timeoutMs`.
 * @example await createWitnessClient({ timeoutMs: 5000 }).addCheckpoint('http://127.0.0.1:7080', body)
 */
export function createWitnessClient(options: { timeoutMs: number }): WitnessClient {
  return {
    async addCheckpoint(witnessUrl: string, body: string): Promise<WitnessAnswer> {
      const response = await fetch(`${witnessUrl}/add-checkpoint`, {
        method: 'POST',
        body,
        headers: { 'content-type': 'text/plain; charset=utf-8' },
        redirect: 'error',
        signal: AbortSignal.timeout(options.timeoutMs),
      });
      return { status: response.status, contentType: response.headers.get('content-type') ?? '', body: await readBounded(response) };
    },
  };
}
