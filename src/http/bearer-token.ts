// Checks a bearer token in constant time: both sides are hashed first, so neither length nor content leaks.
import { createHash, timingSafeEqual } from 'node:crypto';

function digest(text: string): Buffer {
  return createHash('sha256').update(text, 'utf8').digest();
}

/** True when the Authorization header carries exactly `expected` as a bearer token. */
export function bearerTokenMatches(authorization: string | undefined, expected: string): boolean {
  const presented = /^Bearer ([\x21-\x7e]{1,1024})$/.exec(authorization ?? '')?.[1] ?? '';
  return timingSafeEqual(digest(presented), digest(expected)) && presented !== '';
}
