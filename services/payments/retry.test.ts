import { describe, expect, it } from 'vitest';
import { GatewayFailure } from './gateway-failure.js';
import { fullJitterDelay, withRetries } from './retry.js';

const policy = { maxAttempts: 4, baseMs: 1, maxMs: 4 };
const direct = <T>(fn: () => Promise<T>) => fn();

/** An attempt that fails with the given kinds in turn, then succeeds. */
function attempts(...failures: GatewayFailure['kind'][]) {
  const seen: number[] = [];
  const fn = async (timeoutMs: number) => {
    seen.push(timeoutMs);
    const kind = failures[seen.length - 1];
    if (kind) throw new GatewayFailure(kind, kind);
    return 'ok';
  };
  return { fn, seen };
}

describe('fullJitterDelay', () => {
  it('draws uniformly below min(maxMs, baseMs * 2^attempt)', () => {
    const p = { maxAttempts: 10, baseMs: 10, maxMs: 100 };
    expect(fullJitterDelay(0, p, () => 0.999)).toBeCloseTo(9.99);
    expect(fullJitterDelay(3, p, () => 0.5)).toBe(40);
    expect(fullJitterDelay(8, p, () => 0.5)).toBe(50);
    expect(fullJitterDelay(8, p, () => 0)).toBe(0);
  });
});

describe('withRetries', () => {
  const opts = (deadline = Date.now() + 5_000) => ({
    policy,
    deadline,
    attemptTimeoutMs: 1_000,
    guard: direct,
  });

  it('retries retryable failures until an answer', async () => {
    const a = attempts('server_error', 'timeout', 'connect');
    expect(await withRetries(a.fn, opts())).toEqual({ ok: true, value: 'ok' });
    expect(a.seen).toHaveLength(4);
  });

  it('never retries a non-retryable failure', async () => {
    const a = attempts('breaker_open');
    expect(await withRetries(a.fn, opts())).toMatchObject({ ok: false, maybeSent: false, attempts: 1 });
    const c = attempts('cancelled');
    expect(await withRetries(c.fn, opts())).toMatchObject({ ok: false, maybeSent: true, attempts: 1 });
  });

  it('stops after maxAttempts and says whether anything may have been sent', async () => {
    const notSent = attempts('connect', 'rate_limited', 'connect', 'connect', 'connect');
    expect(await withRetries(notSent.fn, opts())).toMatchObject({ ok: false, maybeSent: false, attempts: 4 });
    const maybe = attempts('connect', 'server_error', 'connect', 'connect', 'connect');
    expect(await withRetries(maybe.fn, opts())).toMatchObject({ ok: false, maybeSent: true, attempts: 4 });
  });

  it('bounds attempts by the deadline and does not start one past it', async () => {
    let now = 0;
    const a = attempts('timeout', 'timeout', 'timeout', 'timeout');
    const fn = async (t: number) => {
      now += t;
      return a.fn(t);
    };
    const res = await withRetries(fn, { ...opts(1_500), now: () => now, random: () => 0 });
    expect(a.seen).toEqual([1_000, 500]);
    expect(res).toMatchObject({ ok: false, attempts: 2 });
    expect(await withRetries(a.fn, { ...opts(5), now: () => 0 })).toMatchObject({ ok: false, attempts: 0 });
  });

  it('rethrows what is not a gateway failure', async () => {
    await expect(withRetries(async () => Promise.reject(new TypeError('bug')), opts())).rejects.toThrow(
      'bug',
    );
  });
});
