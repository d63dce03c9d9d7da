import type { InventoryServiceService } from '../../proto/gen/ecom/inventory/v1/inventory.js';
import type { PromiseClient } from '../../platform/grpc/client.js';
import { MAX_CATALOGUE_BATCH, MAX_STOCK_QUANTITY } from './validation.js';

/** What `ecom seed` asks for. */
export interface SeedOptions {
  /** SKUs sku-000001 … (1..1,000,000). */
  skus: number;
  /** Warehouses wh-01 … (1..99). */
  warehouses: number;
  /** Units received per SKU per warehouse (0..1,000,000,000). */
  stock: number;
  /** Unit price of every SKU in minor units; default 1999. */
  priceMinor?: number;
  /** ISO 4217; default EUR. */
  currency?: string;
  /** Prepended to every SKU id (a scenario run seeds its own catalogue, e.g. "r20261125-…-"); default none. */
  skuPrefix?: string;
}

/** Progress of a seed run. */
export interface SeedProgress {
  phase: 'warehouses' | 'skus' | 'stock';
  done: number;
  total: number;
}

/** The id of the n-th seeded SKU (1-based): sku-000001. */
export const seedSkuId = (n: number): string => `sku-${String(n).padStart(6, '0')}`;
/** The id of the n-th seeded warehouse (1-based): wh-01. */
export const seedWarehouseId = (n: number): string => `wh-${String(n).padStart(2, '0')}`;

/** Restocks in flight at once. */
const CONCURRENCY = 64;

/**
 * Fills the catalogue: warehouses, SKUs with a price, and `stock` units of every SKU in every
 * warehouse. Idempotent: every Restock carries the key `seed:<sku>:<warehouse>:<part>`, so running
 * it twice leaves the same catalogue and does not double the stock (re-running with a different
 * `stock` is refused by the service: the keys were used for other quantities).
 */
export async function seedCatalog(
  client: PromiseClient<typeof InventoryServiceService>,
  opts: SeedOptions,
  onProgress?: (p: SeedProgress) => void,
): Promise<{ skus: number; warehouses: number; restocks: number; skuIds: string[] }> {
  checkRange('skus', opts.skus, 1, 1_000_000);
  checkRange('warehouses', opts.warehouses, 1, 99);
  checkRange('stock', opts.stock, 0, 1_000_000_000);
  const priceMinor = opts.priceMinor ?? 1999;
  checkRange('priceMinor', priceMinor, 0, Number.MAX_SAFE_INTEGER);
  const currency = opts.currency ?? 'EUR';

  const warehouses = Array.from({ length: opts.warehouses }, (_, i) => seedWarehouseId(i + 1));
  await client.upsertWarehouses({
    warehouses: warehouses.map((w) => ({ warehouseId: w, name: `Warehouse ${w}` })),
  });
  onProgress?.({ phase: 'warehouses', done: warehouses.length, total: warehouses.length });

  const skus = Array.from({ length: opts.skus }, (_, i) => `${opts.skuPrefix ?? ''}${seedSkuId(i + 1)}`);
  for (let i = 0; i < skus.length; i += MAX_CATALOGUE_BATCH) {
    const chunk = skus.slice(i, i + MAX_CATALOGUE_BATCH);
    await client.upsertSkus({
      skus: chunk.map((sku) => ({
        sku,
        name: `Product ${sku}`,
        unitPrice: { amountMinor: priceMinor, currency },
      })),
    });
    onProgress?.({ phase: 'skus', done: i + chunk.length, total: skus.length });
  }

  const parts = Math.ceil(opts.stock / MAX_STOCK_QUANTITY);
  const restocks = skus.flatMap((sku) =>
    warehouses.flatMap((warehouseId) =>
      Array.from({ length: parts }, (_, part) => ({
        sku,
        warehouseId,
        quantity: Math.min(MAX_STOCK_QUANTITY, opts.stock - part * MAX_STOCK_QUANTITY),
        idempotencyKey: `seed:${sku}:${warehouseId}:${part}`,
      })),
    ),
  );
  let next = 0;
  let done = 0;
  const worker = async () => {
    while (next < restocks.length) {
      const r = restocks[next++]!;
      await client.restock(r, { deadlineMs: 30_000 });
      done++;
      if (done % 100 === 0 || done === restocks.length)
        onProgress?.({ phase: 'stock', done, total: restocks.length });
    }
  };
  await Promise.all(Array.from({ length: Math.min(CONCURRENCY, restocks.length) }, worker));
  return { skus: skus.length, warehouses: warehouses.length, restocks: restocks.length, skuIds: skus };
}

function checkRange(field: string, value: number, min: number, max: number): void {
  if (!Number.isInteger(value) || value < min || value > max) {
    throw new RangeError(`seed: ${field} must be an integer from ${min} to ${max}, got ${value}`);
  }
}
