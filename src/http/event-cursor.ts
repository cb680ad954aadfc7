// Opaque page cursors for the events API: the log index a page stopped at and the order it walks in.
import type { EventOrder } from '../events/event-search.ts';
import { AppError } from '../shared/app-error.ts';

const CURSOR = /^(asc|desc):(0|[1-9]\d{0,15})$/;

/**
 * A cursor that continues `order` strictly beyond index `after`.
 * @example encodeCursor('desc', 41) // 'ZGVzYzo0MQ'
 */
export function encodeCursor(order: EventOrder, after: number): string {
  return Buffer.from(`${order}:${after}`, 'utf8').toString('base64url');
}

/** The index a cursor continues after; throws AppError('invalid_input') for a cursor this API did not make or one of the other order. */
export function decodeCursor(cursor: string, order: EventOrder): number {
  const match = CURSOR.exec(Buffer.from(cursor, 'base64url').toString('utf8'));
  const after = match === null ? Number.NaN : Number(match[2]);
  if (match === null || !Number.isSafeInteger(after)) {
    throw new AppError('invalid_input', 'the cursor is not one this API gave out: pass the "next" of the previous page unchanged');
  }
  if (match[1] !== order) throw new AppError('invalid_input', `the cursor continues order=${String(match[1])}, but this request asks for order=${order}`);
  return after;
}
