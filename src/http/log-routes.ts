// The log served read-only as C2SP tlog-tiles: the checkpoint and hash tiles publicly, entry bundles to token holders.
import type { FastifyInstance, FastifyReply } from 'fastify';
import { encodeEntryBundle } from '../ledger/entry-bundle.ts';
import { latestCheckpointOrFail, publishedCheckpointOrFail } from '../ledger/log-reader.ts';
import type { LedgerStore } from '../ledger/ledger-store.ts';
import { parseTilePath, TILE_WIDTH, type TileCache } from '../ledger/tiles.ts';
import { AppError } from '../shared/app-error.ts';
import { bearerTokenMatches } from './bearer-token.ts';

export { encodeEntryBundle };

const IMMUTABLE = 'public, max-age=31536000, immutable';
const HASH_SIZE = 32;

export interface LogRouteOptions {
  readonly store: LedgerStore;
  /** Token that entry bundles require; without one, they are not served. */
  readonly readToken: string | undefined;
  /** The process's tile cache: hash tiles it holds are served without a database read, and tiles read are kept. */
  readonly tileCache?: TileCache;
}

function tileCacheControl(width: number): string {
  return width === TILE_WIDTH ? IMMUTABLE : 'public, max-age=60';
}

function sendBytes(reply: FastifyReply, bytes: Uint8Array, cacheControl: string): FastifyReply {
  return reply.header('cache-control', cacheControl).type('application/octet-stream').send(Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength));
}

function requireReadToken(authorization: string | undefined, readToken: string | undefined): void {
  if (readToken === undefined) {
    throw new AppError('forbidden', 'entry bundles are not served: the operator has set no read token (WRIT_LOG_READ_TOKEN)');
  }
  if (!bearerTokenMatches(authorization, readToken)) {
    throw new AppError('unauthorized', 'entry bundles need "Authorization: Bearer <read token>"');
  }
}

/**
 * The answer for a bundle with entries retention removed: 410 naming the removed ranges and the retention floor (from
 * which every entry is still held), as C2SP's minimum index does; a bundle missing entries otherwise is an inconsistency.
 */
async function refuseRemoved(store: LedgerStore, tail: string, first: number, width: number): Promise<never> {
  const removed = (await store.removed?.readRemovedRanges(first, first + width)) ?? [];
  if (removed.length === 0) throw new AppError('ledger_inconsistent', `entries ${first}…${first + width - 1} are not all stored`);
  const floor = (await store.removed?.floor()) ?? 0;
  const ranges = removed.map((r) => (r.to - r.from === 1 ? `${r.from}` : `${r.from}…${r.to - 1}`)).join(', ');
  throw new AppError(
    'gone',
    `entry bundle ${tail} holds entries whose content retention removed (${ranges}); every entry from index ${floor} on is still held. Hash tiles, proofs and receipts of removed entries still work`,
    { details: { retentionFloor: floor, removed: removed.map((r) => [r.from, r.to - 1]) } },
  );
}

export function registerLogRoutes(app: FastifyInstance, options: LogRouteOptions): void {
  const { store } = options;
  app.get('/log/checkpoint', async (_request, reply) => {
    const checkpoint = await publishedCheckpointOrFail(store);
    return reply.header('cache-control', 'no-cache').type('text/plain; charset=utf-8').send(checkpoint.note);
  });
  app.get('/log/tile/*', async (request, reply) => {
    const tail = (request.params as { '*': string })['*'];
    const tile = parseTilePath(`tile/${tail}`);
    const published = (await latestCheckpointOrFail(store)).size;
    if (tile.kind === 'entries') {
      requireReadToken(request.headers.authorization, options.readToken);
      const first = tile.index * TILE_WIDTH;
      if (first + tile.width > published) throw new AppError('not_found', `entry bundle ${tail} is beyond the published tree of size ${published}`);
      const entries = await store.readEntries(first, first + tile.width);
      if (entries.length !== tile.width) await refuseRemoved(store, tail, first, tile.width);
      return sendBytes(reply, encodeEntryBundle(entries.map((e) => e.entry)), tileCacheControl(tile.width));
    }
    const cached = options.tileCache?.hashes(tile.level, tile.index, tile.width);
    if (cached !== undefined) return sendBytes(reply, cached, tileCacheControl(tile.width));
    const [stored] = await store.readTiles([{ level: tile.level, index: tile.index, width: tile.width }]);
    if (stored === undefined || stored.hashes.length < tile.width * HASH_SIZE) {
      throw new AppError('not_found', `tile ${tail} is not in the published tree of size ${published}`);
    }
    options.tileCache?.remember(tile.level, tile.index, stored.hashes);
    return sendBytes(reply, stored.hashes.subarray(0, tile.width * HASH_SIZE), tileCacheControl(tile.width));
  });
}
