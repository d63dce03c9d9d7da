import { describe, expect, it } from 'vitest';
import { runBench } from './run.js';

describe('ecom bench (smoke mode: every measurement, tiny windows)', () => {
  it('measures every figure in one run, each with p50/p99 and a ratio to the same run’s ceiling', async () => {
    const lines: string[] = [];
    const { results, ceiling } = await runBench({ mode: 'smoke', log: (l) => lines.push(l) });
    expect(ceiling).toBeGreaterThan(0);
    const names = results.map((r) => r.name);
    expect(names).toEqual(
      expect.arrayContaining([
        'mysql conditional UPDATE, one hot row, 1 connection',
        'mysql conditional UPDATE, one hot row, 16 connections',
        'redis INCR round trip, 8 connections',
        'zookeeper lock acquire+release, 8 clients on one lock',
        'inventory reserve hot zk+db batching=on',
        'inventory reserve zipf zk+db batching=on',
        'end-to-end flash-sale: confirmed orders/s',
        'end-to-end steady-mix: confirmed orders/s',
      ]),
    );
    const first = results[0]!;
    expect(first.ratioToCeiling).toBe(1);
    for (const r of results.filter((x) => !x.name.startsWith('load generator'))) {
      expect(r.opsPerSecond, r.name).toBeGreaterThan(0);
      expect(Math.abs(r.ratioToCeiling - r.opsPerSecond / ceiling), r.name).toBeLessThan(0.02);
    }
    expect(
      results
        .filter((r) => r.name.startsWith('end-to-end'))
        .every((r) => r.notes?.includes('every invariant holds')),
    ).toBe(true);
  }, 600_000);
});
