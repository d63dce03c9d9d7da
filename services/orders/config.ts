import { z } from 'zod';
import { BaseConfig } from '../../platform/config.js';
import { RateLimitSpec } from '../../platform/ratelimit.js';

const ms = (max: number) => z.number().int().min(1).max(max);

/** One circuit breaker's tuning (opossum options). */
export const BreakerConfig = z.object({
  /** Open when more than this % of calls in the rolling window failed. */
  errorThresholdPercentage: z.number().min(1).max(100).default(50),
  /** Calls needed in the window before the error rate can open the breaker. */
  volumeThreshold: z.number().int().min(1).max(10_000).default(20),
  /** The rolling statistics window. */
  rollingWindowMs: ms(600_000).default(10_000),
  /** How long the breaker stays open before letting one probe call through (half-open). */
  resetTimeoutMs: ms(600_000).default(3_000),
});
export type BreakerConfig = z.infer<typeof BreakerConfig>;

const breakerDefaults = {
  errorThresholdPercentage: 50,
  volumeThreshold: 20,
  rollingWindowMs: 10_000,
  resetTimeoutMs: 3_000,
};

const perUserDefault = { points: 50, durationSeconds: 1, blockSeconds: 0, failMode: 'open' as const };
const perAddressDefault = { points: 2_000, durationSeconds: 1, blockSeconds: 0, failMode: 'open' as const };

/** The orders service's own config section. */
export const OrdersSection = z
  .object({
    /** Require an access token on every call (the auth interceptor); false only for saga-only tests. */
    requireAuth: z.boolean().default(true),
    /** Deadline of each call to inventory or payments made by a saga. */
    callDeadlineMs: ms(60_000).default(3_000),
    /** How long a saga runner's claim on an order lasts; renewed every third of it. */
    leaseMs: ms(600_000).default(10_000),
    /** How often each instance looks for orders whose runner's lease expired (crashed instances). */
    recoveryIntervalMs: ms(600_000).default(1_000),
    /** Orders adopted per recovery sweep. */
    recoveryBatch: z.number().int().min(1).max(1_000).default(50),
    /**
     * How long the forward part of a saga (reserve, charge) keeps retrying an unavailable
     * dependency before it gives up and compensates. Commit and compensation never give up.
     */
    forwardBudgetMs: ms(3_600_000).default(20_000),
    retryBaseMs: ms(60_000).default(50),
    retryMaxMs: ms(600_000).default(2_000),
    /**
     * Most concurrent Reserve calls the inventory client sends together as one ReserveMany
     * (client-side group commit); 1 sends each Reserve on its own.
     */
    coalesceReserves: z.number().int().min(1).max(1_000).default(64),
    /** Reservation hold asked of inventory (0 = inventory's default). */
    reservationTtlSeconds: z.number().int().min(0).max(86_400).default(0),
    /**
     * PlaceOrder and CancelOrder answer at least this long (and 10% of the deadline, up to 500 ms)
     * before the call's deadline with the order as it is (PENDING if unfinished).
     */
    answerMarginMs: ms(10_000).default(50),
    /**
     * Admission control: new orders this instance accepts while this many sagas (and PlaceOrder
     * calls not yet in a saga) are in progress are refused at once — UNAVAILABLE, nothing done —
     * instead of queueing until every caller times out (goodput collapse under overload).
     */
    maxInProgress: z.number().int().min(1).max(100_000).default(32),
    /** Cancelling a CONFIRMED order returns its sold units to available stock (inventory Adjust). */
    restockOnCancel: z.boolean().default(true),
    /** Read-your-writes: how long a read may wait for the replica to reach the caller's GTID. */
    replicaWaitMs: ms(10_000).default(200),
    breakers: z
      .object({
        inventory: BreakerConfig.default(breakerDefaults),
        payments: BreakerConfig.default(breakerDefaults),
      })
      .default({ inventory: breakerDefaults, payments: breakerDefaults }),
    /**
     * PlaceOrder limits in Redis, shared by every instance: per user and per client address; null
     * disables one. Both fail open: with Redis down, orders keep flowing (they are authenticated
     * and idempotent) rather than the shop going dark.
     */
    rateLimit: z
      .object({
        perUser: RateLimitSpec.nullable().default(perUserDefault),
        perAddress: RateLimitSpec.nullable().default(perAddressDefault),
      })
      .default({ perUser: perUserDefault, perAddress: perAddressDefault }),
  })
  .refine((o) => o.leaseMs >= 2 * o.callDeadlineMs, {
    // A runner must be able to finish a downstream call well inside its lease, or a successor could
    // act on the order while the call is still landing.
    path: ['leaseMs'],
    message: 'must be at least twice orders.callDeadlineMs',
  });
export type OrdersSection = z.infer<typeof OrdersSection>;

/** The config of one orders instance. */
export const OrdersConfig = BaseConfig.extend({
  orders: OrdersSection.default(OrdersSection.parse({})),
});
export type OrdersConfig = z.infer<typeof OrdersConfig>;
