import type { DomainEvent } from '../../platform/outbox/events.js';

/** The counters analytics keeps; each has a dimension ('' when it has none). */
export const METRICS = {
  ordersPlaced: 'orders_placed',
  ordersConfirmed: 'orders_confirmed',
  ordersRejected: 'orders_rejected',
  ordersCancelled: 'orders_cancelled',
  /** dim: currency; minor units of confirmed orders. */
  revenue: 'revenue',
  /** dim: reject reason. */
  rejectionReason: 'rejection_reason',
  /** dim: sku; units of confirmed orders. */
  skuUnits: 'sku_units',
  /** dim: sku; confirmed orders containing it. */
  skuOrders: 'sku_orders',
  /** dim: "<currency>:<sku>"; minor units. */
  skuRevenue: 'sku_revenue',
  stockOuts: 'stock_outs',
  stockLows: 'stock_lows',
  /** dim: sku. */
  stockOutSku: 'stock_out_sku',
  paymentsCaptured: 'payments_captured',
  paymentsFailed: 'payments_failed',
  /** dim: failure reason. */
  paymentFailure: 'payment_failure',
  paymentsRefunded: 'payments_refunded',
  /** dim: currency; minor units. */
  refunded: 'refunded',
} as const;
export type MetricName = (typeof METRICS)[keyof typeof METRICS];

/** One counter change: at `bucket` (epoch second of the event), `metric`/`dim` += `delta`. */
export interface Increment {
  bucket: number;
  metric: MetricName;
  dim: string;
  delta: number;
}

/** Longest dimension stored (the column is VARCHAR(160)). */
const MAX_DIM = 160;

/** What one event adds to the counters. Pure. */
export function increments(e: DomainEvent): Increment[] {
  const bucket = Math.floor(Date.parse(e.occurredAt) / 1_000);
  const out: Increment[] = [];
  const add = (metric: MetricName, dim = '', delta = 1) =>
    out.push({ bucket, metric, dim: dim.slice(0, MAX_DIM), delta });
  switch (e.type) {
    case 'order.placed':
      add(METRICS.ordersPlaced);
      break;
    case 'order.confirmed': {
      add(METRICS.ordersConfirmed);
      add(METRICS.revenue, e.data.currency, e.data.totalMinor);
      const perSku = new Map<string, { units: number; minor: number }>();
      for (const l of e.data.lines) {
        const s = perSku.get(l.sku) ?? { units: 0, minor: 0 };
        s.units += l.quantity;
        s.minor += l.quantity * l.unitPriceMinor;
        perSku.set(l.sku, s);
      }
      for (const [sku, s] of perSku) {
        add(METRICS.skuUnits, sku, s.units);
        add(METRICS.skuOrders, sku);
        add(METRICS.skuRevenue, `${e.data.currency}:${sku}`, s.minor);
      }
      break;
    }
    case 'order.rejected':
      add(METRICS.ordersRejected);
      add(METRICS.rejectionReason, e.data.reason);
      break;
    case 'order.cancelled':
      add(METRICS.ordersCancelled);
      break;
    case 'stock.out':
      add(METRICS.stockOuts);
      add(METRICS.stockOutSku, e.data.sku);
      break;
    case 'stock.low':
      add(METRICS.stockLows);
      break;
    case 'payment.captured':
      add(METRICS.paymentsCaptured);
      break;
    case 'payment.failed':
      add(METRICS.paymentsFailed);
      add(METRICS.paymentFailure, e.data.reason || e.data.status.toLowerCase());
      break;
    case 'payment.refunded':
      add(METRICS.paymentsRefunded);
      add(METRICS.refunded, e.data.currency, e.data.amountMinor);
      break;
  }
  return out;
}

/** Sums increments with the same bucket, metric and dimension (one row write each). */
export function merge(incs: Increment[]): Increment[] {
  const byKey = new Map<string, Increment>();
  for (const i of incs) {
    const k = `${i.bucket}\u0000${i.metric}\u0000${i.dim}`;
    const prev = byKey.get(k);
    if (prev) prev.delta += i.delta;
    else byKey.set(k, { ...i });
  }
  return [...byKey.values()];
}
