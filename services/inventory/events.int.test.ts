import type { RowDataPacket } from 'mysql2/promise';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startInventoryStack, type InventoryStack } from './test-support.js';

describe('inventory publishes stock events through its outbox', () => {
  let s: InventoryStack;
  beforeAll(async () => {
    s = await startInventoryStack({ instances: 1, inventory: { stockLowThreshold: 3 } });
    await s.client.upsertWarehouses({ warehouses: [{ warehouseId: 'wh-01', name: 'one' }] });
    await s.client.upsertSkus({
      skus: [{ sku: 'ev', name: 'ev', unitPrice: { amountMinor: 100, currency: 'EUR' } }],
    });
    await s.client.restock({ sku: 'ev', warehouseId: 'wh-01', quantity: 5, idempotencyKey: 'ev-1' });
  });
  afterAll(async () => {
    await s?.stop();
  });

  it('writes stock.low when available falls below the threshold and stock.out when it reaches 0, in the same commit', async () => {
    await s.client.reserve({ orderId: 'ev-o1', lines: [{ sku: 'ev', quantity: 3 }], ttlSeconds: 600 });
    await s.client.reserve({ orderId: 'ev-o2', lines: [{ sku: 'ev', quantity: 2 }], ttlSeconds: 600 });
    const [rows] = await s.db.query<RowDataPacket[]>('SELECT type, payload FROM outbox ORDER BY id');
    expect(rows.map((r) => r.type)).toEqual(['stock.low', 'stock.out']);
    expect(JSON.parse(String(rows[1]!.payload))).toMatchObject({
      type: 'stock.out',
      data: expect.objectContaining({ sku: 'ev' }),
    });
  });
});
