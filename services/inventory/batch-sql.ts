import type { RowDataPacket } from 'mysql2/promise';
import type { Statement } from '../../platform/mysql.js';
import type { BatchChanges, BatchState } from './apply.js';
import type { IdempotencyRecord } from './ops.js';
import { reservationsSql, STOCK_COLUMNS, toReservations, toStockRow } from './store.js';

/** One SQL statement with its `?` values. */
export type Stmt = Statement;

/** What a batch reads, as statements, and how to turn their results into the batch state. */
export interface BatchRead {
  stmts: Stmt[];
  /** Parses the results of exactly `stmts`, in order. */
  parse(results: unknown[]): Omit<BatchState, 'now'>;
}

/**
 * The reads a batch decides on: every stock row of its SKUs (sorted, so row locks are always taken
 * in one global order), its stored reservations with their lines, and its idempotency keys.
 * `locking` adds FOR UPDATE (the `db` and `zk+db` strategies).
 */
export function batchReads(want: {
  skus: string[];
  orderIds: string[];
  keys: string[];
  locking: boolean;
}): BatchRead {
  const lock = want.locking ? ' FOR UPDATE' : '';
  const stmts: Stmt[] = [];
  const at: { stock?: number; reservations?: number; keys?: number } = {};
  if (want.skus.length > 0) {
    at.stock =
      stmts.push({
        sql: `SELECT ${STOCK_COLUMNS} FROM stock WHERE sku IN (?) ORDER BY sku, warehouse_id${lock}`,
        params: [want.skus],
      }) - 1;
  }
  if (want.orderIds.length > 0) {
    at.reservations = stmts.push({ sql: reservationsSql(lock), params: [want.orderIds] }) - 1;
  }
  if (want.keys.length > 0) {
    at.keys =
      stmts.push({
        sql: `SELECT idempotency_key, kind, sku, warehouse_id, to_warehouse_id, quantity
              FROM idempotency_keys WHERE idempotency_key IN (?)`,
        params: [want.keys],
      }) - 1;
  }
  const rows = (results: unknown[], i: number | undefined) =>
    i === undefined ? [] : (results[i] as RowDataPacket[]);
  return {
    stmts,
    parse: (results) => ({
      stock: rows(results, at.stock).map(toStockRow),
      reservations: toReservations(rows(results, at.reservations)),
      idempotency: rows(results, at.keys).map((r): IdempotencyRecord => ({
        key: r.idempotency_key as string,
        kind: r.kind as IdempotencyRecord['kind'],
        sku: r.sku as string,
        warehouseId: r.warehouse_id as string,
        toWarehouseId: (r.to_warehouse_id as string | null) ?? null,
        quantity: Number(r.quantity),
      })),
    }),
  };
}

/**
 * Creates missing stock rows (all zero) so that the batch's FOR UPDATE can lock them: a row that
 * does not exist cannot be locked under READ COMMITTED, and two batches would both "insert" it.
 */
export function ensureStockRows(pairs: { sku: string; warehouseId: string }[]): Stmt[] {
  if (pairs.length === 0) return [];
  return [
    {
      sql: 'INSERT IGNORE INTO stock (sku, warehouse_id) VALUES ?',
      params: [pairs.map((p) => [p.sku, p.warehouseId])],
    },
  ];
}

/**
 * A batch's writes: each changed stock row once (its final values), the ledger rows, new
 * reservations with their lines, state changes, and applied idempotency keys — one multi-row
 * statement each, whatever the batch's size.
 */
export function batchWrites(
  changes: Omit<BatchChanges, 'results'>,
  meta: { now: Date; instance: string; fenceTokens?: ReadonlyMap<string, bigint> },
): Stmt[] {
  const out: Stmt[] = [];
  if (changes.stock.length > 0) {
    out.push({
      sql: `INSERT INTO stock (${STOCK_COLUMNS}, updated_at) VALUES ?
            ON DUPLICATE KEY UPDATE available = VALUES(available), reserved = VALUES(reserved),
              sold = VALUES(sold), received = VALUES(received), adjusted = VALUES(adjusted),
              updated_at = VALUES(updated_at)`,
      params: [
        changes.stock.map((s) => [
          s.sku,
          s.warehouseId,
          s.available,
          s.reserved,
          s.sold,
          s.received,
          s.adjusted,
          meta.now,
        ]),
      ],
    });
  }
  const reservationRow = (r: BatchChanges['newReservations'][number]) => [
    r.orderId,
    r.state,
    r.expiresAt,
    r.reason,
    r.createdAt,
    r.updatedAt,
  ];
  if (changes.newReservations.length > 0) {
    out.push(
      {
        sql: 'INSERT INTO reservations (order_id, state, expires_at, reason, created_at, updated_at) VALUES ?',
        params: [changes.newReservations.map(reservationRow)],
      },
      {
        sql: 'INSERT INTO reservation_lines (order_id, sku, warehouse_id, quantity) VALUES ?',
        params: [
          changes.newReservations.flatMap((r) =>
            r.lines.map((l) => [r.orderId, l.sku, l.warehouseId, l.quantity]),
          ),
        ],
      },
    );
  }
  if (changes.changedReservations.length > 0) {
    // Every row exists (it was read in this transaction): a multi-row update in one statement.
    out.push({
      sql: `INSERT INTO reservations (order_id, state, expires_at, reason, created_at, updated_at) VALUES ?
            ON DUPLICATE KEY UPDATE state = VALUES(state), reason = VALUES(reason), updated_at = VALUES(updated_at)`,
      params: [changes.changedReservations.map(reservationRow)],
    });
  }
  if (changes.movements.length > 0) {
    out.push({
      sql: `INSERT INTO movements (sku, warehouse_id, kind, d_available, d_reserved, d_sold, d_received, d_adjusted,
              order_id, idempotency_key, reason, fence_token, instance, created_at) VALUES ?`,
      params: [
        changes.movements.map((m) => [
          m.sku,
          m.warehouseId,
          m.kind,
          m.dAvailable,
          m.dReserved,
          m.dSold,
          m.dReceived,
          m.dAdjusted,
          m.orderId,
          m.idempotencyKey,
          m.reason,
          meta.fenceTokens?.get(m.sku)?.toString() ?? null,
          meta.instance,
          meta.now,
        ]),
      ],
    });
  }
  if (changes.newKeys.length > 0) {
    out.push({
      sql: 'INSERT INTO idempotency_keys (idempotency_key, kind, sku, warehouse_id, to_warehouse_id, quantity) VALUES ?',
      params: [
        changes.newKeys.map((k) => [k.key, k.kind, k.sku, k.warehouseId, k.toWarehouseId, k.quantity]),
      ],
    });
  }
  return out;
}
