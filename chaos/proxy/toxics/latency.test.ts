import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { latency } from './latency.js';
import { stageHarness } from './stage-testing.js';

beforeEach(() => vi.useFakeTimers());
afterEach(() => vi.useRealTimers());

describe('latency toxic', () => {
  it('delays a chunk by `latency` ms counted from its arrival', async () => {
    const h = stageHarness(latency, { latency: 100 });
    const t0 = Date.now();
    const first = h.feed(Buffer.from('a'));
    await vi.advanceTimersByTimeAsync(99);
    expect(h.out).toHaveLength(0);
    await vi.advanceTimersByTimeAsync(1);
    await first;
    expect(h.out.map((o) => o.at - t0)).toEqual([100]);
    // Arrived 10 ms after the first while the first was held: delayed once, not twice.
    const second = h.feed(Buffer.from('b'), t0 + 10);
    await vi.advanceTimersByTimeAsync(10);
    await second;
    expect(h.out.map((o) => o.at - t0)).toEqual([100, 110]);
  });

  it('adds latency ± jitter and never reorders chunks', async () => {
    const draws = [0, 0.9999, 0, 0.9999, 0.5];
    const h = stageHarness(latency, { latency: 100, jitter: 50 }, { random: () => draws.shift() ?? 0.5 });
    const t0 = Date.now();
    const done = (async () => {
      for (const c of ['a', 'b', 'c', 'd', 'e']) await h.feed(Buffer.from(c), t0);
    })();
    await vi.advanceTimersByTimeAsync(1_000);
    await done;
    expect(h.output().toString()).toBe('abcde');
    const times = h.out.map((o) => o.at - t0);
    expect(times).toEqual([...times].sort((x, y) => x - y));
    for (const t of times) expect(t).toBeGreaterThanOrEqual(50);
    expect(times[0]).toBe(50);
    expect(times[1]).toBe(150);
  });

  it('releases a held chunk at once when the toxic is removed', async () => {
    const h = stageHarness(latency, { latency: 10_000 });
    const t0 = Date.now();
    const held = h.feed(Buffer.from('x'));
    await vi.advanceTimersByTimeAsync(10);
    h.abort.abort();
    await held;
    expect(h.out.map((o) => [o.data.toString(), o.at - t0])).toEqual([['x', 10]]);
  });

  it('rejects negative, fractional and unknown attributes, naming them', () => {
    expect(() => latency.parse({ latency: -1 })).toThrow(/attributes\.latency: must be >= 0/);
    expect(() => latency.parse({ jitter: 1.5 })).toThrow(/attributes\.jitter: must be an integer/);
    expect(() => latency.parse({ latncy: 5 })).toThrow(/attributes\.latncy: unknown attribute/);
    expect(latency.parse({})).toEqual({ latency: 0, jitter: 0 });
  });
});
