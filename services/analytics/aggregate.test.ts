import { describe, expect, it } from 'vitest';
import { newEvent } from '../../platform/outbox/events.js';
import { increments, merge, METRICS } from './aggregate.js';
import type { CounterRow } from './agg-store.js';
import { topSkus } from './summary.js';
import { AggregateView } from './view.js';

const at = new Date('2026-05-01T12:00:03.900Z');
const bucket = Math.floor(at.getTime() / 1_000);
const order = {
  orderId: 'o',
  userId: 'u',
  currency: 'EUR',
  totalMinor: 1_100,
  lines: [
    { sku: 'a', quantity: 2, unitPriceMinor: 300 },
    { sku: 'b', quantity: 1, unitPriceMinor: 500 },
    { sku: 'a', quantity: 1, unitPriceMinor: 300 },
  ],
};
const meta = { source: 't', occurredAt: at };

describe('increments of an event', () => {
  it('order.confirmed: count, revenue per currency, units / orders / revenue per SKU, at the second it happened', () => {
    const incs = increments(newEvent('order.confirmed', { ...order, totalMinor: 1_400 }, meta));
    expect(incs.every((i) => i.bucket === bucket)).toBe(true);
    expect(incs.map(({ metric, dim, delta }) => [metric, dim, delta])).toEqual([
      [METRICS.ordersConfirmed, '', 1],
      [METRICS.revenue, 'EUR', 1_400],
      [METRICS.skuUnits, 'a', 3],
      [METRICS.skuOrders, 'a', 1],
      [METRICS.skuRevenue, 'EUR:a', 900],
      [METRICS.skuUnits, 'b', 1],
      [METRICS.skuOrders, 'b', 1],
      [METRICS.skuRevenue, 'EUR:b', 500],
    ]);
  });

  it('rejections by reason, payments by outcome, stock-outs by SKU', () => {
    const flat = (e: Parameters<typeof increments>[0]) =>
      increments(e).map(({ metric, dim, delta }) => [metric, dim, delta]);
    expect(flat(newEvent('order.rejected', { ...order, reason: 'OUT_OF_STOCK' }, meta))).toEqual([
      [METRICS.ordersRejected, '', 1],
      [METRICS.rejectionReason, 'OUT_OF_STOCK', 1],
    ]);
    expect(
      flat(
        newEvent(
          'payment.failed',
          { paymentId: 'p', orderId: 'o', amountMinor: 5, currency: 'EUR', status: 'DECLINED', reason: '' },
          meta,
        ),
      ),
    ).toEqual([
      [METRICS.paymentsFailed, '', 1],
      [METRICS.paymentFailure, 'declined', 1],
    ]);
    expect(flat(newEvent('stock.out', { sku: 'z' }, meta))).toEqual([
      [METRICS.stockOuts, '', 1],
      [METRICS.stockOutSku, 'z', 1],
    ]);
    expect(
      flat(
        newEvent(
          'payment.refunded',
          { paymentId: 'p', orderId: 'o', amountMinor: 70, currency: 'USD', refundId: 'r' },
          meta,
        ),
      ),
    ).toEqual([
      [METRICS.paymentsRefunded, '', 1],
      [METRICS.refunded, 'USD', 70],
    ]);
  });

  it('merges increments of the same bucket, metric and dimension', () => {
    const a = increments(newEvent('order.placed', order, meta));
    expect(merge([...a, ...a, ...a])).toEqual([{ bucket, metric: METRICS.ordersPlaced, dim: '', delta: 3 }]);
  });
});

describe('the in-memory view', () => {
  const view = new AggregateView();
  const rows = (b: number | null, metric: string, dim: string, value: number): CounterRow => ({
    bucket: b,
    metric,
    dim,
    value,
  });
  view.set([
    rows(null, METRICS.ordersPlaced, '', 100),
    rows(100, METRICS.ordersPlaced, '', 2),
    rows(101, METRICS.ordersPlaced, '', 3),
    rows(105, METRICS.ordersPlaced, '', 7),
    rows(101, METRICS.skuUnits, 'a', 4),
    rows(105, METRICS.skuUnits, 'b', 9),
    rows(105, METRICS.skuUnits, 'a', 1),
    rows(105, METRICS.skuOrders, 'b', 2),
    rows(105, METRICS.skuRevenue, 'EUR:b', 900),
  ]);

  it('sums windows of buckets, per dimension, and per second with gaps as zeros', () => {
    expect(view.total(METRICS.ordersPlaced)).toBe(100);
    expect(view.sum(METRICS.ordersPlaced, 100, 105)).toBe(12);
    expect(view.sum(METRICS.ordersPlaced, 101, 104)).toBe(3);
    expect(view.perSecond(METRICS.ordersPlaced, 100, 105)).toEqual([2, 3, 0, 0, 0, 7]);
    expect([...view.sumByDim(METRICS.skuUnits, 100, 105)]).toEqual([
      ['a', 5],
      ['b', 9],
    ]);
  });

  it('values are absolute: setting a counter again replaces it (refreshes are idempotent)', () => {
    view.set([rows(100, METRICS.ordersPlaced, '', 2)]);
    expect(view.sum(METRICS.ordersPlaced, 100, 100)).toBe(2);
  });

  it('ranks SKUs by units in a window, with orders and revenue', () => {
    expect(topSkus(view, 6, 105_999, 10)).toEqual([
      { sku: 'b', units: 9, orders: 2, revenue: { amountMinor: 900, currency: 'EUR' } },
      { sku: 'a', units: 5, orders: 0, revenue: undefined },
    ]);
    expect(topSkus(view, 6, 105_999, 1).map((s) => s.sku)).toEqual(['b']);
  });

  it('forgets buckets before a point', () => {
    view.dropBefore(105);
    expect(view.sum(METRICS.ordersPlaced, 0, 200)).toBe(7);
  });
});
