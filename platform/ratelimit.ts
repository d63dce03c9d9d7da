import { Counter, type Registry } from 'prom-client';
import { RateLimiterRedis, RateLimiterRes } from 'rate-limiter-flexible';
import { z } from 'zod';
import { ResourceExhausted, Unavailable } from './errors.js';
import type { Logger } from './logger.js';
import type { Redis } from './redis.js';

/**
 * What a limiter does when Redis cannot answer: `open` lets the request through (availability
 * first: the limit is not enforced meanwhile), `closed` refuses it with UNAVAILABLE (protection
 * first: e.g. Login, where an unenforced limit would open the door to brute force).
 */
export type FailMode = 'open' | 'closed';

/**
 * One limit as it appears in a service's config (`createRateLimiter({ ...spec, redis, keyPrefix,
 * logger, registry })`); services give it their own defaults.
 */
export const RateLimitSpec = z.object({
  /** Requests allowed per key per window. */
  points: z.number().int().min(1).max(1_000_000),
  /** The window in seconds. */
  durationSeconds: z.number().int().min(1).max(2_592_000),
  /** How long a key stays refused once over the limit (0: until the window ends). */
  blockSeconds: z.number().int().min(0).max(2_592_000).default(0),
  failMode: z.enum(['open', 'closed']),
});
export type RateLimitSpec = z.infer<typeof RateLimitSpec>;

/** Options of {@link createRateLimiter}. */
export interface RateLimiterOptions {
  /** Shared by every instance, so the limit holds across all of them. */
  redis: Redis;
  /** Names the limiter in Redis keys, logs and metrics, e.g. "login-email". */
  keyPrefix: string;
  /** Requests (points) allowed per key per window. */
  points: number;
  /** The window, in seconds (fixed window starting at the key's first request). */
  durationSeconds: number;
  /** Once over the limit, the key stays refused for this long (default: until the window ends). */
  blockSeconds?: number;
  failMode: FailMode;
  logger: Logger;
  /** Where the rejection metrics go; the counters are shared by every limiter of the registry. */
  registry?: Registry;
}

/** A request the limiter let through. */
export interface RateLimitPass {
  /** Points left in the window (-1 when Redis was down and the limiter failed open). */
  remaining: number;
  /** True when Redis did not answer and the limiter failed open (the limit was not checked). */
  unchecked: boolean;
}

/** A rate limiter shared by all instances through Redis. */
export interface RateLimiter {
  readonly name: string;
  readonly failMode: FailMode;
  /**
   * Takes `points` (default 1) for `key`. Over the limit: throws {@link ResourceExhausted} (its
   * `retry-after-ms` trailer says when to retry). Redis down: resolves unchecked (open) or throws
   * {@link Unavailable} (closed).
   */
  consume(key: string, points?: number): Promise<RateLimitPass>;
  /** Gives points back (e.g. after a successful login); best effort, never throws. */
  refund(key: string, points?: number): Promise<void>;
}

const MAX_KEY_LENGTH = 512;

/**
 * Creates a Redis rate limiter (rate-limiter-flexible's atomic Lua counter). Validates the options
 * up front, naming the field. Store failures are logged once per outage and counted.
 */
export function createRateLimiter(opts: RateLimiterOptions): RateLimiter {
  validate(opts);
  const metrics = rateLimitMetrics(opts.registry);
  const limiter = new RateLimiterRedis({
    storeClient: opts.redis,
    keyPrefix: `rl:${opts.keyPrefix}`,
    points: opts.points,
    duration: opts.durationSeconds,
    blockDuration: opts.blockSeconds ?? 0,
    // Do not queue behind a reconnect: answer from the fail mode at once.
    rejectIfRedisNotReady: true,
  });
  const name = opts.keyPrefix;
  let storeDown = false;
  const storeFailed = (err: unknown) => {
    metrics.storeFailures.inc({ limiter: name, fail_mode: opts.failMode });
    if (!storeDown) {
      storeDown = true;
      opts.logger.warn(
        { limiter: name, failMode: opts.failMode, err: (err as Error)?.message ?? String(err) },
        `rate limiter store unavailable: failing ${opts.failMode}`,
      );
    }
  };
  const storeOk = () => {
    if (storeDown) {
      storeDown = false;
      opts.logger.info({ limiter: name }, 'rate limiter store available again');
    }
  };

  return {
    name,
    failMode: opts.failMode,
    async consume(key, points = 1) {
      checkKey(key);
      try {
        const res = await limiter.consume(key, points);
        storeOk();
        return { remaining: res.remainingPoints, unchecked: false };
      } catch (err) {
        if (err instanceof RateLimiterRes) {
          storeOk();
          metrics.rejections.inc({ limiter: name, reason: 'over_limit' });
          throw new ResourceExhausted(`rate limit exceeded (${name}): retry later`, err.msBeforeNext);
        }
        storeFailed(err);
        if (opts.failMode === 'open') return { remaining: -1, unchecked: true };
        metrics.rejections.inc({ limiter: name, reason: 'store_unavailable' });
        throw new Unavailable(`rate limiter unavailable (${name}): refusing until it is back`);
      }
    },
    async refund(key, points = 1) {
      checkKey(key);
      try {
        await limiter.reward(key, points);
      } catch (err) {
        storeFailed(err);
      }
    },
  };
}

/** The client address of a gRPC peer ("ipv4:1.2.3.4:5678", "[::1]:5678", ...), without its port. */
export function clientAddressOf(peer: string): string {
  const bare = peer.replace(/^(ipv4|ipv6|dns|unix):/, '');
  const v6 = /^\[([^\]]+)\](?::\d+)?$/.exec(bare);
  if (v6) return v6[1]!;
  const v4 = /^([^:]+):\d+$/.exec(bare);
  return v4 ? v4[1]! : bare || 'unknown';
}

interface RateLimitMetrics {
  rejections: Counter<'limiter' | 'reason'>;
  storeFailures: Counter<'limiter' | 'fail_mode'>;
}

/** The limiter counters of a registry, created on first use (several limiters share them). */
export function rateLimitMetrics(registry?: Registry): RateLimitMetrics {
  const counter = <L extends string>(name: string, help: string, labelNames: L[]): Counter<L> => {
    const existing = registry?.getSingleMetric(name);
    if (existing) return existing as Counter<L>;
    return new Counter({ name, help, labelNames, registers: registry ? [registry] : [] });
  };
  return {
    rejections: counter(
      'ecom_rate_limit_rejections_total',
      'Requests refused by a rate limiter: over_limit, or store_unavailable when failing closed',
      ['limiter', 'reason'],
    ),
    storeFailures: counter(
      'ecom_rate_limit_store_failures_total',
      'Rate limiter calls that Redis did not answer (then allowed or refused per fail_mode)',
      ['limiter', 'fail_mode'],
    ),
  };
}

function validate(o: RateLimiterOptions): void {
  const positiveInt = (v: unknown, field: string, max: number) => {
    if (typeof v !== 'number' || !Number.isInteger(v) || v < 1 || v > max) {
      throw new Error(`createRateLimiter: ${field} must be an integer in 1..${max}, got ${String(v)}`);
    }
  };
  if (!/^[a-zA-Z0-9_.:-]{1,64}$/.test(o.keyPrefix ?? '')) {
    throw new Error('createRateLimiter: keyPrefix must be 1..64 of letters, digits, _ . : -');
  }
  positiveInt(o.points, 'points', 1_000_000);
  positiveInt(o.durationSeconds, 'durationSeconds', 86_400 * 30);
  if (o.blockSeconds !== undefined && o.blockSeconds !== 0)
    positiveInt(o.blockSeconds, 'blockSeconds', 86_400 * 30);
  if (o.failMode !== 'open' && o.failMode !== 'closed') {
    throw new Error(`createRateLimiter: failMode must be "open" or "closed", got ${String(o.failMode)}`);
  }
  if (!o.redis) throw new Error('createRateLimiter: redis is required');
  if (!o.logger) throw new Error('createRateLimiter: logger is required');
}

function checkKey(key: string): void {
  if (typeof key !== 'string' || key.length === 0 || key.length > MAX_KEY_LENGTH) {
    throw new Error(`rate limiter key must be 1..${MAX_KEY_LENGTH} characters`);
  }
}
