import { describe, expect, it } from 'vitest';
import { Batcher, type BatcherOptions } from './batcher.js';

const opts = (o: Partial<BatcherOptions> = {}): BatcherOptions => ({
  enabled: true,
  maxBatch: 100,
  maxWaitMs: 0,
  maxConcurrent: 4,
  maxKeysPerBatch: 100,
  ...o,
});

/** A run function that records batches and finishes each when told. */
function recorder() {
  const batches: string[][] = [];
  const pending: (() => void)[] = [];
  let active = 0;
  let maxActive = 0;
  const run = async (items: string[]) => {
    batches.push(items);
    active++;
    maxActive = Math.max(maxActive, active);
    await new Promise<void>((r) => pending.push(r));
    active--;
    return items.map((i) => `done ${i}`);
  };
  const flush = async () => {
    for (let i = 0; i < 50; i++) {
      await new Promise((r) => setImmediate(r));
      while (pending.length) pending.shift()!();
    }
  };
  return { batches, run, flush, maxActive: () => maxActive };
}

describe('Batcher', () => {
  it('groups items that arrive while a batch on the same key runs', async () => {
    const r = recorder();
    const b = new Batcher<string, string>(opts(), r.run);
    const first = b.submit('a1', ['a']);
    await new Promise((res) => setImmediate(res));
    const rest = ['a2', 'a3', 'a4'].map((i) => b.submit(i, ['a']));
    await r.flush();
    expect(await Promise.all([first, ...rest])).toEqual(['done a1', 'done a2', 'done a3', 'done a4']);
    expect(r.batches).toEqual([['a1'], ['a2', 'a3', 'a4']]);
  });

  it('never runs two batches on a shared key at once, but runs disjoint keys concurrently', async () => {
    const r = recorder();
    const b = new Batcher<string, string>(opts({ maxBatch: 1 }), r.run);
    const all = [
      b.submit('a1', ['a']),
      b.submit('b1', ['b']),
      b.submit('a2', ['a']),
      b.submit('ab', ['a', 'b']),
    ];
    await r.flush();
    await Promise.all(all);
    expect(r.batches).toEqual([['a1'], ['b1'], ['a2'], ['ab']]);
    expect(r.maxActive()).toBe(2);
  });

  it('keeps arrival order per key: a blocked multi-key item holds back later items on its keys', async () => {
    const r = recorder();
    const b = new Batcher<string, string>(opts(), r.run);
    const a1 = b.submit('a1', ['a']);
    await new Promise((res) => setImmediate(res));
    const later = [b.submit('ab', ['a', 'b']), b.submit('b1', ['b']), b.submit('c1', ['c'])];
    await r.flush();
    await Promise.all([a1, ...later]);
    expect(r.batches).toEqual([['a1'], ['c1'], ['ab', 'b1']]);
  });

  it('respects maxBatch and maxKeysPerBatch', async () => {
    const r = recorder();
    const b = new Batcher<string, string>(opts({ maxBatch: 2, maxKeysPerBatch: 2, maxConcurrent: 1 }), r.run);
    const all = ['x', 'y', 'z', 'w', 'v'].map((k) => b.submit(k, [k]));
    await r.flush();
    await Promise.all(all);
    expect(r.batches).toEqual([['x', 'y'], ['z', 'w'], ['v']]);
  });

  it('runs every item alone and at once when disabled', async () => {
    const r = recorder();
    const b = new Batcher<string, string>(opts({ enabled: false, maxConcurrent: 1 }), r.run);
    const all = ['a1', 'a2', 'a3'].map((i) => b.submit(i, ['a']));
    await r.flush();
    await Promise.all(all);
    expect(r.batches).toEqual([['a1'], ['a2'], ['a3']]);
    expect(r.maxActive()).toBe(3);
  });

  it('fails every item of a batch that failed, and skips items whose caller gave up', async () => {
    const b = new Batcher<string, string>(opts(), async () => {
      throw new Error('boom');
    });
    const gaveUp = AbortSignal.abort(new Error('deadline'));
    await expect(b.submit('a', ['k'], gaveUp)).rejects.toThrow('deadline');
    await expect(Promise.all([b.submit('b', ['k']), b.submit('c', ['k'])])).rejects.toThrow('boom');
    await b.stop();
    await expect(b.submit('d', ['k'])).rejects.toThrow('stopped');
  });
});
