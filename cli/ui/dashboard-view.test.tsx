import { render } from 'ink-testing-library';
import { describe, expect, it } from 'vitest';
import type { Summary } from '../../proto/gen/ecom/analytics/v1/analytics.js';
import { DashboardApp, DashboardView, sparkline, type FeedEvent } from './dashboard-view.js';

const summary = (over: Partial<Summary> = {}): Summary => ({
  generatedAt: new Date('2026-01-02T10:00:00Z'),
  windowSeconds: 60,
  ordersPlaced: 1234,
  ordersConfirmed: 1000,
  ordersRejected: 200,
  ordersCancelled: 34,
  revenue: [{ amountMinor: 1_234_500, currency: 'EUR' }],
  conversionRate: 1000 / 1234,
  rejectionReasons: [
    { reason: 'OUT_OF_STOCK', count: 150 },
    { reason: 'PAYMENT_DECLINED', count: 50 },
  ],
  topSkus: [],
  stockOuts: 3,
  stockLows: 7,
  latencies: [
    { service: 'orders', method: 'PlaceOrder', count: 1234, p50Ms: 12.5, p99Ms: 88.25, errors: 4 },
    { service: 'inventory', method: 'Reserve', count: 1200, p50Ms: 2.5, p99Ms: 9.75, errors: 0 },
  ],
  ordersPerSecond: 20.6,
  paymentsCaptured: 1000,
  paymentsFailed: 50,
  paymentsRefunded: 2,
  breakers: [
    { instance: 'orders-1', target: 'inventory', state: 'closed' },
    { instance: 'payments-1', target: 'gateway', state: 'open' },
  ],
  hotStock: [
    { sku: 'sku-hot', available: 42, observedAt: undefined },
    { sku: 'sku-gone', available: 0, observedAt: undefined },
  ],
  ...over,
});

const tick = () => new Promise((r) => setTimeout(r, 20));

describe('ecom dashboard (ink)', () => {
  it('renders throughput, orders, errors, latency percentiles, breakers and hot stock', () => {
    const { lastFrame } = render(
      <DashboardView summary={summary()} history={[1, 5, 10, 20.6]} status="live" address="127.0.0.1:5000" />,
    );
    const f = lastFrame()!;
    expect(f).toContain('analytics 127.0.0.1:5000');
    expect(f).toContain('live');
    expect(f).toMatch(/Throughput 20\.6 orders\/s ▁▃▄█/);
    expect(f).toContain('placed 1,234 · confirmed 1,000 · rejected 200 · cancelled 34');
    expect(f).toContain('conversion 81.0% · revenue 12,345.00 EUR · payments captured 1,000');
    expect(f).toMatch(/RPC errors 4 · payments failed 50 · refunded 2 · stock-outs 3 · low stock 7/);
    expect(f).toContain('OUT_OF_STOCK 150 · PAYMENT_DECLINED 50');
    expect(f).toMatch(/Latency\s+calls\s+errors\s+p50 ms\s+p99 ms/);
    expect(f).toMatch(/orders PlaceOrder\s+1,234\s+4\s+12\.5\s+88\.3/);
    expect(f).toMatch(/inventory Reserve\s+1,200\s+0\s+2\.5\s+9\.8/);
    expect(f).toContain('orders-1→inventory closed · payments-1→gateway open');
    expect(f).toContain('sku-hot 42 left · sku-gone 0 left');
    expect(f).toContain('window 60 s');
  });

  it('says what it waits for before the first summary, and when it reconnects', () => {
    const { lastFrame, rerender } = render(
      <DashboardView summary={undefined} history={[]} status="connecting" address="a:1" />,
    );
    expect(lastFrame()).toContain('waiting for the first summary');
    rerender(
      <DashboardView
        summary={summary()}
        history={[]}
        status="reconnecting"
        error="UNAVAILABLE"
        address="a:1"
      />,
    );
    expect(lastFrame()).toMatch(/reconnecting \(UNAVAILABLE\)/);
  });

  it('follows the feed (sparkline grows) and quits on q, unsubscribing', async () => {
    let push: (e: FeedEvent) => void = () => undefined;
    let unsubscribed = false;
    const subscribe = (p: (e: FeedEvent) => void) => {
      push = p;
      return () => {
        unsubscribed = true;
      };
    };
    const app = render(<DashboardApp address="a:1" subscribe={subscribe} interactive={true} />);
    await tick();
    expect(app.lastFrame()).toContain('connecting');
    push({ summary: summary({ ordersPerSecond: 2, ordersPlaced: 10 }) });
    await tick();
    push({ summary: summary({ ordersPerSecond: 8, ordersPlaced: 30 }) });
    await tick();
    expect(app.lastFrame()).toContain('placed 30 ·');
    expect(app.lastFrame()).toMatch(/8\.0 orders\/s ▃█/);
    push({ status: 'reconnecting', error: 'stream ended' });
    await tick();
    expect(app.lastFrame()).toContain('reconnecting (stream ended)');
    app.stdin.write('q');
    await tick();
    expect(unsubscribed).toBe(true);
  });

  it('quits on Ctrl-C too', async () => {
    let unsubscribed = false;
    const app = render(
      <DashboardApp address="a:1" subscribe={() => () => (unsubscribed = true)} interactive={true} />,
    );
    await tick();
    app.stdin.write('\u0003');
    await tick();
    expect(unsubscribed).toBe(true);
  });

  it('draws a sparkline scaled to its maximum', () => {
    expect(sparkline([0, 0, 0])).toBe('▁▁▁');
    expect(sparkline([0, 7, 14])).toBe('▁▅█');
    expect(sparkline([1, 2, 3, 4], 2)).toBe('▆█');
  });
});
