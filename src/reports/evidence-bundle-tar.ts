// The evidence bundle as one tar file: streamed out with tar-stream, read back by a strict reader that refuses anything unexpected.
import { Readable } from 'node:stream';
import { pack as tarPack } from 'tar-stream';
import { AppError } from '../shared/app-error.ts';

/** One file of a bundle. */
export interface BundleMember {
  readonly name: string;
  readonly bytes: Uint8Array;
}

const BLOCK = 512;
/** More members than any bundle of MAX_BUNDLE_ENTRIES has (100 entries files and 5 others). */
export const MAX_TAR_MEMBERS = 1000;
const NAME = /^[A-Za-z0-9_-][A-Za-z0-9._-]*(?:\/[A-Za-z0-9_-][A-Za-z0-9._-]*)*$/;
const MAX_NAME_BYTES = 99;

/**
 * A tar stream of the members, in order; each member is written once the reader has taken the previous ones.
 * @example await pipeline(packBundle(members), createWriteStream(path))
 */
export function packBundle(members: AsyncIterable<BundleMember>, mtime: Date): Readable {
  const pack = tarPack();
  const fill = async (): Promise<void> => {
    for await (const member of members) {
      await new Promise<void>((resolve, reject) => {
        pack.entry({ name: member.name, size: member.bytes.byteLength, mode: 0o644, mtime, type: 'file' }, Buffer.from(member.bytes.buffer, member.bytes.byteOffset, member.bytes.byteLength), (error) => {
          if (error) reject(error);
          else resolve();
        });
      });
    }
    pack.finalize();
  };
  fill().catch((error: unknown) => {
    pack.destroy(error instanceof Error ? error : new Error(String(error)));
  });
  // tar-stream's pack is a streamx stream: hand out a Node Readable over it (backpressure passes through the iterator).
  return Readable.from(pack as AsyncIterable<Buffer>, { objectMode: false });
}

function refuse(why: string): AppError {
  return new AppError('ledger_inconsistent', `the bundle is not a well-formed evidence bundle tar file: ${why}`);
}

function isZero(bytes: Uint8Array, from: number, to: number): boolean {
  for (let i = from; i < to; i++) if (bytes[i] !== 0) return false;
  return true;
}

/** A NUL-terminated (or full-width) ASCII field. */
function field(header: Uint8Array, offset: number, length: number): string {
  const slice = header.subarray(offset, offset + length);
  const end = slice.indexOf(0);
  return Buffer.from(end < 0 ? slice : slice.subarray(0, end)).toString('latin1');
}

/** An octal number field: digits, then spaces or NULs; base-256 and other forms are refused. */
function octal(header: Uint8Array, offset: number, length: number, what: string, at: number): number {
  const text = Buffer.from(header.subarray(offset, offset + length)).toString('latin1');
  const match = /^ *([0-7]{1,12})[ \0]*$/.exec(text);
  if (match?.[1] === undefined) throw refuse(`the ${what} field of the header at byte ${at} is not an octal number`);
  return parseInt(match[1], 8);
}

function checksumOf(header: Uint8Array): number {
  let sum = 0;
  for (let i = 0; i < BLOCK; i++) sum += i >= 148 && i < 156 ? 0x20 : (header[i] ?? 0);
  return sum;
}

/** Checks one header block and returns its member's name and size. */
function readHeader(header: Uint8Array, at: number): { name: string; size: number } {
  if (octal(header, 148, 8, 'checksum', at) !== checksumOf(header)) throw refuse(`the header at byte ${at} has a wrong checksum (it was changed)`);
  if (field(header, 257, 6) !== 'ustar' || header[262] !== 0 || field(header, 263, 2) !== '00') throw refuse(`the header at byte ${at} is not a POSIX ustar header`);
  const type = header[156];
  if (type !== 0x30 && type !== 0) throw refuse(`the member at byte ${at} is not a regular file (links, directories and extended headers are refused)`);
  const name = field(header, 0, 100);
  if (!isZero(header, 345, 500) || name.length > MAX_NAME_BYTES || !NAME.test(name) || name.split('/').some((part) => part === '.' || part === '..')) {
    throw refuse(`the member name "${name.slice(0, 100)}" at byte ${at} is not a plain relative path`);
  }
  return { name, size: octal(header, 124, 12, 'size', at) };
}

/**
 * Reads a whole tar file strictly: ustar headers with good checksums, regular files only, plain relative names, no
 * duplicates, zero padding, two zero blocks at the end and nothing after them but zeros. Throws AppError('ledger_inconsistent').
 * @example readBundleTar(await readFile('evidence.tar')).get('manifest.json')
 */
export function readBundleTar(bytes: Uint8Array): Map<string, Uint8Array> {
  if (bytes.byteLength % BLOCK !== 0) throw refuse(`its length ${bytes.byteLength} is not a whole number of ${BLOCK}-byte blocks`);
  const files = new Map<string, Uint8Array>();
  let at = 0;
  for (;;) {
    if (at + 2 * BLOCK > bytes.byteLength) throw refuse('it is cut short: it does not end with two zero blocks');
    const header = bytes.subarray(at, at + BLOCK);
    if (isZero(header, 0, BLOCK)) {
      if (!isZero(bytes, at + BLOCK, bytes.byteLength)) throw refuse(`there are non-zero bytes after the end-of-archive block at byte ${at}`);
      return files;
    }
    const { name, size } = readHeader(header, at);
    const start = at + BLOCK;
    const padded = start + Math.ceil(size / BLOCK) * BLOCK;
    if (padded > bytes.byteLength) throw refuse(`the member "${name}" at byte ${at} claims ${size} bytes, more than the file holds`);
    if (files.has(name)) throw refuse(`the member "${name}" appears twice`);
    if (files.size >= MAX_TAR_MEMBERS) throw refuse(`it has more than ${MAX_TAR_MEMBERS} members`);
    if (!isZero(bytes, start + size, padded)) throw refuse(`the padding after "${name}" is not zero (it was changed)`);
    files.set(name, bytes.subarray(start, start + size));
    at = padded;
  }
}
