import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';
import { seedCatalog, seedWarehouseId } from '../services/inventory/seed.js';
import { seedUsers } from '../services/users/seed.js';
import type { Clients } from './planner.js';
import type { Buyer, Population } from './population.js';
import type { Scenario } from './schema.js';

/** Password of every seeded user (a throwaway local stack). */
export const SEED_PASSWORD = 'seed-password';

export interface SetupProgress {
  phase: 'buyers' | 'catalogue';
  done: number;
  total: number;
}

/**
 * Makes sure the stack has `count` seeded users with fresh tokens, reusing the ones recorded in
 * `cacheFile` (written by `ecom seed` and earlier runs against the same stack) and creating the rest.
 */
export async function ensureBuyers(
  clients: Pick<Clients, 'users'>,
  count: number,
  cacheFile: string,
  stackStartedAt: string,
  onProgress?: (p: SetupProgress) => void,
): Promise<Buyer[]> {
  let cached: Buyer[] = [];
  if (existsSync(cacheFile)) {
    const saved = JSON.parse(readFileSync(cacheFile, 'utf8')) as {
      stackStartedAt: string;
      obtainedAt: number;
      buyers: Buyer[];
    };
    // Tokens from another stack (other keys) or near expiry are useless.
    if (saved.stackStartedAt === stackStartedAt && Date.now() - saved.obtainedAt < 10 * 60_000)
      cached = saved.buyers;
  }
  if (cached.length >= count) return cached.slice(0, count);
  const seeded = await seedUsers(
    clients.users,
    { count, password: SEED_PASSWORD, concurrency: 16 },
    (done, total) => onProgress?.({ phase: 'buyers', done, total }),
  );
  const buyers = seeded.map((u) => ({
    userId: u.userId,
    email: u.email,
    password: SEED_PASSWORD,
    accessToken: u.accessToken,
    refreshToken: u.refreshToken,
  }));
  mkdirSync(dirname(cacheFile), { recursive: true });
  writeFileSync(cacheFile, JSON.stringify({ stackStartedAt, obtainedAt: Date.now(), buyers }) + '\n');
  return buyers;
}

/**
 * Creates this run's own catalogue — SKUs named after the run, so every run starts from the stock
 * its scenario declares (a flash sale must be able to sell out again) — and returns their ids.
 */
export async function createRunCatalogue(
  clients: Pick<Clients, 'inventory'>,
  catalogue: Scenario['catalogue'],
  runId: string,
  onProgress?: (p: SetupProgress) => void,
): Promise<string[]> {
  const perWarehouse = Math.floor(catalogue.stockPerSku / catalogue.warehouses);
  const prefix = `r${runId.replace(/[^A-Za-z0-9]/g, '')}-`;
  const result = await seedCatalog(
    clients.inventory,
    {
      skus: catalogue.skus,
      warehouses: catalogue.warehouses,
      stock: perWarehouse,
      priceMinor: catalogue.priceMinor,
      currency: catalogue.currency,
      skuPrefix: prefix,
    },
    (p) => onProgress?.({ phase: 'catalogue', done: p.done, total: p.total }),
  );
  // The units that do not divide evenly go to the first warehouse, so each SKU has exactly stockPerSku.
  const remainder = catalogue.stockPerSku - perWarehouse * catalogue.warehouses;
  if (remainder > 0) {
    for (const sku of result.skuIds) {
      await clients.inventory.restock({
        sku,
        warehouseId: seedWarehouseId(1),
        quantity: remainder,
        idempotencyKey: `${sku}:remainder`,
      });
    }
  }
  return result.skuIds;
}

/** Everything a scenario run needs before its first operation. */
export async function preparePopulation(
  scenario: Scenario,
  clients: Clients,
  runId: string,
  o: { cacheFile: string; stackStartedAt: string; onProgress?: (p: SetupProgress) => void },
): Promise<Population> {
  const buyers = await ensureBuyers(
    clients,
    scenario.users.count,
    o.cacheFile,
    o.stackStartedAt,
    o.onProgress,
  );
  const skus = await createRunCatalogue(clients, scenario.catalogue, runId, o.onProgress);
  return { buyers, skus, currency: scenario.catalogue.currency };
}
