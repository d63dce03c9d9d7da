import {
  ReserveOutcome,
  type Reservation,
  type ReserveResponse,
  type StockLevel,
} from '../../proto/gen/ecom/inventory/v1/inventory.js';
import { Aborted, NotFound } from '../../platform/errors.js';
import type { Logger } from '../../platform/logger.js';
import type { Database } from '../../platform/mysql.js';
import type { Batcher } from './batcher.js';
import type { Catalog } from './catalog.js';
import type { InventorySection } from './config.js';
import { toReservation, toStockLevel } from './mapping.js';
import type { InventoryMetrics } from './metrics.js';
import { skusOf, type Op, type OpResult } from './ops.js';
import { readReservations, reservationSkus, stockOf } from './store.js';
import type { ValidLine } from './validation.js';

/** What the domain layer needs. */
export interface InventoryDeps {
  db: Database;
  catalog: Catalog;
  batcher: Batcher<Op, OpResult>;
  metrics: InventoryMetrics;
  config: InventorySection;
  logger: Logger;
}

/**
 * The inventory's operations on validated input: stock changes go through the batcher (one
 * transaction per batch, under the lock strategy); decisions read the primary; stale-tolerant
 * reads may use the replica.
 */
export class Inventory {
  constructor(private readonly deps: InventoryDeps) {}

  async reserve(
    orderId: string,
    lines: ValidLine[],
    ttlSeconds: number,
    signal?: AbortSignal,
  ): Promise<ReserveResponse> {
    await this.deps.catalog.requireSkus(lines.map((l, i) => ({ sku: l.sku, field: `lines[${i}].sku` })));
    const ttl = ttlSeconds > 0 ? ttlSeconds : this.deps.config.defaultTtlSeconds;
    const result = await this.submit({ kind: 'reserve', orderId, lines, ttlSeconds: ttl }, signal);
    if (result.kind === 'out_of_stock') {
      this.count('reserve', 'out_of_stock');
      return {
        outcome: ReserveOutcome.RESERVE_OUTCOME_OUT_OF_STOCK,
        reservation: undefined,
        shortages: result.shortages,
      };
    }
    const reservation = this.reservationOf('reserve', result, 'reserved');
    return { outcome: ReserveOutcome.RESERVE_OUTCOME_RESERVED, reservation, shortages: [] };
  }

  async commit(orderId: string, signal?: AbortSignal): Promise<Reservation> {
    const skus = await this.skusOfOrder(orderId);
    return this.reservationOf(
      'commit',
      await this.submit({ kind: 'commit', orderId, skus }, signal),
      'committed',
    );
  }

  async release(orderId: string, reason: string, signal?: AbortSignal): Promise<Reservation> {
    const skus = await this.skusOfOrder(orderId);
    const result = await this.submit({ kind: 'release', orderId, reason, skus }, signal);
    return this.reservationOf('release', result, 'released');
  }

  /** The sweeper's path: expires the given reservations (each a no-op unless HELD and past its TTL). */
  async expire(orderIds: string[]): Promise<number> {
    if (orderIds.length === 0) return 0;
    const skus = await reservationSkus(this.deps.db.primary, orderIds);
    const results = await Promise.allSettled(
      orderIds.map((orderId) => this.submit({ kind: 'expire', orderId, skus: skus.get(orderId) ?? [] })),
    );
    let expired = 0;
    for (const r of results) {
      if (r.status === 'fulfilled' && r.value.kind === 'reservation') expired++;
      else if (r.status === 'rejected')
        this.deps.logger.warn({ err: r.reason as Error }, 'expiry failed; next pass retries');
    }
    if (expired > 0) {
      this.deps.metrics.expired.inc(expired);
      this.count('expire', 'expired', expired);
    }
    return expired;
  }

  async getReservation(orderId: string): Promise<Reservation> {
    const [r] = await readReservations(this.deps.db.primary, [orderId]);
    if (!r) throw new NotFound(`no reservation for order ${orderId}`);
    return toReservation(r);
  }

  async getStock(
    sku: string,
    warehouseId: string,
    consistent: boolean,
  ): Promise<{ levels: StockLevel[]; total: number }> {
    await this.deps.catalog.requireSkus([{ sku, field: 'sku' }]);
    const rows = await stockOf(consistent ? this.deps.db.primary : this.deps.db.replica, sku, warehouseId);
    return { levels: rows.map(toStockLevel), total: rows.reduce((s, r) => s + r.available, 0) };
  }

  /** Restock, Adjust or Transfer (validated; SKU and warehouses checked here). */
  async changeStock(
    op: Extract<Op, { kind: 'receive' | 'adjust' | 'transfer' }>,
    signal?: AbortSignal,
  ): Promise<StockLevel[]> {
    await this.deps.catalog.requireSkus([{ sku: op.sku, field: 'sku' }]);
    await this.deps.catalog.requireWarehouses(
      op.kind === 'transfer'
        ? [
            { id: op.fromWarehouseId, field: 'from_warehouse_id' },
            { id: op.toWarehouseId, field: 'to_warehouse_id' },
          ]
        : [{ id: op.warehouseId, field: 'warehouse_id' }],
    );
    const result = await this.submit(op, signal);
    if (result.kind === 'error') {
      this.count(op.kind, 'rejected');
      throw result.error;
    }
    if (result.kind !== 'stock') throw new Error(`unexpected result ${result.kind} for ${op.kind}`);
    this.count(op.kind, result.replay ? 'replay' : 'applied');
    return result.levels.map(toStockLevel);
  }

  private async skusOfOrder(orderId: string): Promise<string[]> {
    const skus = (await reservationSkus(this.deps.db.primary, [orderId])).get(orderId);
    if (!skus) throw new NotFound(`no reservation for order ${orderId}`);
    return skus;
  }

  private async submit(op: Op, signal?: AbortSignal): Promise<OpResult> {
    try {
      return await this.deps.batcher.submit(op, skusOf(op), signal);
    } catch (err) {
      this.count(op.kind, 'failed');
      // Still a duplicate after every retry: a concurrent twin of this request; the client may retry.
      if ((err as { code?: unknown }).code === 'ER_DUP_ENTRY')
        throw new Aborted('concurrent duplicate request, retry');
      throw err;
    }
  }

  private reservationOf(op: string, result: OpResult, outcome: string): Reservation {
    if (result.kind === 'error') {
      this.count(op, result.error.constructor.name.toLowerCase());
      throw result.error;
    }
    if (result.kind !== 'reservation') throw new Error(`unexpected result ${result.kind} for ${op}`);
    this.count(op, result.replay ? 'replay' : outcome);
    return toReservation(result.reservation);
  }

  private count(op: string, outcome: string, n = 1): void {
    this.deps.metrics.reservations.inc({ op, outcome }, n);
  }
}
