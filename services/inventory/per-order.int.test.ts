import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  auditInventory,
  describeHotSkuRush,
  rush,
  setupCatalog,
  startInventoryStack,
  type InventoryStack,
} from './test-support.js';

/** Sizes of the unsafe case below: many more buyers than units. */
const STOCK = 20;
const BUYERS = 200;

// The per-order path (batching off): one hot SKU, three instances, many more buyers than units.
describeHotSkuRush([
  // 200 buyers queue one by one for the hot SKU's lock: on a saturated CI machine the last of them
  // waited past the default 5 s (UNAVAILABLE, nothing done). The client's deadline is 20 s.
  { strategy: 'zk+db', batching: false, inventory: { lockTimeoutMs: 15_000 } },
]);

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
