import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { InventoryServiceService, ReservationState } from '../../proto/gen/ecom/inventory/v1/inventory.js';
import { createClient } from '../../platform/grpc/client.js';
import {
  eventually,
  scrapeMetric,
  setupCatalog,
  startInventoryStack,
  type InventoryStack,
} from './test-support.js';

const SESSION_TIMEOUT_MS = 2_000;
let s: InventoryStack;

beforeAll(async () => {
  s = await startInventoryStack({
    instances: 3,
    zookeeper: { sessionTimeoutMs: SESSION_TIMEOUT_MS },
    inventory: { sweeper: { intervalMs: 200 } },
  });
  await setupCatalog(s.client, { sku: { 'wh-1': 10 } });
});
afterAll(async () => {
  await s?.stop();
});

async function leaders(): Promise<string[]> {
  const comps = (await s.stack.control.state()).components.filter((c) => c.service === 'inventory');
  const out: string[] = [];
  for (const c of comps) {
    const v = await scrapeMetric(c.metrics!, 'ecom_inventory_leader').catch(() => 0);
    if (v === 1) out.push(c.name);
  }
  return out;
}

describe('expiry sweeper leader failover', () => {
  it('sweeps on another instance within the session timeout plus a few seconds after kill -9 of the leader', async () => {
    const [leader] = await eventually(
      async () => {
        const l = await leaders();
        return l.length === 1 ? l : undefined;
      },
      10_000,
      'exactly one leader',
    );
    const survivors = s.stack.state.components.filter((c) => c.service === 'inventory' && c.name !== leader);
    const client = createClient(InventoryServiceService, {
      name: 'inventory',
      addresses: survivors.map((c) => c.endpoint),
      defaultDeadlineMs: 10_000,
    });
    try {
      await s.stack.control.signal(leader!, 'SIGKILL');
      const killedAt = Date.now();
      const r = await client.reserve({
        orderId: 'o-ttl',
        lines: [{ sku: 'sku', quantity: 3 }],
        ttlSeconds: 1,
      });
      expect(r.reservation?.state).toBe(ReservationState.RESERVATION_STATE_HELD);

      await eventually(
        async () => {
          const g = await client.getReservation({ orderId: 'o-ttl' });
          return g.reservation?.state === ReservationState.RESERVATION_STATE_EXPIRED ? true : undefined;
        },
        SESSION_TIMEOUT_MS + 5_000,
        'a surviving instance to expire the reservation',
      );
      const tookMs = Date.now() - killedAt;
      console.log(`failover: reservation expired ${tookMs} ms after kill -9 of ${leader}`);
      expect(tookMs).toBeLessThan(SESSION_TIMEOUT_MS + 5_000);
      const now = await leaders();
      expect(now).toHaveLength(1);
      expect(now[0]).not.toBe(leader);
      const stock = await client.getStock({ sku: 'sku', warehouseId: '', consistent: true });
      expect(stock.levels[0]).toMatchObject({ available: 10, reserved: 0 });
    } finally {
      client.close();
    }
  });
});
