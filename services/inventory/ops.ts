import type { DomainError } from '../../platform/errors.js';
import type { ValidLine } from './validation.js';

/** A stock-changing request, already validated, as the batch engine applies it. */
export type Op =
  | { kind: 'reserve'; orderId: string; lines: ValidLine[]; ttlSeconds: number }
  | { kind: 'commit'; orderId: string; skus: string[] }
  | { kind: 'release'; orderId: string; reason: string; skus: string[] }
  /** The sweeper's release of a reservation whose TTL has passed; a no-op on anything else. */
  | { kind: 'expire'; orderId: string; skus: string[] }
  | { kind: 'receive'; sku: string; warehouseId: string; quantity: number; idempotencyKey: string }
  | {
      kind: 'adjust';
      sku: string;
      warehouseId: string;
      delta: number;
      reason: string;
      idempotencyKey: string;
    }
  | {
      kind: 'transfer';
      sku: string;
      fromWarehouseId: string;
      toWarehouseId: string;
      quantity: number;
      idempotencyKey: string;
    };

/** The SKUs an op changes: what the batch locks for it. */
export function skusOf(op: Op): string[] {
  switch (op.kind) {
    case 'reserve':
      return op.lines.map((l) => l.sku);
    case 'commit':
    case 'release':
    case 'expire':
      return op.skus;
    default:
      return [op.sku];
  }
}

/** Does the op carry an order whose id starts with the prefix (test fault hook)? */
export function orderIdOf(op: Op): string | undefined {
  return 'orderId' in op ? op.orderId : undefined;
}

export type ReservationStateName = 'HELD' | 'COMMITTED' | 'RELEASED' | 'EXPIRED';

/** One (sku, warehouse, quantity) of a reservation. */
export interface AllocationRow {
  sku: string;
  warehouseId: string;
  quantity: number;
}

/** A reservation as stored. */
export interface ReservationRecord {
  orderId: string;
  state: ReservationStateName;
  expiresAt: Date;
  reason: string | null;
  createdAt: Date;
  updatedAt: Date;
  lines: AllocationRow[];
}

/** A stock row as stored. */
export interface StockRow {
  sku: string;
  warehouseId: string;
  available: number;
  reserved: number;
  sold: number;
  received: number;
  adjusted: number;
}

/** An applied idempotency key and the request it was applied for. */
export interface IdempotencyRecord {
  key: string;
  kind: 'receive' | 'adjust' | 'transfer';
  sku: string;
  warehouseId: string;
  toWarehouseId: string | null;
  quantity: number;
}

export type MovementKind =
  'receive' | 'reserve' | 'release' | 'expire' | 'sell' | 'adjust' | 'transfer_out' | 'transfer_in';

/** One ledger row (see the migration for the meaning of each kind). */
export interface Movement {
  sku: string;
  warehouseId: string;
  kind: MovementKind;
  dAvailable: number;
  dReserved: number;
  dSold: number;
  dReceived: number;
  dAdjusted: number;
  orderId: string | null;
  idempotencyKey: string | null;
  reason: string | null;
}

/** What an op produced. */
export type OpResult =
  | { kind: 'reservation'; reservation: ReservationRecord; replay: boolean }
  | { kind: 'out_of_stock'; shortages: { sku: string; requested: number; available: number }[] }
  | { kind: 'stock'; levels: StockRow[]; replay: boolean }
  | { kind: 'noop' }
  | { kind: 'error'; error: DomainError };

/** A stock row key. */
export function stockKey(sku: string, warehouseId: string): string {
  return `${sku}\u0000${warehouseId}`;
}
