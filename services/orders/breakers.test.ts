import { Metadata, status as Status } from '@grpc/grpc-js';
import { Gauge, Registry } from 'prom-client';
import { afterEach, describe, expect, it } from 'vitest';
import { BreakerOpenError, createBreaker, type Breaker } from './breakers.js';

const cfg = {
  errorThresholdPercentage: 50,
  volumeThreshold: 4,
  rollingWindowMs: 10_000,
  resetTimeoutMs: 100,
};
const grpcError = (code: Status) =>
  Object.assign(new Error(Status[code]), { code, details: '', metadata: new Metadata() });

describe('circuit breaker', () => {
  let breaker: Breaker | undefined;
  afterEach(() => breaker?.stop());
  const setup = () => {
    const gauge = new Gauge({
      name: 'ecom_breaker_state',
      help: 'h',
      labelNames: ['target'],
      registers: [new Registry()],
    });
    breaker = createBreaker('payments', cfg, gauge);
    const state = async () => (await gauge.get()).values.find((v) => v.labels.target === 'payments')?.value;
    return { b: breaker, state };
  };

  it('opens on failures, fails fast, probes half-open and closes after a success', async () => {
    const { b, state } = setup();
    expect(await state()).toBe(0);
    for (let i = 0; i < 4; i++)
      await b.fire(() => Promise.reject(grpcError(Status.UNAVAILABLE))).catch(() => undefined);
    expect(b.isOpen()).toBe(true);
    expect(await state()).toBe(2);
    let ran = false;
    await expect(b.fire(async () => (ran = true))).rejects.toBeInstanceOf(BreakerOpenError);
    expect(ran).toBe(false);
    await new Promise((r) => setTimeout(r, 150));
    expect(await state()).toBe(1);
    expect(await b.fire(async () => 'probe')).toBe('probe');
    expect(await state()).toBe(0);
    expect(b.isOpen()).toBe(false);
  });

  it('does not count business answers as failures', async () => {
    const { b } = setup();
    for (let i = 0; i < 10; i++) {
      await b.fire(() => Promise.reject(grpcError(Status.FAILED_PRECONDITION))).catch(() => undefined);
      await b.fire(() => Promise.reject(grpcError(Status.NOT_FOUND))).catch(() => undefined);
    }
    expect(b.isOpen()).toBe(false);
    // 20 healthy answers so far: it takes a majority of timeouts to open.
    for (let i = 0; i < 25; i++)
      await b.fire(() => Promise.reject(grpcError(Status.DEADLINE_EXCEEDED))).catch(() => undefined);
    expect(b.isOpen()).toBe(true);
  });
});
