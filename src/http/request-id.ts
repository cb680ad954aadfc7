// Request ids: the caller's `x-request-id` when it is a short plain token, else a fresh UUID; echoed on every answer.
import { randomUUID } from 'node:crypto';
import type { IncomingMessage } from 'node:http';

export const REQUEST_ID_HEADER = 'x-request-id';
const ACCEPTED = /^[A-Za-z0-9._:-]{1,128}$/;

/**
 * The id of one request, for Fastify's `genReqId`; a header that could forge log lines is replaced.
 * @example requestIdOf({ headers: { 'x-request-id': 'abc-1' } }) // 'abc-1'
 */
export function requestIdOf(request: Pick<IncomingMessage, 'headers'>): string {
  const sent = request.headers[REQUEST_ID_HEADER];
  return typeof sent === 'string' && ACCEPTED.test(sent) ? sent : randomUUID();
}
