import { status as Status, type ServiceError } from '@grpc/grpc-js';
import type { RowDataPacket } from 'mysql2/promise';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ReserveOutcome } from '../../proto/gen/ecom/inventory/v1/inventory.js';
import type { LockStrategy } from './config.js';
import {
  auditInventory,
  eventually,
  scrapeMetric,
  setupCatalog,
  startInventoryStack,
  type InventoryStack,
} from './test-support.js';

const SESSION_TIMEOUT_MS = 2_000;
const PAUSE_MS = 4_000;
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/**
 * A lock holder frozen (SIGSTOP) past its ZooKeeper session timeout, then resumed (SIGCONT), with
 * the in-process session check switched off so that only the database fence can stop it.
 */
for (const strategy of ['zk', 'zk+db'] as LockStrategy[]) {
  describe(`fencing under ${strategy}`, () => {
    let s: InventoryStack;
    beforeAll(async () => {
      s = await startInventoryStack({
        instances: 2,
        lockStrategy: strategy,
        zookeeper: { sessionTimeoutMs: SESSION_TIMEOUT_MS },
        inventory: {
          lockTimeoutMs: 15_000,
          faults: {
            ignoreSessionLoss: true,
            pauses: [
              { orderPrefix: 'stale-a', at: 'after-locks', ms: PAUSE_MS },
              { orderPrefix: 'stale-r', at: 'after-read', ms: PAUSE_MS },
            ],
          },
        },
      });
      await setupCatalog(s.client, { a: { 'wh-1': 5 }, r: { 'wh-1': 5 } });
    });
    afterAll(async () => {
      await s?.stop();
    });

    /** Sends a Reserve to instance 1, freezes it once it pauses holding the lock, returns the pending call. */
    async function freezeHolder(orderId: string, sku: string, quantity: number) {
      const call = s.instances[0]!.reserve(
        { orderId, lines: [{ sku, quantity }], ttlSeconds: 0 },
        { deadlineMs: 60_000 },
      ).then(
        (res) => ({ res, err: undefined }),
        (err: ServiceError) => ({ res: undefined, err }),
      );
      await eventually(
        async () => (s.log('inventory-1', 400).includes(`"orderId":"${orderId}"`) ? true : undefined),
        10_000,
        `inventory-1 to pause holding the lock for ${orderId}`,
      );
      await s.stack.control.signal('inventory-1', 'SIGSTOP');
      // Wrapped: an async function returning the promise itself would wait for it.
      return { call };
    }

    it('refuses the write of a holder whose session expired while it was frozen', async () => {
      const stale = (await freezeHolder('stale-a1', 'a', 2)).call;
      try {
        await sleep(SESSION_TIMEOUT_MS + 1_000);
        // The session has expired: the other instance gets the lock (a larger token) and writes.
        const fresh = await s.instances[1]!.reserve({
          orderId: 'fresh-a1',
          lines: [{ sku: 'a', quantity: 3 }],
          ttlSeconds: 0,
        });
        expect(fresh.outcome).toBe(ReserveOutcome.RESERVE_OUTCOME_RESERVED);
      } finally {
        await s.stack.control.signal('inventory-1', 'SIGCONT');
      }
      const { res, err } = await stale;
      expect(res).toBeUndefined();
      expect(err?.code).toBe(Status.ABORTED);
      expect(err?.details).toContain('fenced');

      const [moves] = await s.db.query<RowDataPacket[]>(
        "SELECT COUNT(*) AS n FROM movements WHERE order_id = 'stale-a1'",
      );
      expect(Number(moves[0]!.n)).toBe(0);
      const level = (await s.client.getStock({ sku: 'a', warehouseId: 'wh-1', consistent: true })).levels[0];
      expect(level).toMatchObject({ available: 2, reserved: 3 });
      const inv1 = s.stack.state.components.find((c) => c.name === 'inventory-1')!;
      expect(await scrapeMetric(inv1.metrics!, 'ecom_inventory_fenced_total')).toBe(1);
      expect(await auditInventory(s.db)).toEqual([]);

      // The resumed instance works again under its new session.
      const after = await s.instances[0]!.reserve({
        orderId: 'after-a1',
        lines: [{ sku: 'a', quantity: 1 }],
        ttlSeconds: 0,
      });
      expect(after.outcome).toBe(ReserveOutcome.RESERVE_OUTCOME_RESERVED);
    });

    it('loses no update when the holder freezes between its read and its write', async () => {
      // The frozen holder has claimed the fence and read "5 available"; the new holder must not read
      // before the frozen one has written (or been refused), else one write would overwrite the other.
      const stale = (await freezeHolder('stale-r1', 'r', 4)).call;
      let fresh: Promise<unknown>;
      try {
        await sleep(SESSION_TIMEOUT_MS + 500);
        fresh = s.instances[1]!.reserve({
          orderId: 'fresh-r1',
          lines: [{ sku: 'r', quantity: 3 }],
          ttlSeconds: 0,
        });
        await sleep(500);
      } finally {
        await s.stack.control.signal('inventory-1', 'SIGCONT');
      }
      const { res } = await stale;
      expect(res?.outcome).toBe(ReserveOutcome.RESERVE_OUTCOME_RESERVED);
      expect(await fresh).toMatchObject({
        outcome: ReserveOutcome.RESERVE_OUTCOME_OUT_OF_STOCK,
        shortages: [{ sku: 'r', requested: 3, available: 1 }],
      });
      const level = (await s.client.getStock({ sku: 'r', warehouseId: 'wh-1', consistent: true })).levels[0];
      expect(level).toMatchObject({ available: 1, reserved: 4 });
      expect(await auditInventory(s.db)).toEqual([]);
    });
  });
}
