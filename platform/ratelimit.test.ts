import { createServer } from 'node:net';
import { status as Status } from '@grpc/grpc-js';
import { Redis } from 'ioredis';
import { Registry } from 'prom-client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Unavailable } from './errors.js';
import { createLogger } from './logger.js';
import { clientAddressOf, createRateLimiter, RateLimitSpec, type RateLimiterOptions } from './ratelimit.js';

/** A port nothing listens on: a Redis that is down. */
async function deadPort(): Promise<number> {
  const srv = createServer();
  await new Promise<void>((r) => srv.listen(0, '127.0.0.1', r));
  const { port } = srv.address() as { port: number };
  await new Promise((r) => srv.close(r));
  return port;
}

describe('rate limiter when Redis is down (real client, nothing listening)', () => {
  let redis: Redis;
  const lines: string[] = [];
  const logger = createLogger({ component: 'test', destination: { write: (l: string) => lines.push(l) } });
  beforeAll(async () => {
    redis = new Redis({
      port: await deadPort(),
      enableOfflineQueue: false,
      maxRetriesPerRequest: 1,
      retryStrategy: () => 200,
      lazyConnect: false,
    });
    redis.on('error', () => {});
  });
  afterAll(() => redis.disconnect());

  const make = (over: Partial<RateLimiterOptions>, registry = new Registry()) =>
    createRateLimiter({
      redis,
      keyPrefix: 'test',
      points: 1,
      durationSeconds: 60,
      failMode: 'open',
      logger,
      registry,
      ...over,
    });

  it('fails open: lets every request through, unchecked, and counts it', async () => {
    const registry = new Registry();
    const limiter = make({ failMode: 'open', keyPrefix: 'open' }, registry);
    for (let i = 0; i < 5; i++) {
      await expect(limiter.consume('k')).resolves.toEqual({ remaining: -1, unchecked: true });
    }
    const text = await registry.metrics();
    expect(text).toMatch(/ecom_rate_limit_store_failures_total\{limiter="open",fail_mode="open"\} 5/);
    expect(text).not.toMatch(/ecom_rate_limit_rejections_total\{/);
  });

  it('fails closed: refuses with UNAVAILABLE, counts the rejection, logs once per outage', async () => {
    const registry = new Registry();
    const limiter = make({ failMode: 'closed', keyPrefix: 'closed' }, registry);
    const before = lines.filter((l) => l.includes('"limiter":"closed"')).length;
    for (let i = 0; i < 3; i++) {
      const err = await limiter.consume('k').catch((e: unknown) => e);
      expect(err).toBeInstanceOf(Unavailable);
      expect((err as Unavailable).code).toBe(Status.UNAVAILABLE);
    }
    expect(await registry.metrics()).toMatch(
      /ecom_rate_limit_rejections_total\{limiter="closed",reason="store_unavailable"\} 3/,
    );
    const logged = lines.filter((l) => l.includes('"limiter":"closed"')).length - before;
    expect(logged).toBe(1);
    expect(lines.some((l) => l.includes('"k"'))).toBe(false);
  });

  it('never throws from refund', async () => {
    await expect(make({}).refund('k')).resolves.toBeUndefined();
  });

  it('validates its options naming the field', () => {
    expect(() => make({ points: 0 })).toThrow(/points/);
    expect(() => make({ durationSeconds: 1.5 })).toThrow(/durationSeconds/);
    expect(() => make({ blockSeconds: -1 })).toThrow(/blockSeconds/);
    expect(() => make({ keyPrefix: 'has space' })).toThrow(/keyPrefix/);
    expect(() => make({ failMode: 'sideways' as never })).toThrow(/failMode/);
  });

  it('refuses empty and oversized keys', async () => {
    await expect(make({}).consume('')).rejects.toThrow(/key/);
    await expect(make({}).consume('x'.repeat(513))).rejects.toThrow(/key/);
  });

  it('shares its counters between limiters of one registry', () => {
    const registry = new Registry();
    make({ keyPrefix: 'a' }, registry);
    expect(() => make({ keyPrefix: 'b' }, registry)).not.toThrow();
  });
});

describe('RateLimitSpec', () => {
  it('fills blockSeconds and rejects bad values', () => {
    expect(RateLimitSpec.parse({ points: 5, durationSeconds: 60, failMode: 'closed' })).toEqual({
      points: 5,
      durationSeconds: 60,
      blockSeconds: 0,
      failMode: 'closed',
    });
    expect(RateLimitSpec.safeParse({ points: 0, durationSeconds: 60, failMode: 'open' }).success).toBe(false);
  });
});

describe('clientAddressOf', () => {
  it.each([
    ['127.0.0.1:5000', '127.0.0.1'],
    ['ipv4:10.0.0.7:443', '10.0.0.7'],
    ['[::1]:5000', '::1'],
    ['ipv6:[2001:db8::1]:80', '2001:db8::1'],
    ['unix:/tmp/sock', '/tmp/sock'],
    ['', 'unknown'],
  ])('%s → %s', (peer, address) => {
    expect(clientAddressOf(peer)).toBe(address);
  });
});
