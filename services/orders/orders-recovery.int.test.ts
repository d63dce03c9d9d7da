import { status as Status, type ServiceError } from '@grpc/grpc-js';
import type { RowDataPacket } from 'mysql2/promise';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ReservationState } from '../../proto/gen/ecom/inventory/v1/inventory.js';
import {
  eventually,
  newUser,
  seedSkus,
  startOrdersStack,
  type OrdersStack,
  type TestUser,
} from './test-support.js';

const SKUS = ['r1', 'r2', 'r3'];
const STOCK = 100;
let s: OrdersStack;
let u: TestUser;

beforeAll(async () => {
  s = await startOrdersStack({
    replicas: { orders: 2 },
    orders: { callDeadlineMs: 2_500, leaseMs: 5_000, recoveryIntervalMs: 300 },
    // Slow gateway answers (below payments' attempt timeout) keep the sagas in flight for the kill.
    overrides: { payments: { payments: { gateway: { attemptTimeoutMs: 2_000 } } } },
  });
  await seedSkus(s, SKUS, { stock: STOCK, priceMinor: 125 });
  u = await newUser(s, 'recovery');
});
afterAll(async () => {
  await s?.stop();
});

const metric = async (instance: string, name: string) => {
  const url = s.stack.state.components.find((c) => c.name === instance)!.metrics!;
  const line = (await (await fetch(url)).text()).split('\n').find((l) => l.startsWith(name));
  return line ? Number(line.split(' ').pop()) : 0;
};

describe('recovery of a crashed orders instance', () => {
  it('finishes every saga of an instance killed mid-saga; money and stock agree with the orders', async () => {
    const res = await fetch(`${s.gatewayUrl}/admin/behaviour`, {
      method: 'PUT',
      body: JSON.stringify({ latencyMs: { p50: 4_000, p99: 5_000 } }),
    });
    expect(res.status).toBe(200);
    // A batch of orders on orders-1; each answers PENDING at its short deadline, saga still running.
    const keys = Array.from({ length: 24 }, (_, i) => `crash-${i}`);
    const answers = await Promise.allSettled(
      Array.from({ length: 24 }, (_, i) =>
        s.ordersInstances[0]!.placeOrder(
          {
            idempotencyKey: keys[i]!,
            userId: '',
            lines: [{ sku: SKUS[i % SKUS.length]!, quantity: 1 + (i % 3) }],
            paymentToken: 'tok_ok',
            currency: '',
          },
          // Long enough to be answered (PENDING) on a loaded machine, far shorter than the gateway's latency.
          u.auth({ deadlineMs: 2_500 }),
        ),
      ),
    );
    // A saturated machine can miss even that deadline for some: their orders exist all the same
    // (or were never created); the database says which, just before the kill.
    for (const a of answers) {
      if (a.status === 'rejected' && (a.reason as ServiceError).code !== Status.DEADLINE_EXCEEDED)
        throw a.reason;
    }
    const [created] = await s.db.orders.query<RowDataPacket[]>(
      'SELECT order_id, status FROM orders WHERE idempotency_key IN (?)',
      [keys],
    );
    await s.stack.control.signal('orders-1', 'SIGKILL');
    const ids = created.map((o) => String(o.order_id));
    expect(ids.length).toBeGreaterThan(0);
    const inFlight = created.filter((o) => o.status === 'PENDING').length;
    expect(inFlight).toBeGreaterThan(0);
    await fetch(`${s.gatewayUrl}/admin/behaviour`, { method: 'DELETE' });

    // Every order becomes terminal (through orders-2's recovery sweep).
    const rows = await eventually(
      async () => {
        const [r] = await s.db.orders.query<RowDataPacket[]>(
          'SELECT order_id, status, total_minor, lease_until FROM orders WHERE order_id IN (?)',
          [ids],
        );
        return r;
      },
      (r) => r.length === ids.length && r.every((o) => o.status !== 'PENDING' && o.lease_until === null),
      40_000,
    );
    expect(await metric('orders-2', 'ecom_orders_recovered_sagas_total')).toBeGreaterThan(0);
    const [adopted] = await s.db.orders.query<RowDataPacket[]>(
      "SELECT DISTINCT order_id FROM saga_events WHERE instance = 'orders-2' AND order_id IN (?)",
      [ids],
    );
    expect(adopted.length).toBeGreaterThan(0);

    // Money: exactly the confirmed totals kept at the gateway, one charge per order at most.
    const [charges] = await s.db.gateway.query<RowDataPacket[]>(
      'SELECT order_id, COUNT(*) AS n, SUM(captured_minor - refunded_minor) AS kept FROM charges WHERE order_id IN (?) GROUP BY order_id',
      [ids],
    );
    const kept = new Map(charges.map((c) => [String(c.order_id), Number(c.kept)]));
    for (const c of charges) expect(Number(c.n)).toBe(1);
    for (const o of rows) {
      const expected = o.status === 'CONFIRMED' ? Number(o.total_minor) : 0;
      expect(kept.get(String(o.order_id)) ?? 0, `money of ${o.order_id} (${o.status})`).toBe(expected);
    }

    // Stock: sold units per SKU equal the confirmed quantities; nothing left reserved.
    const [lines] = await s.db.orders.query<RowDataPacket[]>(
      `SELECT l.sku, SUM(l.quantity) AS q FROM order_lines l JOIN orders o ON o.order_id = l.order_id
       WHERE o.status = 'CONFIRMED' AND o.order_id IN (?) GROUP BY l.sku`,
      [ids],
    );
    const soldByOrders = new Map(lines.map((l) => [String(l.sku), Number(l.q)]));
    for (const sku of SKUS) {
      const stock = await s.inventory.getStock({ sku, warehouseId: '', consistent: true });
      const sold = stock.levels.reduce((t, l) => t + l.sold, 0);
      const reserved = stock.levels.reduce((t, l) => t + l.reserved, 0);
      expect(sold, `sold ${sku}`).toBe(soldByOrders.get(sku) ?? 0);
      expect(reserved, `reserved ${sku}`).toBe(0);
    }
    for (const o of rows) {
      const r = (await s.inventory.getReservation({ orderId: String(o.order_id) })).reservation;
      expect(r?.state).toBe(
        o.status === 'CONFIRMED'
          ? ReservationState.RESERVATION_STATE_COMMITTED
          : ReservationState.RESERVATION_STATE_RELEASED,
      );
    }
    expect(rows.filter((o) => o.status === 'CONFIRMED').length).toBeGreaterThan(0);
  });
});
