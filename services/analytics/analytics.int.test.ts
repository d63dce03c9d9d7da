import { status as Status, type ServiceError } from '@grpc/grpc-js';
import { writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Redis } from 'ioredis';
import { createClient, type PromiseClient } from '../../platform/grpc/client.js';
import { EVENTS_STREAM } from '../../platform/outbox/events.js';
import { AnalyticsServiceService, type Summary } from '../../proto/gen/ecom/analytics/v1/analytics.js';
import {
  eventually,
  newUser,
  seedSkus,
  startOrdersStack,
  type OrdersStack,
  type TestUser,
} from '../orders/test-support.js';
import { render } from 'ink-testing-library';
import { createElement } from 'react';
import { watchSummaries } from '../../cli/dashboard-feed.js';
import { DashboardApp } from '../../cli/ui/dashboard-view.js';
import { decodePng, type Image } from '../../scenarios/html/testing/png.js';
import { openPage } from './testing/cdp.js';
import { placeOrders, truth } from './testing/traffic.js';

let s: OrdersStack;
let user: TestUser;
let analytics: PromiseClient<typeof AnalyticsServiceService>;
let redis: Redis;
const SKUS = ['an-apple', 'an-pear', 'an-plum', 'an-fig'];

const summary = async (windowSeconds = 0): Promise<Summary> =>
  (await analytics.getSummary({ windowSeconds })).summary!;
const counts = (x: Summary) => ({
  placed: x.ordersPlaced,
  confirmed: x.ordersConfirmed,
  rejected: x.ordersRejected,
  captured: x.paymentsCaptured,
  failed: x.paymentsFailed,
});

beforeAll(async () => {
  s = await startOrdersStack({ replicas: { analytics: 1 } });
  await seedSkus(s, SKUS, { stock: 400, priceMinor: 300 });
  await seedSkus(s, ['an-scarce'], { stock: 2, priceMinor: 5_000 });
  user = await newUser(s, 'analyst');
  const a = s.stack.state.components.find((c) => c.name === 'analytics-1')!;
  analytics = createClient(AnalyticsServiceService, {
    name: 'analytics',
    addresses: [a.endpoint],
    defaultDeadlineMs: 5_000,
  });
  redis = new Redis({ ...s.stack.state.infra.redis, lazyConnect: true });
  await redis.connect();
});
afterAll(async () => {
  analytics?.close();
  redis?.disconnect();
  await s?.stop();
});

describe('analytics on a real stack', () => {
  it('loses no event when killed with SIGKILL mid-run: after a restart its counts match the databases', async () => {
    let killed = false;
    const pidOf = async () =>
      (await s.stack.control.state()).components.find((c) => c.name === 'analytics-1')!.pid;
    const pidBefore = await pidOf();
    const run = await placeOrders(s, user, {
      count: 120,
      concurrency: 4,
      skus: SKUS,
      scarce: 'an-scarce',
      prefix: 'kill',
      onProgress: async (n) => {
        if (n === 40 && !killed) {
          killed = true;
          await s.stack.control.signal('analytics-1', 'SIGKILL');
        }
      },
    });
    expect(killed).toBe(true);
    expect(run.failed).toBe(0);
    // Every order after the 40th was placed (and its events published) while analytics was dead.
    await s.stack.control.start('analytics-1');
    expect(await pidOf()).not.toBe(pidBefore);
    const db = await eventually(
      () => truth(s),
      (t) => t.pending === 0,
    );
    expect(db.placed).toBe(120);
    expect(db.rejected).toBeGreaterThan(10);
    expect(db.confirmed).toBeGreaterThan(60);
    const expected = {
      placed: db.placed,
      confirmed: db.confirmed,
      rejected: db.rejected,
      captured: db.captured,
      failed: db.failed,
    };
    await eventually(
      async () => counts(await summary()),
      (c) => JSON.stringify(c) === JSON.stringify(expected),
      30_000,
    );
    const x = await summary();
    expect(x.conversionRate).toBeCloseTo(db.confirmed / db.placed, 6);
    expect(x.revenue).toEqual([{ currency: 'EUR', amountMinor: expect.any(Number) }]);
    expect(x.rejectionReasons.map((r) => r.reason).sort()).toEqual(['OUT_OF_STOCK', 'PAYMENT_DECLINED']);
    expect(x.topSkus.map((t) => t.sku).sort()).toEqual([...SKUS].sort());
  });

  it('counts a redelivered event once (deduplication by event id)', async () => {
    const before = counts(await summary());
    const entries = (await redis.xrange(EVENTS_STREAM, '-', '+', 'COUNT', 30)) as [string, string[]][];
    expect(entries.length).toBe(30);
    for (const [, fields] of entries) await redis.xadd(EVENTS_STREAM, '*', ...fields);
    const metricsUrl = s.stack.state.components.find((c) => c.name === 'analytics-1')!.metrics!;
    await eventually(
      async () =>
        (await (await fetch(metricsUrl)).text()).match(/outcome="duplicate"[^}]*} \d+/g)?.length ?? 0,
      (n) => n > 0,
    );
    await new Promise((r) => setTimeout(r, 1_500));
    expect(counts(await summary())).toEqual(before);
  });

  it('answers windows, TopSkus and WatchSummary; bad input is INVALID_ARGUMENT naming the field', async () => {
    // Hot stock and latencies come from periodic polls: after the restart above, wait for the next ones.
    const w = await eventually(
      () => summary(300),
      (x) => x.hotStock.length === SKUS.length && x.latencies.length > 0 && x.breakers.length >= 3,
    );
    expect(w.windowSeconds).toBe(300);
    expect(w.ordersPlaced).toBe(120);
    expect(w.latencies.some((l) => l.service === 'orders' && l.method === 'PlaceOrder' && l.count > 0)).toBe(
      true,
    );
    expect(w.hotStock.map((h) => h.sku).sort()).toEqual([...SKUS].sort());
    expect(w.hotStock.every((h) => h.available > 0 && h.available < 400)).toBe(true);
    expect(w.breakers.map((b) => `${b.instance}/${b.target}`)).toEqual(
      expect.arrayContaining(['orders-1/inventory', 'orders-1/payments', 'payments-1/gateway']),
    );
    const top = await analytics.topSkus({ limit: 2, windowSeconds: 0 });
    expect(top.skus).toHaveLength(2);
    expect(top.skus[0]!.units).toBeGreaterThanOrEqual(top.skus[1]!.units);

    const stream = analytics.watchSummary({ windowSeconds: 60, intervalMs: 100 });
    const got: Summary[] = [];
    await new Promise<void>((resolve, reject) => {
      stream.on('data', (m: { summary: Summary }) => {
        got.push(m.summary);
        if (got.length === 3) {
          stream.cancel();
          resolve();
        }
      });
      stream.on('error', (e: ServiceError) => (e.code === Status.CANCELLED ? resolve() : reject(e)));
    });
    expect(got).toHaveLength(3);

    for (const [call, field] of [
      [() => analytics.getSummary({ windowSeconds: -1 }), 'window_seconds'],
      [() => analytics.topSkus({ limit: 101, windowSeconds: 0 }), 'limit'],
    ] as const) {
      const err = (await call().catch((e: ServiceError) => e)) as ServiceError;
      expect(err.code).toBe(Status.INVALID_ARGUMENT);
      expect(err.details).toMatch(new RegExp(`^${field}:`));
    }
  });
});

/** Pixels within `tol` of an RGB colour. */
function pixels(img: Image, [r, g, b]: [number, number, number], tol = 24): number {
  let n = 0;
  for (let i = 0; i < img.data.length; i += img.channels) {
    if (
      Math.abs(img.data[i]! - r) <= tol &&
      Math.abs(img.data[i + 1]! - g) <= tol &&
      Math.abs(img.data[i + 2]! - b) <= tol
    )
      n++;
  }
  return n;
}

interface Probe {
  updates: number;
  errors: number;
  placedPoints: number;
  placedMax: number;
  confirmedMax: number;
  latencySeries: string[];
  stockBars: string[];
  breakers: string[];
  kpiPlaced: string;
  scripts: number;
  external: string[];
}

const PROBE = `(() => {
  const d = window.dashboard;
  const line = (chart, name) => document.querySelector('#' + chart + ' g.series[data-series="' + name + '"] polyline');
  return {
    updates: d.updates,
    errors: d.errors,
    placedPoints: line('chart-throughput', 'placed')?.points.numberOfItems ?? 0,
    placedMax: Math.max(...d.last.placed),
    confirmedMax: Math.max(...d.last.confirmed),
    latencySeries: [...document.querySelectorAll('#chart-latency g.series')].map((g) => g.dataset.series),
    stockBars: [...document.querySelectorAll('#chart-stock g.bar')].map((g) => g.dataset.sku),
    breakers: [...document.querySelectorAll('#breakers .breaker')].map((b) => b.dataset.breaker + ':' + b.className),
    kpiPlaced: document.querySelector('[data-kpi="placed"] b')?.textContent ?? '',
    scripts: document.scripts.length,
    external: [...document.querySelectorAll('[src],[href]')].map((e) => e.getAttribute('src') ?? e.getAttribute('href')),
  };
})()`;

describe('the live web dashboard in headless Chromium', () => {
  it('draws orders/s, outcomes, latency per service, hot stock and breakers from the event stream', async () => {
    const a = s.stack.state.components.find((c) => c.name === 'analytics-1')!;
    const page = await openPage(new URL('/', a.metrics!).href);
    try {
      await placeOrders(s, user, {
        count: 60,
        concurrency: 3,
        skus: SKUS,
        scarce: 'an-scarce',
        prefix: 'dash',
      });
      const probe = await eventually(
        () => page.evaluate<Probe>(PROBE),
        (p) =>
          p.updates >= 3 &&
          p.placedMax > 0 &&
          p.latencySeries.includes('orders p99') &&
          p.stockBars.length === 4 &&
          Number(p.kpiPlaced.replace(/,/g, '')) === 180,
        20_000,
      );
      const png = await page.screenshot();
      const file = join(tmpdir(), 'ecom-analytics-dashboard.png');
      writeFileSync(file, png);
      console.log(`dashboard screenshot: ${file}`);
      expect(probe.errors).toBe(0);
      expect(probe.placedPoints).toBe(120);
      expect(probe.confirmedMax).toBeGreaterThan(0);
      expect(probe.latencySeries).toEqual(
        expect.arrayContaining(['orders p50', 'orders p99', 'inventory p50', 'payments p99']),
      );
      expect(probe.stockBars.sort()).toEqual([...SKUS].sort());
      expect(probe.breakers).toEqual(
        expect.arrayContaining([
          'orders-1/inventory:breaker closed',
          'orders-1/payments:breaker closed',
          'payments-1/gateway:breaker closed',
        ]),
      );
      expect(probe.scripts).toBe(1);
      expect(probe.external).toEqual([]);
      const img = decodePng(png);
      expect(img.width).toBe(1280);
      // The charts were drawn: pixels of the "placed" (blue) and "confirmed" (green) lines.
      expect(pixels(img, [0x5a, 0xa9, 0xff])).toBeGreaterThan(200);
      expect(pixels(img, [0x3e, 0xcf, 0x8e])).toBeGreaterThan(200);
    } finally {
      await page.close();
    }
  });
});

describe('ecom dashboard (the ink TUI) fed by the real WatchSummary', () => {
  it('shows the live figures of this stack and quits on q', async () => {
    let stopped = false;
    const app = render(
      createElement(DashboardApp, {
        address: 'analytics-1',
        subscribe: (push) => {
          const stop = watchSummaries(analytics, { windowSeconds: 0, intervalMs: 200 }, push);
          return () => {
            stopped = true;
            stop();
          };
        },
        interactive: true,
      }),
    );
    try {
      const frame = await eventually(
        async () => app.lastFrame() ?? '',
        (f) => f.includes('placed 180 ·') && f.includes('Hot stock an-'),
        10_000,
      );
      expect(frame).toMatch(/Throughput [\d.]+ orders\/s/);
      expect(frame).toMatch(/orders PlaceOrder\s+\d/);
      expect(frame).toContain('orders-1→inventory closed');
      expect(frame).toMatch(/Rejections (OUT_OF_STOCK|PAYMENT_DECLINED) \d+/);
      app.stdin.write('q');
      await eventually(
        async () => stopped,
        (x) => x,
        2_000,
      );
    } finally {
      app.unmount();
    }
  });
});

describe('analytics when Redis restarts empty (it keeps nothing on disk)', () => {
  it('loses nothing and counts nothing twice: the relays re-send retained events, analytics dedupes them', async () => {
    const metricsUrl = s.stack.state.components.find((c) => c.name === 'analytics-1')!.metrics!;
    const duplicates = async () =>
      [...(await (await fetch(metricsUrl)).text()).matchAll(/outcome="duplicate"[^}]*} (\d+)/g)].reduce(
        (n, m) => n + Number(m[1]),
        0,
      );
    const dupBefore = await duplicates();
    await s.stack.control.stop('redis');
    await s.stack.control.start('redis');
    const run = await placeOrders(s, user, {
      count: 20,
      concurrency: 2,
      skus: SKUS,
      scarce: 'an-scarce',
      prefix: 'redis',
    });
    expect(run.failed).toBe(0);
    const db = await eventually(
      () => truth(s),
      (t) => t.pending === 0,
    );
    expect(db.placed).toBe(200);
    const expected = {
      placed: db.placed,
      confirmed: db.confirmed,
      rejected: db.rejected,
      captured: db.captured,
      failed: db.failed,
    };
    await eventually(
      async () => counts(await summary()),
      (c) => JSON.stringify(c) === JSON.stringify(expected),
      30_000,
    );
    // Everything relayed before the restart came again and was recognised.
    expect((await duplicates()) - dupBefore).toBeGreaterThanOrEqual(180);
  });
});
