import { describe, expect, it } from 'vitest';
import { parseConfig } from '../../platform/config.js';
import { InvalidArgument } from '../../platform/errors.js';
import { METRICS } from './aggregate.js';
import { AnalyticsConfig } from './config.js';
import { ScrapeHistory } from './scrapes.js';
import { checkInterval, checkLimit, checkWindow } from './server.js';
import { buildSummary, hotSkus } from './summary.js';
import { AggregateView } from './view.js';

describe('request validation', () => {
  it('windows: 0 (all time) or 1..max; bad values are InvalidArgument naming window_seconds', () => {
    expect(checkWindow(0, 3_600)).toBe(0);
    expect(checkWindow(3_600, 3_600)).toBe(3_600);
    for (const bad of [-1, 3_601, 1.5]) {
      const err = (() => {
        try {
          checkWindow(bad, 3_600);
        } catch (e) {
          return e;
        }
      })();
      expect(err).toBeInstanceOf(InvalidArgument);
      expect((err as InvalidArgument).field).toBe('window_seconds');
    }
  });

  it('interval 0 means 1000 ms, else 100..60000; limit 0 means 10, else 1..100', () => {
    expect(checkInterval(0)).toBe(1_000);
    expect(checkInterval(100)).toBe(100);
    expect(() => checkInterval(99)).toThrow(/^interval_ms:/);
    expect(checkLimit(0)).toBe(10);
    expect(() => checkLimit(101)).toThrow(/^limit:/);
    expect(() => checkLimit(-3)).toThrow(/^limit:/);
  });
});

describe('config', () => {
  it('fills every default, and names a bad field', () => {
    const base = {
      service: 'analytics',
      instance: 1,
      grpcPort: 0,
      metricsPort: 0,
      mysql: {
        primary: { host: 'h', port: 1 },
        replica: { host: 'h', port: 2 },
        user: 'u',
        password: '',
        database: 'analytics',
      },
      redis: { host: 'h', port: 3 },
    };
    const c = parseConfig(AnalyticsConfig, base);
    expect(c.analytics).toMatchObject({
      stream: 'ecom:events',
      group: 'analytics',
      batchSize: 200,
      hotSkus: 5,
    });
    expect(c.analytics.scrape).toEqual({
      targets: [],
      intervalMs: 2_000,
      timeoutMs: 1_000,
      historySeconds: 600,
    });
    expect(() => parseConfig(AnalyticsConfig, { ...base, analytics: { batchSize: 0 } })).toThrow(
      /analytics\.batchSize/,
    );
    expect(() => parseConfig(AnalyticsConfig, { ...base, redis: undefined })).toThrow(/redis/);
  });
});

describe('summary', () => {
  const now = 1_000_000_000_500;
  const sec = Math.floor(now / 1_000);
  const view = new AggregateView();
  view.set([
    { bucket: null, metric: METRICS.ordersPlaced, dim: '', value: 40 },
    { bucket: null, metric: METRICS.ordersConfirmed, dim: '', value: 30 },
    { bucket: null, metric: METRICS.revenue, dim: 'EUR', value: 9_000 },
    { bucket: null, metric: METRICS.rejectionReason, dim: 'OUT_OF_STOCK', value: 4 },
    { bucket: null, metric: METRICS.rejectionReason, dim: 'PAYMENT_DECLINED', value: 6 },
    { bucket: null, metric: METRICS.skuUnits, dim: 'old', value: 99 },
    { bucket: sec, metric: METRICS.ordersPlaced, dim: '', value: 10 },
    { bucket: sec - 1, metric: METRICS.ordersConfirmed, dim: '', value: 5 },
    { bucket: sec - 1, metric: METRICS.skuUnits, dim: 'new', value: 3 },
  ]);
  const stock = {
    levels: (skus: string[]) => skus.map((sku) => ({ sku, available: 7, observedAt: new Date(now) })),
    stop: async () => undefined,
  };
  const src = { view, scrapes: new ScrapeHistory(60_000), stock, hotSkus: 3, now: () => now };

  it('all time: totals, conversion, reasons by count, current rate over 10 s', () => {
    const s = buildSummary(src, 0);
    expect(s).toMatchObject({
      windowSeconds: 0,
      ordersPlaced: 40,
      ordersConfirmed: 30,
      conversionRate: 0.75,
      ordersPerSecond: 1,
    });
    expect(s.revenue).toEqual([{ amountMinor: 9_000, currency: 'EUR' }]);
    expect(s.rejectionReasons).toEqual([
      { reason: 'PAYMENT_DECLINED', count: 6 },
      { reason: 'OUT_OF_STOCK', count: 4 },
    ]);
    expect(s.generatedAt).toEqual(new Date(now));
  });

  it('a window sums its buckets; hot SKUs are the recent best sellers, with their stock', () => {
    const s = buildSummary(src, 5);
    expect(s).toMatchObject({
      ordersPlaced: 10,
      ordersConfirmed: 5,
      conversionRate: 0.5,
      ordersPerSecond: 2,
    });
    expect(s.topSkus.map((t) => t.sku)).toEqual(['new']);
    expect(hotSkus(view, now, 3)).toEqual(['new']);
    expect(s.hotStock).toEqual([{ sku: 'new', available: 7, observedAt: new Date(now) }]);
    expect(buildSummary(src, 1).ordersConfirmed).toBe(0);
  });
});
