// Identifiers: UUIDv7 (RFC 9562), time-ordered, from an injected clock and the system's CSPRNG.
import { randomFillSync } from 'node:crypto';
import type { Clock } from './clock.ts';

export interface IdGenerator {
  /** A new UUIDv7 in its canonical lower-case text form. */
  next(): string;
}

const UUID_PATTERN = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;

/** True for a UUID in canonical lower-case form (any version). */
export function isUuid(value: string): boolean {
  return UUID_PATTERN.test(value);
}

/**
 * Creates a UUIDv7 generator. Within one millisecond the 12-bit rand_a field counts up
 * (RFC 9562 §6.2 method 1), so ids from one generator sort in creation order.
 * @example createUuidV7Generator(systemClock).next() // '0193f1e2-7c1a-7b3e-9f00-1c2d3e4f5a6b'
 */
export function createUuidV7Generator(clock: Clock): IdGenerator {
  let lastMs = -1;
  let counter = 0;
  const bytes = new Uint8Array(16);
  return {
    next(): string {
      let ms = clock.nowMs();
      randomFillSync(bytes);
      if (ms <= lastMs) {
        ms = lastMs;
        counter += 1;
        if (counter > 0xfff) {
          ms += 1;
          counter = 0;
        }
      } else {
        counter = (bytes[6] ?? 0) & 0x07; // start low to leave room for counting
      }
      lastMs = ms;
      bytes[0] = Math.floor(ms / 2 ** 40) & 0xff;
      bytes[1] = Math.floor(ms / 2 ** 32) & 0xff;
      bytes[2] = (ms >>> 24) & 0xff;
      bytes[3] = (ms >>> 16) & 0xff;
      bytes[4] = (ms >>> 8) & 0xff;
      bytes[5] = ms & 0xff;
      bytes[6] = 0x70 | ((counter >>> 8) & 0x0f);
      bytes[7] = counter & 0xff;
      bytes[8] = ((bytes[8] ?? 0) & 0x3f) | 0x80;
      const hex = Buffer.from(bytes).toString('hex');
      return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`;
    },
  };
}
