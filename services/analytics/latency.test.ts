import { describe, expect, it } from 'vitest';
import { breakersOf, histogramsOf, quantile } from './latency.js';
import { parsePromText } from './prom-text.js';
import { ScrapeHistory } from './scrapes.js';

const exposition = (okFast: number, okSlow: number, errors: number, start = 1_000) => `
# HELP ecom_rpc_server_duration_seconds Duration
# TYPE ecom_rpc_server_duration_seconds histogram
ecom_rpc_server_duration_seconds_bucket{le="0.01",service="ecom.orders.v1.OrdersService",method="PlaceOrder",code="OK",ecom_service="orders",ecom_instance="orders-1"} ${okFast}
ecom_rpc_server_duration_seconds_bucket{le="0.1",service="ecom.orders.v1.OrdersService",method="PlaceOrder",code="OK",ecom_service="orders",ecom_instance="orders-1"} ${okFast + okSlow}
ecom_rpc_server_duration_seconds_bucket{le="+Inf",service="ecom.orders.v1.OrdersService",method="PlaceOrder",code="OK",ecom_service="orders",ecom_instance="orders-1"} ${okFast + okSlow}
ecom_rpc_server_duration_seconds_count{service="ecom.orders.v1.OrdersService",method="PlaceOrder",code="OK",ecom_service="orders",ecom_instance="orders-1"} ${okFast + okSlow}
ecom_rpc_server_duration_seconds_bucket{le="0.01",service="ecom.orders.v1.OrdersService",method="PlaceOrder",code="UNAVAILABLE",ecom_service="orders",ecom_instance="orders-1"} ${errors}
ecom_rpc_server_duration_seconds_bucket{le="0.1",service="ecom.orders.v1.OrdersService",method="PlaceOrder",code="UNAVAILABLE",ecom_service="orders",ecom_instance="orders-1"} ${errors}
ecom_rpc_server_duration_seconds_bucket{le="+Inf",service="ecom.orders.v1.OrdersService",method="PlaceOrder",code="UNAVAILABLE",ecom_service="orders",ecom_instance="orders-1"} ${errors}
ecom_rpc_server_duration_seconds_count{service="ecom.orders.v1.OrdersService",method="PlaceOrder",code="UNAVAILABLE",ecom_service="orders",ecom_instance="orders-1"} ${errors}
# TYPE ecom_breaker_state gauge
ecom_breaker_state{target="inventory",ecom_service="orders",ecom_instance="orders-1"} 0
ecom_breaker_state{target="payments",ecom_service="orders",ecom_instance="orders-1"} 2
process_start_time_seconds{ecom_service="orders",ecom_instance="orders-1"} ${start}
`;

describe('Prometheus text parsing', () => {
  it('parses names, labels (with escapes), special values; skips comments', () => {
    const s = parsePromText('# HELP x y\nx{a="1",b="q\\"uote\\\\n"} 2.5\ny +Inf 123\nz{} NaN\n');
    expect(s).toEqual([
      { name: 'x', labels: { a: '1', b: 'q"uote\\n' }, value: 2.5 },
      { name: 'y', labels: {}, value: Infinity },
      { name: 'z', labels: {}, value: NaN },
    ]);
    // Go's ParseFloat (Prometheus) takes these in any case; prom-client writes "Nan" at times.
    expect(parsePromText('a Nan\nb nan\nc -inf\nd Inf\n').map((x) => x.value)).toEqual([
      NaN,
      NaN,
      -Infinity,
      Infinity,
    ]);
    expect(() => parsePromText('x{a=1} 2')).toThrow(/line 1/);
    expect(() => parsePromText('x abc')).toThrow(/bad value/);
  });
});

describe('latency percentiles from histograms', () => {
  it('interpolates inside the bucket (like histogram_quantile) and caps +Inf at the highest bound', () => {
    expect(quantile(0.5, [0.01, 0.1, Infinity], [50, 100, 100])).toBeCloseTo(0.01);
    expect(quantile(0.75, [0.01, 0.1, Infinity], [50, 100, 100])).toBeCloseTo(0.055);
    expect(quantile(0.99, [0.01, 0.1, Infinity], [0, 0, 10])).toBe(0.1);
    expect(quantile(0.5, [0.01, Infinity], [0, 0])).toBe(0);
  });

  it('sums codes per method and counts the non-OK ones as errors; reads breaker states', () => {
    const samples = parsePromText(exposition(80, 20, 5));
    const h = [...histogramsOf(samples).values()];
    expect(h).toEqual([
      {
        service: 'orders',
        method: 'PlaceOrder',
        les: [0.01, 0.1, Infinity],
        cum: [85, 105, 105],
        count: 105,
        errors: 5,
      },
    ]);
    expect(breakersOf(samples)).toEqual([
      { instance: 'orders-1', target: 'inventory', state: 'closed' },
      { instance: 'orders-1', target: 'payments', state: 'open' },
    ]);
  });

  it('windows subtract the scrape at the window start; a counter reset counts from zero', () => {
    const history = new ScrapeHistory(600_000);
    const t0 = 2_000_000_000_000;
    history.record('orders-1', parsePromText(exposition(100, 0, 0, t0 / 1_000 - 3_600)), t0);
    history.record('orders-1', parsePromText(exposition(100, 50, 2, t0 / 1_000 - 3_600)), t0 + 60_000);
    const [w] = history.methodLatencies(30, t0 + 60_000);
    expect(w).toMatchObject({ service: 'orders', method: 'PlaceOrder', count: 52, errors: 2 });
    expect(w!.p99Ms).toBeGreaterThan(10);
    const [all] = history.methodLatencies(0, t0 + 60_000);
    expect(all!.count).toBe(152);
    // The process restarted: its counters went back to 3.
    history.record('orders-1', parsePromText(exposition(3, 0, 0, t0 / 1_000 + 61)), t0 + 62_000);
    expect(history.methodLatencies(30, t0 + 62_000)[0]!.count).toBe(3);
    history.failed('orders-1');
    expect(history.breakerStates()).toEqual([]);
    expect([...history.targets()]).toEqual([['orders-1', false]]);
  });

  it('a process started inside the window counts everything it served', () => {
    const history = new ScrapeHistory(600_000);
    const t0 = 2_000_000_000_000;
    history.record('a', parsePromText(exposition(10, 0, 0, t0 / 1_000 - 5)), t0);
    history.record('a', parsePromText(exposition(12, 0, 0, t0 / 1_000 - 5)), t0 + 1_000);
    expect(history.methodLatencies(300, t0 + 1_000)[0]!.count).toBe(12);
    expect(history.serviceLatencies(300, t0 + 1_000)).toEqual([
      expect.objectContaining({ service: 'orders', method: '*', count: 12 }),
    ]);
  });
});
