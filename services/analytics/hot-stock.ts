import type { Logger } from '../../platform/logger.js';
import type { PromiseClient } from '../../platform/grpc/client.js';
import type { InventoryServiceService } from '../../proto/gen/ecom/inventory/v1/inventory.js';

/** A SKU's units available (all warehouses) when last asked. */
export interface StockLevel {
  sku: string;
  available: number;
  observedAt: Date;
}

/** The stock of the best-selling SKUs, refreshed in the background. */
export interface HotStock {
  /** Known levels of `skus`, in that order (SKUs not asked yet are left out). */
  levels(skus: string[]): StockLevel[];
  stop(): Promise<void>;
}

/**
 * Asks inventory (GetStock, replica reads) every `intervalMs` for the stock of the SKUs `pick`
 * names. Without an inventory client (no peers.inventory) it knows nothing and says so once.
 */
export function startHotStock(opts: {
  inventory: PromiseClient<typeof InventoryServiceService> | undefined;
  pick: () => string[];
  intervalMs: number;
  logger: Logger;
}): HotStock {
  const known = new Map<string, StockLevel>();
  let stopped = false;
  let timer: NodeJS.Timeout | undefined;
  let warned = false;
  const inventory = opts.inventory;
  if (!inventory) opts.logger.warn('peers.inventory: not configured, the stock of hot SKUs is unknown');

  let round: Promise<void> = Promise.resolve();
  const tick = () => {
    if (stopped || !inventory) return;
    round = Promise.all(
      opts.pick().map(async (sku) => {
        try {
          const res = await inventory.getStock(
            { sku, warehouseId: '', consistent: false },
            { deadlineMs: 1_000 },
          );
          known.set(sku, { sku, available: res.totalAvailable, observedAt: new Date() });
          warned = false;
        } catch (err) {
          if (!warned)
            opts.logger.warn({ sku, err: (err as Error).message }, 'cannot read stock of a hot SKU');
          warned = true;
        }
      }),
    ).then(() => {
      if (known.size > 500) known.clear();
      if (!stopped) timer = setTimeout(tick, opts.intervalMs);
    });
  };
  tick();
  return {
    levels: (skus) => skus.flatMap((s) => (known.has(s) ? [known.get(s)!] : [])),
    async stop() {
      stopped = true;
      clearTimeout(timer);
      await round;
    },
  };
}
