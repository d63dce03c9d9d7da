import type { Pool, PoolConnection, RowDataPacket } from 'mysql2/promise';
import type { ReservationRecord, ReservationStateName, StockRow } from './ops.js';

/** Either a pool (autocommit) or a connection inside a transaction. */
type Queryable = Pick<Pool, 'query'> | Pick<PoolConnection, 'query'>;

/** The columns of a stock row, in {@link toStockRow}'s order. */
export const STOCK_COLUMNS = 'sku, warehouse_id, available, reserved, sold, received, adjusted';

/** Reservations with their lines, by order id (`lock`: "" or " FOR UPDATE"). */
export async function readReservations(conn: Queryable, orderIds: string[]): Promise<ReservationRecord[]> {
  const [rows] = await conn.query<RowDataPacket[]>(reservationsSql(''), [orderIds]);
  return toReservations(rows);
}

/** The query behind {@link readReservations} (`lock`: "" or " FOR UPDATE"); one `?` for the ids. */
export function reservationsSql(lock: string): string {
  return `SELECT r.order_id, r.state, r.expires_at, r.reason, r.created_at, r.updated_at,
            l.sku, l.warehouse_id, l.quantity
       FROM reservations r JOIN reservation_lines l ON l.order_id = r.order_id
      WHERE r.order_id IN (?) ORDER BY r.order_id, l.sku, l.warehouse_id${lock}`;
}

/** Groups joined reservation rows into records with their lines. */
export function toReservations(rows: RowDataPacket[]): ReservationRecord[] {
  const byOrder = new Map<string, ReservationRecord>();
  for (const r of rows) {
    const orderId = r.order_id as string;
    let rec = byOrder.get(orderId);
    if (!rec) {
      rec = {
        orderId,
        state: r.state as ReservationStateName,
        expiresAt: r.expires_at as Date,
        reason: (r.reason as string | null) ?? null,
        createdAt: r.created_at as Date,
        updatedAt: r.updated_at as Date,
        lines: [],
      };
      byOrder.set(orderId, rec);
    }
    rec.lines.push({
      sku: r.sku as string,
      warehouseId: r.warehouse_id as string,
      quantity: Number(r.quantity),
    });
  }
  return [...byOrder.values()];
}

/** The SKUs of each reservation (lines never change, so this may be read before locking). */
export async function reservationSkus(conn: Queryable, orderIds: string[]): Promise<Map<string, string[]>> {
  const [rows] = await conn.query<RowDataPacket[]>(
    'SELECT DISTINCT order_id, sku FROM reservation_lines WHERE order_id IN (?) ORDER BY order_id, sku',
    [orderIds],
  );
  const out = new Map<string, string[]>();
  for (const r of rows) {
    const list = out.get(r.order_id as string) ?? [];
    list.push(r.sku as string);
    out.set(r.order_id as string, list);
  }
  return out;
}

/** Stock rows of one SKU (optionally one warehouse), sorted by warehouse. */
export async function stockOf(conn: Queryable, sku: string, warehouseId = ''): Promise<StockRow[]> {
  const [rows] = await conn.query<RowDataPacket[]>(
    `SELECT ${STOCK_COLUMNS} FROM stock WHERE sku = ?${warehouseId ? ' AND warehouse_id = ?' : ''}
      ORDER BY warehouse_id`,
    warehouseId ? [sku, warehouseId] : [sku],
  );
  return rows.map(toStockRow);
}

/** One page of stock rows after (sku, warehouse) `after`, ordered by (sku, warehouse). */
export async function stockPage(
  conn: Queryable,
  opts: { after?: { sku: string; warehouseId: string }; warehouseId: string; limit: number },
): Promise<StockRow[]> {
  const where: string[] = [];
  const params: unknown[] = [];
  if (opts.after) {
    where.push('(sku > ? OR (sku = ? AND warehouse_id > ?))');
    params.push(opts.after.sku, opts.after.sku, opts.after.warehouseId);
  }
  if (opts.warehouseId) {
    where.push('warehouse_id = ?');
    params.push(opts.warehouseId);
  }
  const [rows] = await conn.query<RowDataPacket[]>(
    `SELECT ${STOCK_COLUMNS} FROM stock ${where.length ? 'WHERE ' + where.join(' AND ') : ''}
      ORDER BY sku, warehouse_id LIMIT ?`,
    [...params, opts.limit],
  );
  return rows.map(toStockRow);
}

/** Order ids of HELD reservations whose TTL has passed, oldest first. */
export async function expiredOrderIds(conn: Queryable, now: Date, limit: number): Promise<string[]> {
  const [rows] = await conn.query<RowDataPacket[]>(
    "SELECT order_id FROM reservations WHERE state = 'HELD' AND expires_at <= ? ORDER BY expires_at LIMIT ?",
    [now, limit],
  );
  return rows.map((r) => r.order_id as string);
}

/** A row selected with {@link STOCK_COLUMNS}. */
export function toStockRow(r: RowDataPacket): StockRow {
  return {
    sku: r.sku as string,
    warehouseId: r.warehouse_id as string,
    available: Number(r.available),
    reserved: Number(r.reserved),
    sold: Number(r.sold),
    received: Number(r.received),
    adjusted: Number(r.adjusted),
  };
}
