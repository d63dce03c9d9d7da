import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { LockStrategy } from './config.js';
import {
  auditInventory,
  rush,
  setupCatalog,
  startInventoryStack,
  type InventoryStack,
} from './test-support.js';

/** The per-order path (batching off): one hot SKU, three instances, many more buyers than units. */
const STOCK = 20;
const BUYERS = 200;

const cases: { strategy: LockStrategy; batching: boolean }[] = [{ strategy: 'zk+db', batching: false }];

for (const { strategy, batching } of cases) {
  describe(`lock strategy ${strategy}, batching ${batching ? 'on' : 'off'}`, () => {
    let s: InventoryStack;
    beforeAll(async () => {
      s = await startInventoryStack({
        instances: 3,
        lockStrategy: strategy,
        // 200 buyers queue one by one for the hot SKU's lock: on a saturated CI machine the last of
        // them waited past the default 5 s (UNAVAILABLE, nothing done). The client's deadline is 20 s.
        inventory: { batching: { enabled: batching }, lockTimeoutMs: 15_000 },
      });
      await setupCatalog(s.client, { hot: { 'wh-1': STOCK / 2, 'wh-2': STOCK / 2 } });
    });
    afterAll(async () => {
      await s?.stop();
    });

    it('sells exactly the stock of a hot SKU, never more', async () => {
      expect(await rush(s, 'hot', BUYERS)).toBe(STOCK);
      const stock = await s.client.getStock({ sku: 'hot', warehouseId: '', consistent: true });
      expect(stock.levels.map((l) => [l.available, l.reserved])).toEqual([
        [0, STOCK / 2],
        [0, STOCK / 2],
      ]);
      expect(await auditInventory(s.db)).toEqual([]);
    });
  });
}

describe('lock strategy none (deliberately unsafe), batching off', () => {
  let s: InventoryStack;
  beforeAll(async () => {
    s = await startInventoryStack({
      instances: 3,
      lockStrategy: 'none',
      inventory: { batching: { enabled: false } },
    });
    await setupCatalog(s.client, { hot: { 'wh-1': STOCK } });
  });
  afterAll(async () => {
    await s?.stop();
  });

  it('oversells a hot SKU, and the audit sees it', async () => {
    expect(s.log('inventory-1', 200)).toContain('THIS INSTANCE WILL OVERSELL');
    const reserved = await rush(s, 'hot', BUYERS);
    expect(reserved).toBeGreaterThan(STOCK);
    const problems = await auditInventory(s.db);
    expect(problems.some((p) => p.includes('OVERSOLD'))).toBe(true);
  });
});
