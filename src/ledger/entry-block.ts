// Sequenced entries read in bulk, packed into a few transferable buffers: what an audit of the whole log reads.
import type { SequencedEntry } from './ledger-store.ts';

/** The buffers of a block; handed back to the next read so their pages are touched once (a fresh page faults). */
export interface EntryBlockBuffers {
  /** The entries back to back. */
  bytes: ArrayBuffer;
  /** Uint32 end offset of each entry in `bytes` (it starts where the one before ends). */
  ends: ArrayBuffer;
  /** The rows' event id columns as UTF-8, back to back. */
  ids: ArrayBuffer;
  /** Uint32 end offset of each id in `ids`. */
  idEnds: ArrayBuffer;
}

/** Why a block stopped before `toIndex`: a missing index, or an entry that is not stored as bytes. */
export type BlockStop = { readonly kind: 'missing'; readonly index: number } | { readonly kind: 'not-bytes'; readonly index: number; readonly storedAs: string };

/** Rows `fromIndex`…`fromIndex + count − 1`, contiguous; `stop` says why there are fewer than asked for. */
export interface EntryBlock extends EntryBlockBuffers {
  readonly fromIndex: number;
  readonly count: number;
  readonly stop: BlockStop | undefined;
}

/** What a column that should hold bytes holds instead (a backend with loose typing may store anything). */
export function describeStored(value: unknown): string {
  if (value === null) return 'null';
  return typeof value === 'string' ? 'text' : typeof value;
}

function room(buffer: ArrayBuffer | undefined, bytes: number): ArrayBuffer {
  return buffer !== undefined && buffer.byteLength >= bytes ? buffer : new ArrayBuffer(Math.ceil(bytes * 1.25) + 64);
}

/**
 * Packs rows read for [fromIndex, toIndex) into a block, reusing `reuse` where it is large enough; stops at the
 * first missing index or entry that is not bytes.
 * @example packEntryBlock(await store.readEntries(0, 100), 0, 100, undefined).count // 100
 */
export function packEntryBlock(rows: readonly SequencedEntry[], fromIndex: number, toIndex: number, reuse: EntryBlockBuffers | undefined): EntryBlock {
  let count = 0;
  let stop: BlockStop | undefined;
  let byteTotal = 0;
  for (const row of rows) {
    if (row.index !== fromIndex + count) break;
    const entry: unknown = row.entry;
    if (!(entry instanceof Uint8Array)) {
      stop = { kind: 'not-bytes', index: row.index, storedAs: describeStored(entry) };
      break;
    }
    byteTotal += entry.byteLength;
    count += 1;
  }
  if (stop === undefined && fromIndex + count < toIndex) stop = { kind: 'missing', index: fromIndex + count };
  const ids = rows.slice(0, count).map((row) => Buffer.from(String(row.eventId as unknown), 'utf8'));
  const idTotal = ids.reduce((sum, id) => sum + id.byteLength, 0);
  const block: EntryBlock = {
    fromIndex,
    count,
    stop,
    bytes: room(reuse?.bytes, byteTotal),
    ends: room(reuse?.ends, count * 4),
    ids: room(reuse?.ids, idTotal),
    idEnds: room(reuse?.idEnds, count * 4),
  };
  const bytes = new Uint8Array(block.bytes);
  const ends = new Uint32Array(block.ends, 0, count);
  const idBytes = new Uint8Array(block.ids);
  const idEnds = new Uint32Array(block.idEnds, 0, count);
  for (let i = 0, at = 0, idAt = 0; i < count; i++) {
    const entry = (rows[i] as SequencedEntry).entry;
    bytes.set(entry, at);
    ends[i] = at += entry.byteLength;
    idBytes.set(ids[i] as Buffer, idAt);
    idEnds[i] = idAt += (ids[i] as Buffer).byteLength;
  }
  return block;
}

/** The entry of row `i` of a block (a view into it). */
export function blockEntry(block: EntryBlock, i: number): Uint8Array {
  const ends = new Uint32Array(block.ends, 0, block.count);
  return new Uint8Array(block.bytes, i === 0 ? 0 : (ends[i - 1] ?? 0), (ends[i] ?? 0) - (i === 0 ? 0 : (ends[i - 1] ?? 0)));
}

/** The event id column of row `i` of a block. */
export function blockEventId(block: EntryBlock, i: number): string {
  const ends = new Uint32Array(block.idEnds, 0, block.count);
  const start = i === 0 ? 0 : (ends[i - 1] ?? 0);
  return Buffer.from(block.ids, start, (ends[i] ?? 0) - start).toString('utf8');
}
