import { InventoryServiceService, type ReserveRequest } from '../../proto/gen/ecom/inventory/v1/inventory.js';
import { InvalidArgument } from '../../platform/errors.js';
import { serviceBinding, type ServiceBinding } from '../../platform/grpc/server.js';
import type { Database } from '../../platform/mysql.js';
import type { Catalog } from './catalog.js';
import type { Inventory } from './inventory.js';
import { decodePageToken, encodePageToken, toStockLevel } from './mapping.js';
import { reserveMany } from './reserve-many.js';
import { stockPage } from './store.js';
import {
  boundedText,
  DEFAULT_PAGE_SIZE,
  distinctIds,
  MAX_NAME_LENGTH,
  MAX_PAGE_SIZE,
  MAX_STOCK_QUANTITY,
  optionalId,
  requireId,
  requireInt,
  validateLines,
  validateTtl,
} from './validation.js';

/** The gRPC handlers: validate every request (INVALID_ARGUMENT naming the field), then call the domain. */
export function inventoryBinding(deps: {
  inventory: Inventory;
  catalog: Catalog;
  db: Database;
}): ServiceBinding {
  const { inventory, catalog, db } = deps;
  const reserve = (req: ReserveRequest, signal: AbortSignal) => {
    const orderId = requireId(req.orderId, 'order_id');
    const lines = validateLines(req.lines);
    return inventory.reserve(orderId, lines, validateTtl(req.ttlSeconds), signal);
  };
  return serviceBinding(InventoryServiceService, {
    async reserve(req, ctx) {
      return reserve(req, ctx.signal);
    },
    async reserveMany(req, ctx) {
      return reserveMany(req.requests, (r) => reserve(r, ctx.signal), ctx.logger);
    },
    async commit(req, ctx) {
      return { reservation: await inventory.commit(requireId(req.orderId, 'order_id'), ctx.signal) };
    },
    async release(req, ctx) {
      const orderId = requireId(req.orderId, 'order_id');
      return { reservation: await inventory.release(orderId, boundedText(req.reason, 'reason'), ctx.signal) };
    },
    async getReservation(req) {
      return { reservation: await inventory.getReservation(requireId(req.orderId, 'order_id')) };
    },
    async getStock(req) {
      const sku = requireId(req.sku, 'sku');
      const { levels, total } = await inventory.getStock(
        sku,
        optionalId(req.warehouseId, 'warehouse_id'),
        req.consistent,
      );
      return { sku, levels, totalAvailable: total };
    },
    async listStock(req) {
      const size =
        requireInt(req.page?.pageSize ?? 0, 'page.page_size', 0, MAX_PAGE_SIZE) || DEFAULT_PAGE_SIZE;
      const after = decodePageToken(req.page?.pageToken ?? '');
      const rows = await stockPage(db.replica, {
        after,
        warehouseId: optionalId(req.warehouseId, 'warehouse_id'),
        limit: size + 1,
      });
      const page = rows.slice(0, size);
      const last = page[page.length - 1];
      return {
        levels: page.map(toStockLevel),
        nextPageToken: rows.length > size && last ? encodePageToken(last) : '',
      };
    },
    async restock(req, ctx) {
      const [level] = await inventory.changeStock(
        {
          kind: 'receive',
          sku: requireId(req.sku, 'sku'),
          warehouseId: requireId(req.warehouseId, 'warehouse_id'),
          quantity: requireInt(req.quantity, 'quantity', 1, MAX_STOCK_QUANTITY),
          idempotencyKey: optionalId(req.idempotencyKey, 'idempotency_key'),
        },
        ctx.signal,
      );
      return { level };
    },
    async adjust(req, ctx) {
      const delta = requireInt(req.delta, 'delta', -MAX_STOCK_QUANTITY, MAX_STOCK_QUANTITY);
      if (delta === 0) throw new InvalidArgument('delta', 'must not be zero');
      const [level] = await inventory.changeStock(
        {
          kind: 'adjust',
          sku: requireId(req.sku, 'sku'),
          warehouseId: requireId(req.warehouseId, 'warehouse_id'),
          delta,
          reason: boundedText(req.reason, 'reason'),
          idempotencyKey: optionalId(req.idempotencyKey, 'idempotency_key'),
        },
        ctx.signal,
      );
      return { level };
    },
    async transfer(req, ctx) {
      const from = requireId(req.fromWarehouseId, 'from_warehouse_id');
      const to = requireId(req.toWarehouseId, 'to_warehouse_id');
      if (from === to) throw new InvalidArgument('to_warehouse_id', 'must differ from from_warehouse_id');
      const [fromLevel, toLevel] = await inventory.changeStock(
        {
          kind: 'transfer',
          sku: requireId(req.sku, 'sku'),
          fromWarehouseId: from,
          toWarehouseId: to,
          quantity: requireInt(req.quantity, 'quantity', 1, MAX_STOCK_QUANTITY),
          idempotencyKey: optionalId(req.idempotencyKey, 'idempotency_key'),
        },
        ctx.signal,
      );
      return { from: fromLevel, to: toLevel };
    },
    async upsertSkus(req) {
      distinctIds(
        req.skus.map((s) => s.sku),
        'skus',
      );
      const skus = req.skus.map((s, i) => {
        const currency = s.unitPrice?.currency || 'EUR';
        if (!/^[A-Z]{3}$/.test(currency)) {
          throw new InvalidArgument(`skus[${i}].unit_price.currency`, 'must be an ISO 4217 code like EUR');
        }
        return {
          sku: s.sku,
          name: boundedText(s.name, `skus[${i}].name`, MAX_NAME_LENGTH),
          priceMinor: requireInt(
            s.unitPrice?.amountMinor ?? 0,
            `skus[${i}].unit_price.amount_minor`,
            0,
            Number.MAX_SAFE_INTEGER,
          ),
          currency,
        };
      });
      return { upserted: await catalog.upsertSkus(skus) };
    },
    async getSkus(req) {
      const skus = await catalog.getSkus(distinctIds(req.skus, 'skus'));
      return {
        skus: skus.map((s) => ({
          sku: s.sku,
          name: s.name,
          unitPrice: { amountMinor: s.priceMinor, currency: s.currency },
        })),
      };
    },
    async upsertWarehouses(req) {
      distinctIds(
        req.warehouses.map((w) => w.warehouseId),
        'warehouses',
      );
      const warehouses = req.warehouses.map((w, i) => ({
        warehouseId: w.warehouseId,
        name: boundedText(w.name, `warehouses[${i}].name`, MAX_NAME_LENGTH),
      }));
      return { upserted: await catalog.upsertWarehouses(warehouses) };
    },
  });
}
