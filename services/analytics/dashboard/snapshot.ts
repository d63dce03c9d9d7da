import { METRICS } from '../aggregate.js';
import { hotSkus, topSkus, type SummarySources } from '../summary.js';

/** What the web dashboard draws; pushed over server-sent events. */
export interface DashboardSnapshot {
  /** Epoch ms when it was built. */
  at: number;
  /** Epoch second of the last point of the per-second series. */
  lastSecond: number;
  /** Per second, oldest first (`seconds` points). */
  placed: number[];
  confirmed: number[];
  rejected: number[];
  ordersPerSecond: number;
  totals: {
    placed: number;
    confirmed: number;
    rejected: number;
    cancelled: number;
    conversion: number;
    revenue: { currency: string; amountMinor: number }[];
    paymentsFailed: number;
    stockOuts: number;
  };
  rejectionReasons: { reason: string; count: number }[];
  /** Served-RPC latency per service over the last LATENCY_SECONDS. */
  services: { service: string; count: number; errors: number; p50Ms: number; p99Ms: number }[];
  hotStock: { sku: string; available: number; unitsSold: number }[];
  breakers: { instance: string; target: string; state: string }[];
  targets: { target: string; up: boolean }[];
}

/** Window of the per-service latency figures (a little over a few scrapes). */
export const LATENCY_SECONDS = 15;
/** Window the "orders/s" figure is measured over. */
const RATE_SECONDS = 10;

/** Builds the dashboard snapshot: `seconds` of per-second history plus all-time totals. */
export function dashboardSnapshot(src: SummarySources, seconds: number): DashboardSnapshot {
  const now = src.now();
  const v = src.view;
  const last = Math.floor(now / 1_000) - 1; // the current second is still filling
  const first = last - seconds + 1;
  const sum = (metric: string, n: number) => v.sum(metric, last - n + 1, last);
  const sold = new Map(topSkus(v, 0, now, 100).map((s) => [s.sku, s.units]));
  return {
    at: now,
    lastSecond: last,
    placed: v.perSecond(METRICS.ordersPlaced, first, last),
    confirmed: v.perSecond(METRICS.ordersConfirmed, first, last),
    rejected: v.perSecond(METRICS.ordersRejected, first, last),
    ordersPerSecond: sum(METRICS.ordersPlaced, RATE_SECONDS) / RATE_SECONDS,
    totals: {
      placed: v.total(METRICS.ordersPlaced),
      confirmed: v.total(METRICS.ordersConfirmed),
      rejected: v.total(METRICS.ordersRejected),
      cancelled: v.total(METRICS.ordersCancelled),
      conversion:
        v.total(METRICS.ordersPlaced) > 0
          ? v.total(METRICS.ordersConfirmed) / v.total(METRICS.ordersPlaced)
          : 0,
      revenue: [...v.totalsByDim(METRICS.revenue)].map(([currency, amountMinor]) => ({
        currency,
        amountMinor,
      })),
      paymentsFailed: v.total(METRICS.paymentsFailed),
      stockOuts: v.total(METRICS.stockOuts),
    },
    rejectionReasons: [...v.totalsByDim(METRICS.rejectionReason)]
      .map(([reason, count]) => ({ reason, count }))
      .sort((a, b) => b.count - a.count),
    services: src.scrapes.serviceLatencies(LATENCY_SECONDS, now).map((l) => ({
      service: l.service,
      count: l.count,
      errors: l.errors,
      p50Ms: l.p50Ms,
      p99Ms: l.p99Ms,
    })),
    hotStock: src.stock
      .levels(hotSkus(v, now, src.hotSkus))
      .map((l) => ({ sku: l.sku, available: l.available, unitsSold: sold.get(l.sku) ?? 0 })),
    breakers: src.scrapes.breakerStates(),
    targets: [...src.scrapes.targets()].map(([target, up]) => ({ target, up })),
  };
}
