import { describe, expect, it } from 'vitest';
import { limitData } from './limit-data.js';
import { stageHarness } from './stage-testing.js';

describe('limit_data toxic', () => {
  it('lets exactly `bytes` bytes through across chunks, then closes', async () => {
    const h = stageHarness(limitData, { bytes: 10 });
    await h.feed(Buffer.from('abcd'));
    await h.feed(Buffer.from('efgh'));
    expect(h.events.closed).toBe(0);
    await h.feed(Buffer.from('ijkl'));
    expect(h.output().toString()).toBe('abcdefghij');
    expect(h.events.closed).toBe(1);
    await h.feed(Buffer.from('more'));
    expect(h.output().toString()).toBe('abcdefghij');
  });

  it('closes on the first chunk with bytes 0', async () => {
    const h = stageHarness(limitData, { bytes: 0 });
    await h.feed(Buffer.from('x'));
    expect(h.out).toHaveLength(0);
    expect(h.events.closed).toBe(1);
  });

  it('passes everything once removed', async () => {
    const h = stageHarness(limitData, { bytes: 2 });
    h.abort.abort();
    await h.feed(Buffer.from('whole'));
    expect(h.output().toString()).toBe('whole');
    expect(h.events.closed).toBe(0);
  });
});
