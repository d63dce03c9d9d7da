import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { slicer } from './slicer.js';
import { stageHarness } from './stage-testing.js';

beforeEach(() => vi.useFakeTimers());
afterEach(() => vi.useRealTimers());

/** A deterministic random source (mulberry32). */
const seeded = (seed: number) => () => {
  seed = (seed + 0x6d2b79f5) | 0;
  let t = Math.imul(seed ^ (seed >>> 15), 1 | seed);
  t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
  return ((t ^ (t >>> 14)) >>> 0) / 4_294_967_296;
};

describe('slicer toxic', () => {
  it('cuts a chunk into average_size ± size_variation pieces, all bytes in order', async () => {
    const h = stageHarness(slicer, { average_size: 100, size_variation: 20 }, { random: seeded(1) });
    const data = Buffer.from(Array.from({ length: 10_000 }, (_, i) => i % 256));
    const done = h.feed(data);
    await vi.advanceTimersByTimeAsync(100);
    await done;
    expect(h.output().equals(data)).toBe(true);
    const sizes = h.out.map((o) => o.data.length);
    expect(sizes.length).toBeGreaterThanOrEqual(10_000 / 120);
    for (const s of sizes.slice(0, -1)) expect(s >= 80 && s <= 120).toBe(true);
    expect(new Set(sizes).size).toBeGreaterThan(5);
  });

  it('waits `delay` µs between pieces', async () => {
    const h = stageHarness(slicer, { average_size: 10, delay: 5_000 });
    const t0 = Date.now();
    const done = h.feed(Buffer.alloc(40));
    await vi.advanceTimersByTimeAsync(100);
    await done;
    expect(h.out.map((o) => o.at - t0)).toEqual([0, 5, 10, 15]);
  });

  it('passes the rest at once when removed', async () => {
    const h = stageHarness(slicer, { average_size: 10, delay: 1_000_000 });
    const data = Buffer.alloc(100, 1);
    const done = h.feed(data);
    await vi.advanceTimersByTimeAsync(5);
    h.abort.abort();
    await done;
    expect(h.out.map((o) => o.data.length)).toEqual([10, 90]);
  });

  it('requires average_size >= 1 and size_variation < average_size', () => {
    expect(() => slicer.parse({})).toThrow(/attributes\.average_size: must be >= 1/);
    expect(() => slicer.parse({ average_size: 10, size_variation: 10 })).toThrow(
      /attributes\.size_variation/,
    );
    expect(slicer.parse({ average_size: 10 })).toEqual({ average_size: 10, size_variation: 0, delay: 0 });
  });
});
