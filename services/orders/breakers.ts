import CircuitBreaker from 'opossum';
import { Gauge, type Registry } from 'prom-client';
import { countsAsFailure } from './call-errors.js';
import type { BreakerConfig } from './config.js';

/** The dependencies a saga calls, each behind its own breaker. */
export type Target = 'inventory' | 'payments';

/** Breaker states as the gauge reports them. */
export const BREAKER_STATE = { closed: 0, halfOpen: 1, open: 2 } as const;

/** A circuit breaker around calls to one dependency. */
export interface Breaker {
  readonly target: Target;
  /** Runs `call` through the breaker; rejects with {@link BreakerOpenError} while open. */
  fire<T>(call: () => Promise<T>): Promise<T>;
  /**
   * Runs `call` only if the breaker is not open, without counting it in the statistics: for
   * re-asks (GetPayment, GetReservation) that would otherwise dilute the error rate of the
   * operations the breaker judges.
   */
  guard<T>(call: () => Promise<T>): Promise<T>;
  /** Open and not yet probing: new work must not start. */
  isOpen(): boolean;
  /** Milliseconds until the next half-open probe is allowed (0 when not open). */
  retryInMs(): number;
  stop(): void;
}

/** The call was not sent: the breaker is open (or half-open with its probe in flight). */
export class BreakerOpenError extends Error {
  constructor(readonly target: Target) {
    super(`${target} is unavailable (circuit breaker open)`);
    this.name = 'BreakerOpenError';
  }
}

/**
 * Creates a breaker (opossum) that opens when more than `errorThresholdPercentage` of the calls in
 * the rolling window failed with a failure-like error (unavailable, deadline exceeded, internal;
 * business answers such as NOT_FOUND or FAILED_PRECONDITION are healthy), probes once after
 * `resetTimeoutMs`, and reports its state on `ecom_breaker_state{target}` (0 closed, 1 half-open,
 * 2 open).
 */
export function createBreaker(target: Target, cfg: BreakerConfig, gauge: Gauge<'target'>): Breaker {
  const breaker = new CircuitBreaker((call: () => Promise<unknown>) => call(), {
    timeout: false,
    errorThresholdPercentage: cfg.errorThresholdPercentage,
    volumeThreshold: cfg.volumeThreshold,
    rollingCountTimeout: cfg.rollingWindowMs,
    rollingCountBuckets: 10,
    resetTimeout: cfg.resetTimeoutMs,
    errorFilter: (err: unknown) => !countsAsFailure(err),
    name: target,
  });
  let openedAt = 0;
  gauge.set({ target }, BREAKER_STATE.closed);
  breaker.on('open', () => {
    openedAt = Date.now();
    gauge.set({ target }, BREAKER_STATE.open);
  });
  breaker.on('halfOpen', () => gauge.set({ target }, BREAKER_STATE.halfOpen));
  breaker.on('close', () => gauge.set({ target }, BREAKER_STATE.closed));
  return {
    target,
    async fire<T>(call: () => Promise<T>): Promise<T> {
      try {
        return (await breaker.fire(call)) as T;
      } catch (err) {
        if ((err as { code?: unknown }).code === 'EOPENBREAKER') throw new BreakerOpenError(target);
        throw err;
      }
    },
    guard: <T>(call: () => Promise<T>) =>
      breaker.opened ? Promise.reject(new BreakerOpenError(target)) : call(),
    isOpen: () => breaker.opened,
    retryInMs: () => (breaker.opened ? Math.max(0, openedAt + cfg.resetTimeoutMs - Date.now()) : 0),
    stop: () => breaker.shutdown(),
  };
}

/** The breaker-state gauge, registered once per process. */
export function breakerGauge(registry: Registry): Gauge<'target'> {
  return new Gauge({
    name: 'ecom_breaker_state',
    help: 'Circuit breaker state per target: 0 closed, 1 half-open, 2 open',
    labelNames: ['target'],
    registers: [registry],
  });
}
