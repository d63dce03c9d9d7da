import { z } from 'zod';
import { Duration } from './duration.js';

/** The operations a scenario can mix (the thin client layer implements each). */
export const OPERATIONS = ['place-order', 'get-stock', 'get-order', 'cancel-order', 'login'] as const;
export type OpName = (typeof OPERATIONS)[number];

const share = z.number().min(0).max(1);

/** How buyers pick SKUs. */
export const Popularity = z.discriminatedUnion('kind', [
  z.object({ kind: z.literal('uniform') }),
  /** Zipf over the catalogue: the k-th SKU is chosen with weight 1/k^exponent. */
  z.object({ kind: z.literal('zipf'), exponent: z.number().positive().max(5).default(1.1) }),
  /** One hot SKU takes `share` of the orders; the rest are uniform. */
  z.object({ kind: z.literal('hot'), share: share.default(1) }),
]);

const Stage = z.object({ target: z.number().min(0).max(100_000), duration: Duration });

/** k6's executors: open model (arrival rate) and closed model (VUs). */
export const Executor = z.discriminatedUnion('type', [
  z.object({
    type: z.literal('constant-arrival-rate'),
    /** Iterations started per second. */
    rate: z.number().positive().max(100_000),
    duration: Duration,
    /** Most iterations in flight at once; an arrival beyond it is dropped (and counted). */
    maxInFlight: z.number().int().min(1).max(100_000).default(1_000),
  }),
  z.object({
    type: z.literal('ramping-arrival-rate'),
    startRate: z.number().min(0).max(100_000).default(0),
    /** The rate moves linearly to each stage's target over its duration. */
    stages: z.array(Stage).min(1).max(100),
    maxInFlight: z.number().int().min(1).max(100_000).default(1_000),
  }),
  z.object({
    type: z.literal('constant-vus'),
    /** Virtual users, each running iterations back to back (closed model). */
    vus: z.number().int().min(1).max(10_000),
    duration: Duration,
  }),
]);
export type Executor = z.output<typeof Executor>;

/**
 * A traffic scenario: what to seed, who buys what, how payment outcomes are distributed, which
 * operations run in which proportions, at what arrival rate, and which thresholds must hold.
 */
export const Scenario = z
  .object({
    name: z.string().regex(/^[a-z0-9][a-z0-9-]{0,63}$/, 'lower-case letters, digits and -'),
    description: z.string().max(500).default(''),
    catalogue: z.object({
      skus: z.number().int().min(1).max(100_000),
      warehouses: z.number().int().min(1).max(50).default(3),
      /** Units of each SKU, spread evenly across the warehouses. */
      stockPerSku: z.number().int().min(0).max(10_000_000),
      priceMinor: z.number().int().min(1).max(100_000_000).default(1_999),
      currency: z
        .string()
        .regex(/^[A-Z]{3}$/, 'an ISO 4217 code such as EUR')
        .default('EUR'),
    }),
    users: z.object({ count: z.number().int().min(1).max(1_000_000) }),
    popularity: Popularity.default({ kind: 'uniform' }),
    /** Units per order line, uniform in [min, max]; lines per order in [1, linesMax]. */
    quantity: z
      .object({
        min: z.number().int().min(1).max(10_000).default(1),
        max: z.number().int().min(1).max(10_000).default(1),
      })
      .default({ min: 1, max: 1 })
      .refine((q) => q.max >= q.min, { message: 'max must be ≥ min' }),
    linesMax: z.number().int().min(1).max(50).default(1),
    /** Shares of orders whose payment token asks the gateway for a decline, a timeout or a 5xx. */
    payments: z
      .object({ decline: share.default(0), timeout: share.default(0), error: share.default(0) })
      .default({ decline: 0, timeout: 0, error: 0 })
      .refine((p) => p.decline + p.timeout + p.error <= 1, {
        message: 'decline + timeout + error must be ≤ 1',
      }),
    /** Relative weights of the operations. */
    mix: z
      .partialRecord(z.enum(OPERATIONS), z.number().min(0))
      .refine((m) => Object.values(m).some((w) => (w ?? 0) > 0), {
        message: 'at least one operation needs a weight > 0',
      }),
    executor: Executor,
    /** Expressions such as "p99<200ms", "place-order.p95<300ms", "errors<1%", "confirmed>0". */
    thresholds: z.array(z.string()).default([]),
    /** Per-call deadline of the client. */
    timeout: Duration.default(5_000),
  })
  .strict();
export type ScenarioInput = z.input<typeof Scenario>;
export type Scenario = z.output<typeof Scenario>;

/** Total run time of an executor in ms. */
export function executorDurationMs(e: Executor): number {
  if (e.type === 'ramping-arrival-rate') return e.stages.reduce((a, s) => a + s.duration, 0);
  return e.duration;
}
