// C2SP tlog-tiles entry bundles: each entry as a big-endian uint16 length and its bytes.
import { AppError } from '../shared/app-error.ts';

/** An entry in a bundle is at most 65,535 bytes (its length is a uint16). */
export const MAX_BUNDLE_ENTRY_BYTES = 0xffff;

/**
 * Lays the entries out as a C2SP entry bundle: each a big-endian uint16 length, then its bytes.
 * @example encodeEntryBundle([new TextEncoder().encode('entry 0')]).length // 9
 */
export function encodeEntryBundle(entries: readonly Uint8Array[]): Buffer {
  const total = entries.reduce((sum, e) => sum + 2 + e.length, 0);
  const bundle = Buffer.alloc(total);
  let at = 0;
  for (const entry of entries) {
    if (entry.length > MAX_BUNDLE_ENTRY_BYTES) throw new AppError('invalid_input', `an entry of ${entry.length} bytes does not fit an entry bundle`);
    at = bundle.writeUInt16BE(entry.length, at);
    bundle.set(entry, at);
    at += entry.length;
  }
  return bundle;
}

/**
 * Splits an entry bundle into its entries (views into `bundle`); with `width`, exactly that many. Throws
 * AppError('invalid_input') when a length runs past the end, an entry is missing or bytes follow the last one.
 * @example decodeEntryBundle(bytes, 256).length // 256
 */
export function decodeEntryBundle(bundle: Uint8Array, width?: number): Uint8Array[] {
  const entries: Uint8Array[] = [];
  const view = new DataView(bundle.buffer, bundle.byteOffset, bundle.byteLength);
  let at = 0;
  while (width === undefined ? at < bundle.length : entries.length < width) {
    if (at + 2 > bundle.length) throw new AppError('invalid_input', `entry bundle holds ${entries.length} entries in ${bundle.length} bytes, not ${String(width)}`);
    const length = view.getUint16(at);
    if (at + 2 + length > bundle.length) throw new AppError('invalid_input', `entry ${entries.length} of the bundle claims ${length} bytes, past its end`);
    entries.push(bundle.subarray(at + 2, at + 2 + length));
    at += 2 + length;
  }
  if (at !== bundle.length) throw new AppError('invalid_input', `entry bundle has ${bundle.length - at} bytes after its ${entries.length} entries`);
  return entries;
}
