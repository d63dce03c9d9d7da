import { z } from 'zod';
import { AuthConfig, BaseConfig, Endpoint, MysqlConfig } from '../../platform/config.js';
import { RateLimitSpec } from '../../platform/ratelimit.js';

/**
 * scrypt cost. Defaults N = 2^14, r = 8, p = 1 (16 MiB and ~40-60 ms per hash here): Percival's
 * interactive-login setting, sized for a 2-core test machine. Raise log2N in production; stored
 * hashes carry their own parameters, so old hashes keep verifying after a change.
 */
export const ScryptConfig = z
  .object({
    /** log2 of the CPU/memory cost N. */
    log2N: z.number().int().min(10).max(20).default(14),
    /** Block size. */
    r: z.number().int().min(1).max(32).default(8),
    /** Parallelisation. */
    p: z.number().int().min(1).max(16).default(1),
    /** Derived key length in bytes. */
    keyLength: z.number().int().min(16).max(64).default(32),
  })
  .refine((s) => 128 * 2 ** s.log2N * s.r <= 256 * 1024 * 1024, {
    message: 'memory (128 * 2^log2N * r bytes) must stay within 256 MiB',
  });
export type ScryptConfig = z.infer<typeof ScryptConfig>;

/** The users service's own section of the config. */
export const UsersSection = z.object({
  scrypt: ScryptConfig.prefault({}),
  /** Lifetime of access tokens (JWT). */
  accessTokenTtlSeconds: z.number().int().min(1).max(86_400).default(900),
  /** Lifetime of refresh tokens (opaque, stored hashed, rotated on use). */
  refreshTokenTtlSeconds: z
    .number()
    .int()
    .min(60)
    .max(90 * 86_400)
    .default(30 * 86_400),
  profileCache: z
    .object({
      /** Off: every GetProfile reads the primary (benchmarks compare both). */
      enabled: z.boolean().default(true),
      ttlSeconds: z.number().int().min(1).max(86_400).default(300),
      /** How often every instance re-applies cache writes that failed (Redis down, crash). */
      repairIntervalMs: z.number().int().min(50).max(60_000).default(1_000),
      /**
       * A reader fills the cache only if its primary read is younger than this, so a slow reader
       * cannot resurrect an old row after the newer entry expired (must be far below ttlSeconds).
       */
      fillMaxAgeMs: z.number().int().min(10).max(10_000).default(1_000),
    })
    .prefault({}),
  /**
   * Brute-force protection of Login: failed (and in-flight) attempts are counted, successful ones
   * refunded. Both fail closed by default: without Redis the limit cannot hold, so Login refuses.
   */
  loginLimits: z
    .object({
      perEmail: RateLimitSpec.prefault({
        points: 5,
        durationSeconds: 60,
        blockSeconds: 300,
        failMode: 'closed',
      }),
      perAddress: RateLimitSpec.prefault({
        points: 100,
        durationSeconds: 60,
        blockSeconds: 0,
        failMode: 'closed',
      }),
    })
    .prefault({}),
});
export type UsersSection = z.infer<typeof UsersSection>;

/** The config of a users instance: MySQL, Redis and the token signing key are required. */
export const UsersConfig = BaseConfig.extend({
  mysql: MysqlConfig,
  redis: Endpoint,
  auth: AuthConfig,
  users: UsersSection.prefault({}),
});
export type UsersConfig = z.infer<typeof UsersConfig>;
