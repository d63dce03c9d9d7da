import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { stageHarness } from './stage-testing.js';
import { timeout } from './timeout.js';

beforeEach(() => vi.useFakeTimers());
afterEach(() => vi.useRealTimers());

describe('timeout toxic', () => {
  it('lets no data through and closes the connection after `timeout` ms', async () => {
    const h = stageHarness(timeout, { timeout: 200 });
    await h.feed(Buffer.from('lost'));
    await vi.advanceTimersByTimeAsync(199);
    expect(h.out).toHaveLength(0);
    expect(h.events.closed).toBe(0);
    await vi.advanceTimersByTimeAsync(1);
    expect(h.events.closed).toBe(1);
  });

  it('holds the connection open forever with timeout 0', async () => {
    const h = stageHarness(timeout, {});
    await h.feed(Buffer.from('lost'));
    await vi.advanceTimersByTimeAsync(3_600_000);
    expect(h.out).toHaveLength(0);
    expect(h.events.closed).toBe(0);
  });

  it('passes data again once removed, and its timer no longer fires', async () => {
    const h = stageHarness(timeout, { timeout: 200 });
    h.abort.abort();
    h.stage.dispose?.();
    await h.feed(Buffer.from('flows'));
    await vi.advanceTimersByTimeAsync(1_000);
    expect(h.output().toString()).toBe('flows');
    expect(h.events.closed).toBe(0);
  });
});
