import type { Summary } from '../../proto/gen/ecom/analytics/v1/analytics.js';
import { METRICS } from './aggregate.js';
import type { HotStock } from './hot-stock.js';
import type { ScrapeHistory } from './scrapes.js';
import type { AggregateView } from './view.js';

/** What a summary is computed from. */
export interface SummarySources {
  view: AggregateView;
  scrapes: ScrapeHistory;
  stock: HotStock;
  /** How many hot SKUs get their stock reported. */
  hotSkus: number;
  now: () => number;
}

/** Seconds the "current" throughput is measured over when the window is all time. */
const RATE_SECONDS = 10;

/** A SKU's confirmed sales in a window. */
export interface SkuSales {
  sku: string;
  units: number;
  orders: number;
  revenue: { amountMinor: number; currency: string } | undefined;
}

/**
 * Counters over a window: the last `windowSeconds` (the current second included), or all time
 * when 0. Returns getters by metric so callers do not care which.
 */
function windowed(view: AggregateView, windowSeconds: number, nowMs: number) {
  const to = Math.floor(nowMs / 1_000);
  const from = to - windowSeconds + 1;
  return {
    value: (metric: string, dim = '') =>
      windowSeconds === 0 ? view.total(metric, dim) : view.sum(metric, from, to, dim),
    byDim: (metric: string) =>
      windowSeconds === 0 ? view.totalsByDim(metric) : view.sumByDim(metric, from, to),
  };
}

/** Best-selling SKUs (units of confirmed orders) in a window, most units first. */
export function topSkus(
  view: AggregateView,
  windowSeconds: number,
  nowMs: number,
  limit: number,
): SkuSales[] {
  const w = windowed(view, windowSeconds, nowMs);
  const orders = w.byDim(METRICS.skuOrders);
  const revenue = new Map<string, { amountMinor: number; currency: string }>();
  for (const [dim, minor] of w.byDim(METRICS.skuRevenue)) {
    const cut = dim.indexOf(':');
    const currency = dim.slice(0, cut);
    const sku = dim.slice(cut + 1);
    const prev = revenue.get(sku);
    if (!prev || minor > prev.amountMinor) revenue.set(sku, { amountMinor: minor, currency });
  }
  return [...w.byDim(METRICS.skuUnits)]
    .filter(([, units]) => units > 0)
    .sort((a, b) => b[1] - a[1] || (a[0] < b[0] ? -1 : 1))
    .slice(0, limit)
    .map(([sku, units]) => ({ sku, units, orders: orders.get(sku) ?? 0, revenue: revenue.get(sku) }));
}

/** Seconds over which "hot" (best-selling right now) SKUs are chosen. */
const HOT_SECONDS = 300;

/** The `n` best-selling SKUs of the last five minutes (of all time when nothing sold lately). */
export function hotSkus(view: AggregateView, nowMs: number, n: number): string[] {
  if (n <= 0) return [];
  const recent = topSkus(view, HOT_SECONDS, nowMs, n);
  return (recent.length > 0 ? recent : topSkus(view, 0, nowMs, n)).map((s) => s.sku);
}

const sortedCounts = (m: Map<string, number>) =>
  [...m].filter(([, n]) => n > 0).sort((a, b) => b[1] - a[1] || (a[0] < b[0] ? -1 : 1));

/** The summary GetSummary and WatchSummary answer. */
export function buildSummary(src: SummarySources, windowSeconds: number, topLimit = 10): Summary {
  const now = src.now();
  const w = windowed(src.view, windowSeconds, now);
  const placed = w.value(METRICS.ordersPlaced);
  const confirmed = w.value(METRICS.ordersConfirmed);
  const rateSeconds = windowSeconds === 0 ? RATE_SECONDS : windowSeconds;
  const recent = windowed(src.view, rateSeconds, now).value(METRICS.ordersPlaced);
  const top = topSkus(src.view, windowSeconds, now, topLimit);
  return {
    generatedAt: new Date(now),
    windowSeconds,
    ordersPlaced: placed,
    ordersConfirmed: confirmed,
    ordersRejected: w.value(METRICS.ordersRejected),
    ordersCancelled: w.value(METRICS.ordersCancelled),
    revenue: sortedCounts(w.byDim(METRICS.revenue)).map(([currency, amountMinor]) => ({
      amountMinor,
      currency,
    })),
    conversionRate: placed > 0 ? confirmed / placed : 0,
    rejectionReasons: sortedCounts(w.byDim(METRICS.rejectionReason)).map(([reason, count]) => ({
      reason,
      count,
    })),
    topSkus: top,
    stockOuts: w.value(METRICS.stockOuts),
    stockLows: w.value(METRICS.stockLows),
    latencies: src.scrapes.methodLatencies(windowSeconds, now),
    ordersPerSecond: recent / rateSeconds,
    paymentsCaptured: w.value(METRICS.paymentsCaptured),
    paymentsFailed: w.value(METRICS.paymentsFailed),
    paymentsRefunded: w.value(METRICS.paymentsRefunded),
    breakers: src.scrapes.breakerStates(),
    hotStock: src.stock.levels(hotSkus(src.view, now, src.hotSkus)),
  };
}
