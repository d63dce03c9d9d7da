import type { RowDataPacket } from 'mysql2/promise';
import type { PlaceOrderRequest } from '../../../proto/gen/ecom/orders/v1/orders.js';
import type { OrdersStack, TestUser } from '../../orders/test-support.js';

/** What a run of {@link placeOrders} did. */
export interface Placed {
  attempted: number;
  failed: number;
}

/**
 * Places `count` orders, `concurrency` at a time: mostly ordinary baskets over `skus`, every 7th
 * with a declined card, every 11th for more `scarce` units than exist (out of stock).
 * `onProgress(n)` is awaited after each completed order (a test can kill something mid-run).
 */
export async function placeOrders(
  s: OrdersStack,
  user: TestUser,
  opts: {
    count: number;
    concurrency: number;
    skus: string[];
    scarce: string;
    prefix: string;
    onProgress?: (n: number) => Promise<void>;
  },
): Promise<Placed> {
  let next = 0;
  let done = 0;
  let failed = 0;
  const one = async (i: number) => {
    const lines: PlaceOrderRequest['lines'] =
      i % 11 === 10
        ? [{ sku: opts.scarce, quantity: 1_000 }]
        : [
            { sku: opts.skus[i % opts.skus.length]!, quantity: 1 + (i % 3) },
            { sku: opts.skus[(i + 1) % opts.skus.length]!, quantity: 1 },
          ];
    const paymentToken = i % 7 === 6 ? 'tok_decline' : 'tok_ok';
    try {
      await s.orders.placeOrder(
        { idempotencyKey: `${opts.prefix}-${i}`, userId: '', lines, paymentToken, currency: '' },
        user.auth({ deadlineMs: 20_000 }),
      );
    } catch {
      failed++;
    }
    await opts.onProgress?.(++done);
  };
  await Promise.all(
    Array.from({ length: opts.concurrency }, async () => {
      for (let i = next++; i < opts.count; i = next++) await one(i);
    }),
  );
  return { attempted: opts.count, failed };
}

/** The ground truth from the orders and payments databases. */
export async function truth(s: OrdersStack) {
  const [orders] = await s.db.orders.query<RowDataPacket[]>(
    'SELECT status, COUNT(*) AS n FROM orders GROUP BY status',
  );
  const [payments] = await s.db.payments.query<RowDataPacket[]>(
    'SELECT status, COUNT(*) AS n FROM payments GROUP BY status',
  );
  const [pending] = await s.db.orders.query<RowDataPacket[]>(
    "SELECT COUNT(*) AS n FROM orders WHERE status = 'PENDING'",
  );
  const count = (rows: RowDataPacket[], ...statuses: string[]) =>
    rows.filter((r) => statuses.includes(String(r.status))).reduce((n, r) => n + Number(r.n), 0);
  return {
    placed: orders.reduce((n, r) => n + Number(r.n), 0),
    confirmed: count(orders, 'CONFIRMED'),
    rejected: count(orders, 'REJECTED'),
    pending: Number(pending[0]?.n ?? 0),
    captured: count(payments, 'CAPTURED', 'REFUNDED', 'PARTIALLY_REFUNDED'),
    failed: count(payments, 'DECLINED', 'FAILED'),
  };
}
