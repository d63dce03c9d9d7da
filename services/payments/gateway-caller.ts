import type { Breaker } from './breaker.js';
import type { GatewayCharge, GatewayClient, GatewayRefund } from './gateway-client.js';
import type { GatewayAnswer } from './gateway-failure.js';
import { withRetries, type RetryExhausted, type RetryPolicy } from './retry.js';

/** When a gateway call must be over, and who may cancel it. */
export interface CallBudget {
  /** Absolute deadline (epoch ms) for every attempt and wait. */
  deadline: number;
  signal?: AbortSignal;
}

/** A call's end: a definitive answer, or retries exhausted without one. */
export type CallResult<T> = { ok: true; value: T } | RetryExhausted;

/**
 * Calls to the gateway as payments makes them: through the circuit breaker, each attempt bounded
 * by attemptTimeoutMs, retryable failures retried with full-jitter backoff, all within the
 * caller's deadline. Every retry of a create re-sends the same idempotency key, so it is safe.
 */
export class GatewayCaller {
  constructor(
    private readonly client: GatewayClient,
    readonly breaker: Breaker,
    private readonly opts: { retry: RetryPolicy; attemptTimeoutMs: number; random?: () => number },
  ) {}

  charge(
    key: string,
    p: Parameters<GatewayClient['createCharge']>[1],
    budget: CallBudget,
  ): Promise<CallResult<GatewayAnswer<GatewayCharge>>> {
    return this.retry(
      (timeoutMs) => this.client.createCharge(key, p, { timeoutMs, signal: budget.signal }),
      budget,
    );
  }

  refund(
    key: string,
    p: Parameters<GatewayClient['createRefund']>[1],
    budget: CallBudget,
  ): Promise<CallResult<GatewayAnswer<GatewayRefund>>> {
    return this.retry(
      (timeoutMs) => this.client.createRefund(key, p, { timeoutMs, signal: budget.signal }),
      budget,
    );
  }

  /** Asks the gateway what it recorded under a charge key (undefined: nothing). */
  findCharge(key: string, budget: CallBudget): Promise<CallResult<GatewayCharge | undefined>> {
    return this.retry(
      (timeoutMs) => this.client.findChargeByKey(key, { timeoutMs, signal: budget.signal }),
      budget,
    );
  }

  findRefund(key: string, budget: CallBudget): Promise<CallResult<GatewayRefund | undefined>> {
    return this.retry(
      (timeoutMs) => this.client.findRefundByKey(key, { timeoutMs, signal: budget.signal }),
      budget,
    );
  }

  private retry<T>(attempt: (timeoutMs: number) => Promise<T>, budget: CallBudget): Promise<CallResult<T>> {
    return withRetries(attempt, {
      policy: this.opts.retry,
      deadline: budget.deadline,
      attemptTimeoutMs: this.opts.attemptTimeoutMs,
      guard: (fn) => this.breaker.run(fn),
      signal: budget.signal,
      random: this.opts.random,
    });
  }
}
