import { status as Status } from '@grpc/grpc-js';
import type { RowDataPacket } from 'mysql2/promise';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { OrderStatus } from '../../proto/gen/ecom/orders/v1/orders.js';
import {
  eventually,
  newUser,
  seedSkus,
  startOrdersStack,
  withGtid,
  type OrdersStack,
  type TestUser,
} from './test-support.js';

let s: OrdersStack;
let u: TestUser;

const reads = async (): Promise<Record<string, number>> => {
  const url = s.stack.state.components.find((c) => c.name === 'orders-1')!.metrics!;
  const out: Record<string, number> = {};
  for (const l of (await (await fetch(url)).text()).split('\n')) {
    const m = /^ecom_orders_reads_total\{path="([a-z_]+)"/.exec(l);
    if (m) out[m[1]!] = Number(l.split(' ').pop());
  }
  return out;
};
const replicaCaughtUp = async () => {
  const [p] = await s.db.orders.query<RowDataPacket[]>('SELECT @@GLOBAL.gtid_binlog_pos AS pos');
  await eventually(
    async () => {
      const [r] = await s.replica.query<RowDataPacket[]>('SELECT MASTER_GTID_WAIT(?, 1) AS r', [p[0]!.pos]);
      return Number(r[0]!.r);
    },
    (r) => r === 0,
  );
};

beforeAll(async () => {
  s = await startOrdersStack({ orders: { replicaWaitMs: 200 } });
  await seedSkus(s, ['ryw'], { stock: 100, priceMinor: 500 });
  u = await newUser(s, 'ryw');
});
afterAll(async () => {
  await s?.replica.query('START SLAVE SQL_THREAD').catch(() => undefined);
  await s?.stop();
});

describe('read your writes under replica lag', () => {
  it('a client that sends back its write GTID sees its write; others may read the stale replica', async () => {
    const placed = await withGtid((onTrailer) =>
      s.orders.placeOrder(
        {
          idempotencyKey: 'ryw-1',
          userId: '',
          lines: [{ sku: 'ryw', quantity: 1 }],
          paymentToken: 'tok_ok',
          currency: '',
        },
        u.auth({ onTrailer }),
      ),
    );
    expect(placed.res.order!.status).toBe(OrderStatus.ORDER_STATUS_CONFIRMED);
    expect(placed.gtid).toMatch(/^\d+-\d+-\d+$/);
    const orderId = placed.res.order!.orderId;
    await replicaCaughtUp();
    const r0 = await reads();
    // With the replica caught up, a GTID read is served by the replica after a (zero-length) wait.
    const caughtUp = await s.orders.getOrder({ orderId }, u.auth({ gtid: placed.gtid! }));
    expect(caughtUp.order!.status).toBe(OrderStatus.ORDER_STATUS_CONFIRMED);
    expect((await reads()).replica_after_wait).toBe((r0.replica_after_wait ?? 0) + 1);

    await s.replica.query('STOP SLAVE SQL_THREAD');
    try {
      const cancelled = await withGtid((onTrailer) =>
        s.orders.cancelOrder({ orderId, reason: 'lag test' }, u.auth({ onTrailer })),
      );
      expect(cancelled.res.order!.status).toBe(OrderStatus.ORDER_STATUS_CANCELLED);
      expect(cancelled.gtid).toBeDefined();
      const r1 = await reads();

      // Without the GTID: the lagging replica answers, stale.
      const stale = await s.orders.getOrder({ orderId }, u.auth());
      expect(stale.order!.status).toBe(OrderStatus.ORDER_STATUS_CONFIRMED);
      // With it: the replica cannot catch up within the bound, so the primary answers.
      const own = await s.orders.getOrder({ orderId }, u.auth({ gtid: cancelled.gtid! }));
      expect(own.order!.status).toBe(OrderStatus.ORDER_STATUS_CANCELLED);
      const list = await s.orders.listOrders(
        { userId: '', page: undefined, status: 0 },
        u.auth({ gtid: cancelled.gtid! }),
      );
      expect(list.orders.find((o) => o.orderId === orderId)?.status).toBe(OrderStatus.ORDER_STATUS_CANCELLED);
      // A new order is not on the replica at all: found on the primary, even without a GTID.
      const second = await s.orders.placeOrder(
        {
          idempotencyKey: 'ryw-2',
          userId: '',
          lines: [{ sku: 'ryw', quantity: 1 }],
          paymentToken: 'tok_ok',
          currency: '',
        },
        u.auth(),
      );
      const found = await s.orders.getOrder({ orderId: second.order!.orderId }, u.auth());
      expect(found.order!.status).toBe(OrderStatus.ORDER_STATUS_CONFIRMED);

      const r2 = await reads();
      expect(r2.replica).toBe((r1.replica ?? 0) + 1);
      expect(r2.primary_fallback).toBe((r1.primary_fallback ?? 0) + 3);
    } finally {
      await s.replica.query('START SLAVE SQL_THREAD');
    }
    // Once the replica catches up, the GTID read is served by the replica again.
    await replicaCaughtUp();
    const r3 = await reads();
    const back = await s.orders.getOrder({ orderId }, u.auth({ gtid: placed.gtid! }));
    expect(back.order!.status).toBe(OrderStatus.ORDER_STATUS_CANCELLED);
    expect((await reads()).replica_after_wait).toBe((r3.replica_after_wait ?? 0) + 1);
  });

  it('refuses a malformed GTID with INVALID_ARGUMENT', async () => {
    await expect(
      s.orders.getOrder(
        { orderId: '0b7c2a1e-8f3d-4c55-9a0e-2f1d3c4b5a69' },
        u.auth({ gtid: "0-1-1' OR 1=1" }),
      ),
    ).rejects.toMatchObject({ code: Status.INVALID_ARGUMENT });
  });
});
