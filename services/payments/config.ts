import { z } from 'zod';
import { BaseConfig, MysqlConfig } from '../../platform/config.js';

const ms = (max: number) => z.number().int().min(0).max(max);

const gatewayDefaults = {
  connections: 16,
  keepAliveTimeoutMs: 4_000,
  connectTimeoutMs: 1_000,
  attemptTimeoutMs: 1_000,
};
const retryDefaults = { maxAttempts: 4, baseMs: 25, maxMs: 400 };
const breakerDefaults = {
  errorThresholdPercentage: 50,
  volumeThreshold: 10,
  rollingWindowMs: 10_000,
  resetTimeoutMs: 3_000,
};
const workerDefaults = { minThreads: 1, maxThreads: 2, fraudRounds: 500, fraudThreshold: 0.9 };
const settlerDefaults = {
  intervalMs: 1_000,
  graceMs: 500,
  abandonAfterMs: 60_000,
  batchSize: 50,
  lookupTimeoutMs: 2_000,
};

/** The payments service's own config section. */
export const PaymentsSection = z.object({
  /** Base URLs of the gateway simulator instances (requests are spread over them). */
  gatewayUrls: z.array(z.url()).min(1),
  /** Shared secret for signing gateway requests (HMAC-SHA256, header Ecom-Signature); unset: unsigned. */
  signingSecret: z.string().min(16).optional(),
  gateway: z
    .object({
      /** Keep-alive connections per gateway instance (undici Pool). */
      connections: z.number().int().min(1).max(1_024).default(gatewayDefaults.connections),
      keepAliveTimeoutMs: ms(600_000).default(gatewayDefaults.keepAliveTimeoutMs),
      connectTimeoutMs: ms(60_000).min(1).default(gatewayDefaults.connectTimeoutMs),
      /** Longest single HTTP attempt; the call's deadline bounds it further. */
      attemptTimeoutMs: ms(60_000).min(1).default(gatewayDefaults.attemptTimeoutMs),
    })
    .default(gatewayDefaults),
  /** Retries of retryable failures (connect errors, 5xx, 429, timeouts): full-jitter backoff. */
  retry: z
    .object({
      maxAttempts: z.number().int().min(1).max(20).default(retryDefaults.maxAttempts),
      baseMs: ms(60_000).min(1).default(retryDefaults.baseMs),
      maxMs: ms(600_000).min(1).default(retryDefaults.maxMs),
    })
    .default(retryDefaults),
  /** The payments→gateway circuit breaker (opossum). */
  breaker: z
    .object({
      errorThresholdPercentage: z.number().min(1).max(100).default(breakerDefaults.errorThresholdPercentage),
      volumeThreshold: z.number().int().min(1).max(10_000).default(breakerDefaults.volumeThreshold),
      rollingWindowMs: ms(600_000).min(100).default(breakerDefaults.rollingWindowMs),
      /** Open this long, then one probe call is let through (half-open). */
      resetTimeoutMs: ms(600_000).min(1).default(breakerDefaults.resetTimeoutMs),
    })
    .default(breakerDefaults),
  /** The piscina threads of the fraud score (request signing runs inline: one HMAC is ~7 µs). */
  workers: z
    .object({
      minThreads: z.number().int().min(1).max(64).default(workerDefaults.minThreads),
      maxThreads: z.number().int().min(1).max(64).default(workerDefaults.maxThreads),
      /** sha256 rounds of the fraud score (its CPU cost). */
      fraudRounds: z.number().int().min(1).max(1_000_000).default(workerDefaults.fraudRounds),
      /** Scores at or above it are DECLINED with reason fraud_suspected, without calling the gateway. */
      fraudThreshold: z.number().min(0).max(1).default(workerDefaults.fraudThreshold),
    })
    .refine((w) => w.maxThreads >= w.minThreads, { path: ['maxThreads'], message: 'must be >= minThreads' })
    .default(workerDefaults),
  /** The background settler of PENDING payments and refunds whose lease expired. */
  settler: z
    .object({
      intervalMs: ms(600_000).min(10).default(settlerDefaults.intervalMs),
      /** A lease must have been expired this long before the settler looks at the row. */
      graceMs: ms(600_000).default(settlerDefaults.graceMs),
      /**
       * A PENDING row the gateway has no record of is marked FAILED (gateway_no_record) once it is
       * this old; younger ones are left for a retry to re-send.
       */
      abandonAfterMs: ms(86_400_000).default(settlerDefaults.abandonAfterMs),
      batchSize: z.number().int().min(1).max(1_000).default(settlerDefaults.batchSize),
      lookupTimeoutMs: ms(60_000).min(1).default(settlerDefaults.lookupTimeoutMs),
    })
    .default(settlerDefaults),
  /** A lease lasts the call's remaining deadline plus this. */
  leaseMarginMs: ms(60_000).default(2_000),
  /** Time kept back from the deadline to record the outcome after the gateway answered. */
  answerMarginMs: ms(10_000).default(50),
  /** How often a duplicate call polls a PENDING row another call is driving. */
  pollMs: ms(10_000).min(1).default(25),
});
export type PaymentsSection = z.infer<typeof PaymentsSection>;

/** The config of one payments instance. */
export const PaymentsConfig = BaseConfig.extend({
  mysql: MysqlConfig,
  payments: PaymentsSection,
});
export type PaymentsConfig = z.infer<typeof PaymentsConfig>;
