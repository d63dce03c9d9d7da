import { Registry } from 'prom-client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestStack } from '../test/harness.js';
import { ResourceExhausted, Unavailable } from './errors.js';
import { createLogger } from './logger.js';
import { createRateLimiter, type RateLimiter, type RateLimiterOptions } from './ratelimit.js';
import { createRedis, type RedisHandle } from './redis.js';

const logger = createLogger({ component: 'test', level: 'silent' });
const NO_SERVICES = { users: 0, inventory: 0, payments: 0, gateway: 0, orders: 0, analytics: 0 };

describe('rate limiter on a real Redis shared by two "instances"', () => {
  let stack: Awaited<ReturnType<typeof startTestStack>>;
  const clients: RedisHandle[] = [];
  let n = 0;

  beforeAll(async () => {
    stack = await startTestStack({ replicas: NO_SERVICES });
  });
  afterAll(async () => {
    for (const c of clients) await c.stop();
    await stack?.stop();
  });

  /** Two limiters with the same settings, each on its own connection, like two service instances. */
  async function pair(opts: Partial<RateLimiterOptions>): Promise<RateLimiter[]> {
    const prefix = `t${n++}`;
    return Promise.all(
      [1, 2].map(async () => {
        const redis = createRedis(stack.state.infra.redis, logger);
        clients.push(redis);
        await new Promise((r) =>
          redis.client.status === 'ready' ? r(undefined) : redis.client.once('ready', r),
        );
        return createRateLimiter({
          redis: redis.client,
          keyPrefix: prefix,
          points: 10,
          durationSeconds: 60,
          failMode: 'closed',
          logger,
          registry: new Registry(),
          ...opts,
        });
      }),
    );
  }

  const outcome = (p: Promise<unknown>) =>
    p.then(
      () => 'ok',
      (e: unknown) =>
        e instanceof ResourceExhausted ? 'limited' : e instanceof Unavailable ? 'unavailable' : 'other',
    );

  it('lets exactly `points` requests through across both, concurrently, then RESOURCE_EXHAUSTED with retry-after-ms', async () => {
    const [a, b] = await pair({ points: 10 });
    const results = await Promise.all(
      Array.from({ length: 30 }, (_, i) => outcome((i % 2 ? a! : b!).consume('user-1'))),
    );
    expect(results.filter((r) => r === 'ok')).toHaveLength(10);
    expect(results.filter((r) => r === 'limited')).toHaveLength(20);
    const err = await a!.consume('user-1').catch((e: unknown) => e as ResourceExhausted);
    const retry = Number((err as ResourceExhausted).details['retry-after-ms']);
    expect(retry).toBeGreaterThan(55_000);
    expect(retry).toBeLessThanOrEqual(60_000);
    // Other keys have their own budget.
    await expect(b!.consume('user-2')).resolves.toMatchObject({ remaining: 9, unchecked: false });
  });

  it('blocks for blockSeconds once over the limit, and refunds give points back', async () => {
    // A 3 s window: the four calls before the check must land in it, even on a loaded machine.
    const [a, b] = await pair({ points: 2, durationSeconds: 3, blockSeconds: 30 });
    await a!.consume('k');
    await b!.refund('k');
    await a!.consume('k');
    await a!.consume('k');
    const err = (await b!.consume('k').catch((e: unknown) => e)) as ResourceExhausted;
    expect(err).toBeInstanceOf(ResourceExhausted);
    expect(Number(err.details['retry-after-ms'])).toBeGreaterThan(25_000);
    await new Promise((r) => setTimeout(r, 3_100)); // the window is over, the block is not
    expect(await outcome(a!.consume('k'))).toBe('limited');
  });

  it('when Redis goes down: open limiters let requests through, closed ones refuse; both recover', async () => {
    const [open] = await pair({ failMode: 'open', points: 1 });
    const [closed] = await pair({ failMode: 'closed', points: 1 });
    await stack.control.stop('redis');
    try {
      expect(await open!.consume('k')).toEqual({ remaining: -1, unchecked: true });
      expect(await open!.consume('k')).toEqual({ remaining: -1, unchecked: true });
      expect(await outcome(closed!.consume('k'))).toBe('unavailable');
    } finally {
      await stack.control.start('redis');
    }
    let back = 'unavailable';
    for (let i = 0; i < 50 && back !== 'ok'; i++) {
      back = await outcome(closed!.consume('k'));
      if (back !== 'ok') await new Promise((r) => setTimeout(r, 100));
    }
    expect(back).toBe('ok');
    expect(await outcome(closed!.consume('k'))).toBe('limited');
    expect((await open!.consume('k2')).unchecked).toBe(false);
  });
});
