import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { bandwidth } from './bandwidth.js';
import { stageHarness } from './stage-testing.js';

beforeEach(() => vi.useFakeTimers());
afterEach(() => vi.useRealTimers());

describe('bandwidth toxic', () => {
  it('sends at `rate` KB/s, in 100 ms slices', async () => {
    const h = stageHarness(bandwidth, { rate: 10 }); // 10 bytes per ms
    const t0 = Date.now();
    const data = Buffer.alloc(5_000, 7);
    const done = h.feed(data);
    await vi.advanceTimersByTimeAsync(1_000);
    await done;
    expect(h.out.map((o) => o.data.length)).toEqual([1_000, 1_000, 1_000, 1_000, 1_000]);
    expect(h.out.map((o) => o.at - t0)).toEqual([100, 200, 300, 400, 500]);
    expect(h.output().equals(data)).toBe(true);
  });

  it('paces consecutive small chunks on one clock', async () => {
    const h = stageHarness(bandwidth, { rate: 10 });
    const t0 = Date.now();
    const done = (async () => {
      for (let i = 0; i < 4; i++) await h.feed(Buffer.alloc(500));
    })();
    await vi.advanceTimersByTimeAsync(1_000);
    await done;
    expect(h.out.map((o) => o.at - t0)).toEqual([50, 100, 150, 200]);
  });

  it('is unlimited with rate 0', async () => {
    const h = stageHarness(bandwidth, { rate: 0 });
    await h.feed(Buffer.alloc(1_000_000));
    expect(h.output().length).toBe(1_000_000);
  });

  it('passes the rest of a chunk at once when removed mid-transfer, losing nothing', async () => {
    const h = stageHarness(bandwidth, { rate: 1 });
    const data = Buffer.from(Array.from({ length: 1_000 }, (_, i) => i % 251));
    const done = h.feed(data);
    await vi.advanceTimersByTimeAsync(250);
    h.abort.abort();
    await done;
    expect(h.output().equals(data)).toBe(true);
    expect(h.out.length).toBeLessThanOrEqual(4);
  });
});
