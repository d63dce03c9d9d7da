import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { resetPeer } from './reset-peer.js';
import { stageHarness } from './stage-testing.js';

beforeEach(() => vi.useFakeTimers());
afterEach(() => vi.useRealTimers());

describe('reset_peer toxic', () => {
  it('passes data, then resets the connection after `timeout` ms', async () => {
    const h = stageHarness(resetPeer, { timeout: 300 });
    await h.feed(Buffer.from('before'));
    expect(h.output().toString()).toBe('before');
    await vi.advanceTimersByTimeAsync(299);
    expect(h.events.reset).toBe(0);
    await vi.advanceTimersByTimeAsync(1);
    expect(h.events).toEqual({ reset: 1, closed: 0 });
  });

  it('resets at once with timeout 0', async () => {
    const h = stageHarness(resetPeer, {});
    await vi.advanceTimersByTimeAsync(0);
    expect(h.events.reset).toBe(1);
  });

  it('does not reset once removed', async () => {
    const h = stageHarness(resetPeer, { timeout: 300 });
    h.stage.dispose?.();
    await vi.advanceTimersByTimeAsync(1_000);
    expect(h.events.reset).toBe(0);
  });
});
