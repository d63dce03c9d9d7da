import { pino } from 'pino';
import { Registry } from 'prom-client';
import { afterEach, describe, expect, it } from 'vitest';
import { createBreaker, type Breaker } from './breaker.js';
import { GatewayFailure } from './gateway-failure.js';

const fail = () => Promise.reject(new GatewayFailure('server_error', '500'));
const ok = () => Promise.resolve('ok');
const settle = (p: Promise<unknown>) => p.catch((e: unknown) => e);

describe('createBreaker', () => {
  let breaker: Breaker;
  let registry: Registry;
  const gauge = async () => (await registry.getSingleMetric('ecom_breaker_state')!.get()).values[0]!.value;
  afterEach(() => breaker.stop());
  const make = (over = {}) => {
    registry = new Registry();
    breaker = createBreaker(
      'gateway',
      {
        errorThresholdPercentage: 50,
        volumeThreshold: 4,
        rollingWindowMs: 10_000,
        resetTimeoutMs: 100,
        ...over,
      },
      { registry, logger: pino({ level: 'silent' }) },
    );
  };

  it('opens on the error rate, refuses without calling, half-opens, and closes on a good probe', async () => {
    make();
    for (let i = 0; i < 4; i++) await settle(breaker.run(fail));
    expect(breaker.state()).toBe('open');
    expect(breaker.refusing()).toBe(true);
    expect(await gauge()).toBe(2);
    let called = false;
    const refused = await settle(breaker.run(async () => (called = true)));
    expect(refused).toBeInstanceOf(GatewayFailure);
    expect((refused as GatewayFailure).kind).toBe('breaker_open');
    expect(called).toBe(false);

    await new Promise((r) => setTimeout(r, 150));
    expect(breaker.state()).toBe('half_open');
    expect(await gauge()).toBe(1);
    expect(await breaker.run(ok)).toBe('ok');
    expect(breaker.state()).toBe('closed');
    expect(await gauge()).toBe(0);
  });

  it('re-opens when the half-open probe fails', async () => {
    make();
    for (let i = 0; i < 4; i++) await settle(breaker.run(fail));
    await new Promise((r) => setTimeout(r, 150));
    await settle(breaker.run(fail));
    expect(breaker.state()).toBe('open');
  });

  it('stays closed below the volume threshold and ignores its own caller cancelling', async () => {
    make({ volumeThreshold: 10 });
    for (let i = 0; i < 5; i++) await settle(breaker.run(fail));
    expect(breaker.state()).toBe('closed');
    make();
    for (let i = 0; i < 8; i++) {
      await settle(breaker.run(() => Promise.reject(new GatewayFailure('cancelled', 'caller gone'))));
    }
    expect(breaker.state()).toBe('closed');
  });
});
