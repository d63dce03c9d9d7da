import { status as Status } from '@grpc/grpc-js';
import type { RowDataPacket } from 'mysql2/promise';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ReservationState } from '../../proto/gen/ecom/inventory/v1/inventory.js';
import { OrderStatus, RejectReason, type PlaceOrderRequest } from '../../proto/gen/ecom/orders/v1/orders.js';
import { newUser, seedSkus, startOrdersStack, type OrdersStack, type TestUser } from './test-support.js';

let s: OrdersStack;
let alice: TestUser;
let bob: TestUser;
let n = 0;
const place = (u: TestUser, lines: PlaceOrderRequest['lines'], paymentToken = 'tok_ok', key = `key-${++n}`) =>
  s.orders.placeOrder({ idempotencyKey: key, userId: '', lines, paymentToken, currency: '' }, u.auth());

/** The gateway ledger for an order: what was captured and refunded (the ground truth of money). */
async function ledger(orderId: string) {
  const [rows] = await s.db.gateway.query<RowDataPacket[]>(
    'SELECT status, captured_minor, refunded_minor FROM charges WHERE order_id = ?',
    [orderId],
  );
  return rows.map((r) => ({
    status: String(r.status),
    captured: Number(r.captured_minor),
    refunded: Number(r.refunded_minor),
  }));
}
const reservationState = async (orderId: string) =>
  (await s.inventory.getReservation({ orderId })).reservation?.state;
const stockOf = async (sku: string) => {
  const res = await s.inventory.getStock({ sku, warehouseId: '', consistent: true });
  return res.levels.reduce(
    (t, l) => ({
      available: t.available + l.available,
      reserved: t.reserved + l.reserved,
      sold: t.sold + l.sold,
    }),
    { available: 0, reserved: 0, sold: 0 },
  );
};

beforeAll(async () => {
  s = await startOrdersStack({ replicas: { orders: 2 } });
  await seedSkus(s, ['apple', 'pear', 'plum', 'fig', 'kiwi'], { stock: 10, priceMinor: 250 });
  await seedSkus(s, ['rare'], { stock: 1, priceMinor: 1000 });
  [alice, bob] = await Promise.all([newUser(s, 'alice'), newUser(s, 'bob')]);
});
afterAll(async () => {
  await s?.stop();
});

describe('the order saga on a real stack', () => {
  it('confirms an order: stock sold, exactly one capture of the total at the gateway', async () => {
    const { order, replayed } = await place(alice, [
      { sku: 'apple', quantity: 2 },
      { sku: 'pear', quantity: 1 },
    ]);
    expect(replayed).toBe(false);
    expect(order).toMatchObject({
      status: OrderStatus.ORDER_STATUS_CONFIRMED,
      sagaStep: 'confirmed',
      userId: alice.userId,
    });
    expect(order!.total).toEqual({ amountMinor: 750, currency: 'EUR' });
    expect(order!.paymentId).not.toBe('');
    expect(await ledger(order!.orderId)).toEqual([{ status: 'captured', captured: 750, refunded: 0 }]);
    expect(await reservationState(order!.orderId)).toBe(ReservationState.RESERVATION_STATE_COMMITTED);
    const [events] = await s.db.orders.query<RowDataPacket[]>(
      'SELECT step FROM saga_events WHERE order_id = ? ORDER BY id',
      [order!.orderId],
    );
    expect(events.map((e) => e.step)).toEqual(['created', 'reserved', 'charged', 'confirmed']);
  });

  it('rejects OUT_OF_STOCK without charging', async () => {
    const { order } = await place(alice, [{ sku: 'plum', quantity: 11 }]);
    expect(order).toMatchObject({
      status: OrderStatus.ORDER_STATUS_REJECTED,
      rejectReason: RejectReason.REJECT_REASON_OUT_OF_STOCK,
    });
    expect(await ledger(order!.orderId)).toEqual([]);
    expect(await stockOf('plum')).toMatchObject({ available: 10, reserved: 0 });
  });

  it('rejects PAYMENT_DECLINED and releases the reservation; nothing captured', async () => {
    const { order } = await place(alice, [{ sku: 'fig', quantity: 3 }], 'tok_decline');
    expect(order).toMatchObject({
      status: OrderStatus.ORDER_STATUS_REJECTED,
      rejectReason: RejectReason.REJECT_REASON_PAYMENT_DECLINED,
    });
    expect(await reservationState(order!.orderId)).toBe(ReservationState.RESERVATION_STATE_RELEASED);
    const money = await ledger(order!.orderId);
    expect(money.every((c) => c.captured === 0)).toBe(true);
    expect(await stockOf('fig')).toMatchObject({ available: 10, reserved: 0, sold: 0 });
  });

  it('makes one order and one charge of concurrent duplicates on two instances', async () => {
    const req = {
      idempotencyKey: 'dup-1',
      userId: '',
      lines: [{ sku: 'kiwi', quantity: 1 }],
      paymentToken: 'tok_ok',
      currency: '',
    };
    const results = await Promise.all(
      Array.from({ length: 8 }, (_, i) => s.ordersInstances[i % 2]!.placeOrder(req, alice.auth())),
    );
    const ids = new Set(results.map((r) => r.order!.orderId));
    expect(ids.size).toBe(1);
    expect(results.filter((r) => !r.replayed)).toHaveLength(1);
    expect(results.every((r) => r.order!.status === OrderStatus.ORDER_STATUS_CONFIRMED)).toBe(true);
    const [rows] = await s.db.orders.query<RowDataPacket[]>(
      'SELECT COUNT(*) AS n FROM orders WHERE idempotency_key = ?',
      ['dup-1'],
    );
    expect(Number(rows[0]!.n)).toBe(1);
    expect(await ledger([...ids][0]!)).toEqual([{ status: 'captured', captured: 250, refunded: 0 }]);
    // The same key with another request is refused, naming the field.
    await expect(
      s.orders.placeOrder({ ...req, lines: [{ sku: 'kiwi', quantity: 2 }] }, alice.auth()),
    ).rejects.toMatchObject({
      code: Status.INVALID_ARGUMENT,
      details: expect.stringContaining('idempotency_key'),
    });
    // Keys are per user: bob's "dup-1" is his own order.
    const other = await s.orders.placeOrder(req, bob.auth());
    expect(other.order!.orderId).not.toBe([...ids][0]);
  });

  it('cancels a CONFIRMED order: full refund at the gateway, sold units back to available', async () => {
    const { order } = await place(alice, [{ sku: 'rare', quantity: 1 }]);
    expect(order!.status).toBe(OrderStatus.ORDER_STATUS_CONFIRMED);
    expect(await stockOf('rare')).toMatchObject({ available: 0, sold: 1 });
    await expect(
      s.orders.cancelOrder({ orderId: order!.orderId, reason: '' }, bob.auth()),
    ).rejects.toMatchObject({
      code: Status.PERMISSION_DENIED,
    });
    const { order: cancelled } = await s.orders.cancelOrder(
      { orderId: order!.orderId, reason: 'changed my mind' },
      alice.auth(),
    );
    expect(cancelled).toMatchObject({ status: OrderStatus.ORDER_STATUS_CANCELLED, sagaStep: 'cancelled' });
    expect(await ledger(order!.orderId)).toEqual([{ status: 'captured', captured: 1000, refunded: 1000 }]);
    expect((await stockOf('rare')).available).toBe(1);
    // Cancelling again is a no-op returning the order.
    const again = await s.orders.cancelOrder({ orderId: order!.orderId, reason: '' }, alice.auth());
    expect(again.order!.status).toBe(OrderStatus.ORDER_STATUS_CANCELLED);
    expect(await ledger(order!.orderId)).toEqual([{ status: 'captured', captured: 1000, refunded: 1000 }]);
  });

  it('shows an order only to its owner', async () => {
    const { order } = await place(bob, [{ sku: 'apple', quantity: 1 }]);
    expect((await s.orders.getOrder({ orderId: order!.orderId }, bob.auth())).order!.status).toBe(
      OrderStatus.ORDER_STATUS_CONFIRMED,
    );
    await expect(s.orders.getOrder({ orderId: order!.orderId }, alice.auth())).rejects.toMatchObject({
      code: Status.PERMISSION_DENIED,
    });
    await expect(s.orders.getOrder({ orderId: order!.orderId })).rejects.toMatchObject({
      code: Status.UNAUTHENTICATED,
    });
    await expect(
      s.orders.placeOrder(
        {
          idempotencyKey: 'x',
          userId: alice.userId,
          lines: [{ sku: 'apple', quantity: 1 }],
          paymentToken: 'tok_ok',
          currency: '',
        },
        bob.auth(),
      ),
    ).rejects.toMatchObject({ code: Status.PERMISSION_DENIED });
    await expect(
      s.orders.listOrders({ userId: alice.userId, page: undefined, status: 0 }, bob.auth()),
    ).rejects.toMatchObject({
      code: Status.PERMISSION_DENIED,
    });
  });

  it('lists a user’s orders newest first, keyset-paginated with an opaque token', async () => {
    const carol = await newUser(s, 'carol');
    const placed: string[] = [];
    for (let i = 0; i < 5; i++)
      placed.push((await place(carol, [{ sku: 'pear', quantity: 1 }])).order!.orderId);
    const seen: string[] = [];
    let token = '';
    for (let page = 0; page < 5; page++) {
      const res = await s.orders.listOrders(
        { userId: '', page: { pageSize: 2, pageToken: token }, status: 0 },
        carol.auth(),
      );
      seen.push(...res.orders.map((o) => o.orderId));
      expect(res.orders.every((o) => o.userId === carol.userId)).toBe(true);
      token = res.nextPageToken;
      if (!token) break;
    }
    expect(seen).toEqual([...placed].reverse());
    const confirmed = await s.orders.listOrders(
      { userId: '', page: { pageSize: 0, pageToken: '' }, status: OrderStatus.ORDER_STATUS_REJECTED },
      carol.auth(),
    );
    expect(confirmed.orders).toEqual([]);
    await expect(
      s.orders.listOrders(
        { userId: '', page: { pageSize: 2, pageToken: 'bm90LWEtdG9rZW4' }, status: 0 },
        carol.auth(),
      ),
    ).rejects.toMatchObject({
      code: Status.INVALID_ARGUMENT,
      details: expect.stringContaining('page.page_token'),
    });
  });
});
