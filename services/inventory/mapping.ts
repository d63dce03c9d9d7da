import {
  ReservationState,
  type Reservation,
  type StockLevel,
} from '../../proto/gen/ecom/inventory/v1/inventory.js';
import { InvalidArgument } from '../../platform/errors.js';
import type { ReservationRecord, ReservationStateName, StockRow } from './ops.js';

const STATES: Record<ReservationStateName, ReservationState> = {
  HELD: ReservationState.RESERVATION_STATE_HELD,
  COMMITTED: ReservationState.RESERVATION_STATE_COMMITTED,
  RELEASED: ReservationState.RESERVATION_STATE_RELEASED,
  EXPIRED: ReservationState.RESERVATION_STATE_EXPIRED,
};

/** A stored reservation as the API's message. */
export function toReservation(r: ReservationRecord): Reservation {
  return {
    orderId: r.orderId,
    allocations: r.lines.map((l) => ({ sku: l.sku, warehouseId: l.warehouseId, quantity: l.quantity })),
    state: STATES[r.state],
    expiresAt: r.expiresAt,
    createdAt: r.createdAt,
    updatedAt: r.updatedAt,
  };
}

/** A stock row as the API's message; `received` there includes adjustments. */
export function toStockLevel(s: StockRow): StockLevel {
  return {
    sku: s.sku,
    warehouseId: s.warehouseId,
    available: s.available,
    reserved: s.reserved,
    sold: s.sold,
    received: s.received + s.adjusted,
  };
}

/** Opaque ListStock page token: the last (sku, warehouse) of the previous page. */
export function encodePageToken(last: { sku: string; warehouseId: string }): string {
  return Buffer.from(JSON.stringify([last.sku, last.warehouseId])).toString('base64url');
}

/** Decodes a page token; a malformed one is INVALID_ARGUMENT naming the field. */
export function decodePageToken(
  token: string,
  field = 'page.page_token',
): { sku: string; warehouseId: string } | undefined {
  if (token === '') return undefined;
  try {
    const value: unknown = JSON.parse(Buffer.from(token, 'base64url').toString('utf8'));
    if (Array.isArray(value) && value.length === 2 && value.every((v) => typeof v === 'string')) {
      return { sku: value[0] as string, warehouseId: value[1] as string };
    }
  } catch {
    // fall through
  }
  throw new InvalidArgument(field, 'is not a token this service issued');
}
