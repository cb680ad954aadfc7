// The log's HTTP client for witnesses: POST <url>/add-checkpoint with a timeout, no redirects, and a bounded answer.
import type { WitnessAnswer, WitnessClient } from '../ledger/witness-publisher.ts';
import { readLimitedBody } from '../shared/read-limited-body.ts';

const MAX_ANSWER_BYTES = 64 * 1024;

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
      const answer = await readLimitedBody(response, MAX_ANSWER_BYTES);
      if (answer === undefined) throw new Error(`the witness answered more than ${MAX_ANSWER_BYTES} bytes`);
      return { status: response.status, contentType: response.headers.get('content-type') ?? '', body: Buffer.from(answer).toString('utf8') };
    },
  };
}
