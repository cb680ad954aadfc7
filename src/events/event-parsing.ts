// Reads one event from untrusted bytes: size first, then strict UTF-8, then JSON.
import { AppError } from '../shared/app-error.ts';

/** Lines larger than this are refused before they are decoded or parsed. */
export const MAX_EVENT_LINE_BYTES = 1024 * 1024;

const decoder = new TextDecoder('utf-8', { fatal: true });

/**
 * Parses one NDJSON line (bytes or text) into an untrusted value for `prepareEvent`.
 * Throws AppError('event_too_large') over `maxBytes`, AppError('invalid_event') for bad UTF-8 or JSON.
 * @example parseEventLine(Buffer.from('{"type":"app.x.done"}')) // { type: 'app.x.done' }
 */
export function parseEventLine(line: Uint8Array | string, maxBytes: number = MAX_EVENT_LINE_BYTES): unknown {
  const byteCount = typeof line === 'string' ? Buffer.byteLength(line, 'utf8') : line.byteLength;
  if (byteCount > maxBytes) {
    throw new AppError('event_too_large', `event of ${byteCount} bytes is over the ${maxBytes}-byte limit`, { details: { byteCount, maxBytes } });
  }
  let text: string;
  if (typeof line === 'string') text = line;
  else {
    try {
      text = decoder.decode(line);
    } catch {
      throw new AppError('invalid_event', 'the event is not valid UTF-8: send JSON encoded as UTF-8');
    }
  }
  try {
    return JSON.parse(text) as unknown;
  } catch (error) {
    const reason = error instanceof Error ? error.message : String(error);
    throw new AppError('invalid_event', `malformed JSON: ${reason}`);
  }
}

