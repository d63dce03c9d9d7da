import type { FaultWindow, RunReport, TimelineBucket } from '../../report.js';

/** Options of the fixture run report (tests only). */
export interface FixtureOptions {
  seconds?: number;
  rate?: number;
  faults?: FaultWindow[];
  scenario?: string;
  rejectReasons?: Record<string, number>;
  generatorLimited?: string;
}

/** Two fault windows: an inventory latency fault and a partition of orders-1. */
export const FIXTURE_FAULTS: FaultWindow[] = [
  {
    spec: 'latency:target=inventory-1,at=15s,for=10s',
    kind: 'latency',
    target: 'inventory-1',
    fromSeconds: 15,
    toSeconds: 25,
  },
  {
    spec: 'partition:target=orders-1,at=40s,for=8s',
    kind: 'partition',
    target: 'orders-1',
    fromSeconds: 40,
    toSeconds: 48,
    description: 'orders-1 cut off from mysql-primary',
  },
];

/**
 * A realistic run report of a 200/s flash sale (60 s by default): latency climbs under the
 * latency fault, completions dip and ambiguous outcomes appear under the partition, and one second
 * (t = 44) completes nothing at all. Thresholds: three pass, `p99<200ms` fails.
 */
export function buildReport(o: FixtureOptions = {}): RunReport {
  const seconds = o.seconds ?? 60;
  const rate = o.rate ?? 200;
  const faults = o.faults ?? FIXTURE_FAULTS;
  const inFault = (t: number, kind: string) =>
    faults.some((f) => f.kind === kind && t >= f.fromSeconds && t < f.toSeconds);
  const timeline: TimelineBucket[] = [];
  for (let t = 0; t < seconds; t++) {
    const wobble = Math.round(Math.sin(t / 3) * 4);
    const slow = inFault(t, 'latency');
    const cut = inFault(t, 'partition');
    const started = rate + wobble;
    const dropped = slow ? 12 : 0;
    const completed = t === 44 ? 0 : cut ? Math.round(started * 0.55) : started - dropped;
    const info = cut && completed > 0 ? 20 : slow ? 3 : 0;
    const fail = cut ? 15 : 1 + (t % 3);
    const ok = Math.max(completed - info - fail, 0);
    timeline.push({
      t,
      started,
      completed,
      ok,
      fail: completed > 0 ? fail : 0,
      info,
      dropped,
      confirmed: Math.round(ok * 0.6),
      p50: slow ? 180 + wobble : 8 + (t % 5),
      p99: slow ? 420 + wobble * 3 : cut ? 900 : 35 + (t % 7),
    });
  }
  const sum = (k: keyof TimelineBucket) => timeline.reduce((a, b) => a + b[k], 0);
  const completed = sum('completed');
  const okAll = sum('ok');
  const rejectReasons = o.rejectReasons ?? { out_of_stock: 2100, payment_declined: 310, timeout: 12 };
  const rejected = Object.values(rejectReasons).reduce((a, n) => a + n, 0);
  const attempted = Math.round(completed * 0.7);
  const confirmed = sum('confirmed');
  const latency = (p50: number, p99: number) => ({
    p50,
    p90: p99 * 0.6,
    p99,
    max: p99 * 2.1,
    mean: p50 * 1.4,
  });
  return {
    scenario: o.scenario ?? 'flash-sale',
    runId: 'run-20250101-120000-ab12',
    seed: 424242,
    startedAt: '2025-01-01T12:00:00.000Z',
    durationSeconds: seconds,
    historyFile: '/tmp/ecom/history/run-20250101-120000-ab12.jsonl',
    executor: { type: 'constant-arrival-rate', targetRate: rate, maxInFlight: 1000 },
    orders: {
      attempted,
      confirmed,
      rejected,
      failed: sum('fail'),
      ambiguous: sum('info'),
      pending: Math.max(attempted - confirmed - rejected - sum('fail') - sum('info'), 0),
      rejectReasons,
    },
    throughputPerSecond: completed / seconds,
    confirmedPerSecond: confirmed / seconds,
    latencyMs: latency(11.2, 412.5),
    operations: {
      'place-order': {
        count: attempted,
        ok: Math.round(okAll * 0.7),
        fail: sum('fail'),
        info: sum('info'),
        latencyMs: latency(14.1, 450),
      },
      'get-stock': {
        count: completed - attempted,
        ok: okAll - Math.round(okAll * 0.7),
        fail: 0,
        info: 0,
        latencyMs: latency(2.3, 19.8),
      },
    },
    iterations: { started: sum('started'), completed, dropped: sum('dropped'), sendLagP99Ms: 3.1 },
    thresholds: [
      { expr: 'p99<200ms', ok: false, actual: 412.5 },
      { expr: 'errors<5%', ok: true, actual: 0.021 },
      { expr: 'confirmed>0', ok: true, actual: confirmed },
      { expr: 'place-order.p50<100ms', ok: true, actual: 14.1 },
    ],
    faults,
    invariants: {
      ok: false,
      invariants: [
        { name: 'no-oversell', ok: true, checked: 1000, violations: [] },
        {
          name: 'no-lost-ack',
          ok: false,
          checked: 5210,
          violations: [{ subject: 'order o-123', expected: 'CONFIRMED', found: 'missing' }],
        },
        { name: 'convergence', ok: 'unknown', checked: 0, violations: [], notes: ['replica unreachable'] },
      ],
    },
    timeline,
    ...(o.generatorLimited ? { generatorLimited: o.generatorLimited } : {}),
  };
}
