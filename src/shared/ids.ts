// Identifiers: UUIDv7 (RFC 9562), time-ordered, from an injected clock and the system's CSPRNG.
import { randomFillSync } from 'node:crypto';
import type { Clock } from './clock.ts';

export interface IdGenerator {
  /** A new UUIDv7 in its canonical lower-case text form. */
  next(): string;
}

const UUID_PATTERN = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;

/** Random bytes one id uses: byte 0 seeds the counter, bytes 1–8 become rand_b. */
const RANDOM_PER_ID = 9;
/** Ids per draw from the system: one randomFillSync (a system call, about 10 µs here) serves this many ids. */
const IDS_PER_DRAW = 256;

const HEX = Array.from({ length: 256 }, (_, byte) => byte.toString(16).padStart(2, '0'));

/** True for a UUID in canonical lower-case form (any version). */
export function isUuid(value: string): boolean {
  return UUID_PATTERN.test(value);
}

function hex(byte: number): string {
  return HEX[byte & 0xff] as string;
}

/**
 * Creates a UUIDv7 generator. Within one millisecond the 12-bit rand_a field counts up
 * (RFC 9562 §6.2 method 1), so ids from one generator sort in creation order. Random bits come from
 * the CSPRNG in pooled draws; each pooled byte is used once.
 * @example createUuidV7Generator(systemClock).next() // '0193f1e2-7c1a-7b3e-9f00-1c2d3e4f5a6b'
 */
export function createUuidV7Generator(clock: Clock): IdGenerator {
  let lastMs = -1;
  let counter = 0;
  const pool = new Uint8Array(RANDOM_PER_ID * IDS_PER_DRAW);
  let at = pool.length;
  return {
    next(): string {
      if (at === pool.length) {
        randomFillSync(pool);
        at = 0;
      }
      const r = at;
      at += RANDOM_PER_ID;
      let ms = clock.nowMs();
      if (ms <= lastMs) {
        ms = lastMs;
        counter += 1;
        if (counter > 0xfff) {
          ms += 1;
          counter = 0;
        }
      } else {
        counter = (pool[r] ?? 0) & 0x07; // start low to leave room for counting
      }
      lastMs = ms;
      const high = Math.floor(ms / 2 ** 32);
      return (
        hex(high >>> 8) + hex(high) + hex(ms >>> 24) + hex(ms >>> 16) + '-' +
        hex(ms >>> 8) + hex(ms) + '-' +
        hex(0x70 | ((counter >>> 8) & 0x0f)) + hex(counter) + '-' +
        hex(((pool[r + 1] ?? 0) & 0x3f) | 0x80) + hex(pool[r + 2] ?? 0) + '-' +
        hex(pool[r + 3] ?? 0) + hex(pool[r + 4] ?? 0) + hex(pool[r + 5] ?? 0) + hex(pool[r + 6] ?? 0) + hex(pool[r + 7] ?? 0) + hex(pool[r + 8] ?? 0)
      );
    },
  };
}
