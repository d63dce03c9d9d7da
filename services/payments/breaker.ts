import CircuitBreaker from 'opossum';
import { Counter, Gauge, type Registry } from 'prom-client';
import type { Logger } from '../../platform/logger.js';
import { GatewayFailure } from './gateway-failure.js';

/** Tuning of the breaker (opossum options under clearer names). */
export interface BreakerOptions {
  errorThresholdPercentage: number;
  volumeThreshold: number;
  rollingWindowMs: number;
  resetTimeoutMs: number;
}

export type BreakerState = 'closed' | 'half_open' | 'open';

/** A circuit breaker around calls to one dependency. */
export interface Breaker {
  /** Runs `fn` through the breaker; rejects with GatewayFailure('breaker_open') while open. */
  run<T>(fn: () => Promise<T>): Promise<T>;
  /** True when a call now would be refused without being attempted (open, or half-open with its probe out). */
  refusing(): boolean;
  state(): BreakerState;
  stop(): Promise<void>;
}

const STATE_VALUE: Record<BreakerState, number> = { closed: 0, half_open: 1, open: 2 };

/**
 * An opossum breaker: opens when the failure rate (thrown errors: 5xx, timeouts, connect errors;
 * not declines, which resolve) in the rolling window passes the threshold, lets one probe through
 * after resetTimeoutMs (half-open) and closes when it succeeds. State is exported as the gauge
 * `ecom_breaker_state{target}` (0 closed, 1 half-open, 2 open).
 */
export function createBreaker(
  target: string,
  opts: BreakerOptions,
  deps: { registry: Registry; logger: Logger },
): Breaker {
  const cb = new CircuitBreaker((fn: () => Promise<unknown>) => fn(), {
    name: target,
    timeout: false,
    errorThresholdPercentage: opts.errorThresholdPercentage,
    volumeThreshold: opts.volumeThreshold,
    rollingCountTimeout: opts.rollingWindowMs,
    rollingCountBuckets: 10,
    resetTimeout: opts.resetTimeoutMs,
    // Our own caller giving up says nothing about the gateway's health.
    errorFilter: (err: unknown) => err instanceof GatewayFailure && err.kind === 'cancelled',
  });
  const state = (): BreakerState => (cb.opened ? 'open' : cb.halfOpen ? 'half_open' : 'closed');
  const gauge = new Gauge({
    name: 'ecom_breaker_state',
    help: 'Circuit breaker state by target: 0 closed, 1 half-open, 2 open',
    labelNames: ['target'],
    registers: [deps.registry],
  });
  const transitions = new Counter({
    name: 'ecom_breaker_transitions_total',
    help: 'Circuit breaker state changes by target and new state',
    labelNames: ['target', 'to'],
    registers: [deps.registry],
  });
  const rejected = new Counter({
    name: 'ecom_breaker_rejected_total',
    help: 'Calls refused without being attempted because the breaker was open',
    labelNames: ['target'],
    registers: [deps.registry],
  });
  gauge.set({ target }, 0);
  const changed = (to: BreakerState) => () => {
    gauge.set({ target }, STATE_VALUE[to]);
    transitions.inc({ target, to });
    deps.logger.warn({ breaker: target, state: to }, 'circuit breaker state changed');
  };
  cb.on('open', changed('open'));
  cb.on('halfOpen', changed('half_open'));
  cb.on('close', changed('closed'));
  cb.on('reject', () => rejected.inc({ target }));

  return {
    async run<T>(fn: () => Promise<T>): Promise<T> {
      try {
        return (await cb.fire(fn)) as T;
      } catch (err) {
        if ((err as { code?: string }).code === 'EOPENBREAKER') {
          throw new GatewayFailure('breaker_open', `circuit breaker to ${target} is open`);
        }
        throw err;
      }
    },
    refusing: () => !cb.closed && !cb.pendingClose,
    state,
    stop: async () => {
      cb.shutdown();
    },
  };
}
