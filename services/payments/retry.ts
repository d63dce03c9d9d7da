import { GatewayFailure } from './gateway-failure.js';

/** Retries with exponential backoff and full jitter. */
export interface RetryPolicy {
  maxAttempts: number;
  baseMs: number;
  maxMs: number;
}

/** Full jitter (AWS architecture blog): uniform in [0, min(maxMs, baseMs · 2^attempt)). */
export function fullJitterDelay(attempt: number, policy: RetryPolicy, random: () => number): number {
  return random() * Math.min(policy.maxMs, policy.baseMs * 2 ** attempt);
}

/** How a retried call ended when no attempt got a definitive answer. */
export interface RetryExhausted {
  ok: false;
  /** The last failure. */
  failure: GatewayFailure;
  /** Some attempt may have reached the gateway and been processed. */
  maybeSent: boolean;
  attempts: number;
}

export interface RetryOptions {
  policy: RetryPolicy;
  /** Absolute time (epoch ms) by which everything, waits included, must be over. */
  deadline: number;
  /** Longest single attempt. */
  attemptTimeoutMs: number;
  /** Runs one attempt (the circuit breaker). */
  guard: <T>(fn: () => Promise<T>) => Promise<T>;
  signal?: AbortSignal;
  now?: () => number;
  random?: () => number;
}

/** Attempts shorter than this are not started. */
const MIN_ATTEMPT_MS = 10;

/**
 * Runs `attempt` until it resolves, retrying only retryable {@link GatewayFailure}s (connect
 * errors, 5xx, 429, timeouts), with full-jitter backoff, never past the deadline. Anything else
 * thrown is rethrown.
 */
export async function withRetries<T>(
  attempt: (timeoutMs: number) => Promise<T>,
  opts: RetryOptions,
): Promise<{ ok: true; value: T } | RetryExhausted> {
  const now = opts.now ?? Date.now;
  const random = opts.random ?? Math.random;
  let maybeSent = false;
  let failure = new GatewayFailure('timeout', 'no time left for an attempt before the deadline');
  let attempts = 0;
  while (attempts < opts.policy.maxAttempts) {
    const remaining = opts.deadline - now();
    if (remaining < MIN_ATTEMPT_MS || opts.signal?.aborted) break;
    attempts++;
    try {
      return { ok: true, value: await opts.guard(() => attempt(Math.min(opts.attemptTimeoutMs, remaining))) };
    } catch (err) {
      if (!(err instanceof GatewayFailure)) throw err;
      failure = err;
      maybeSent ||= err.maybeSent;
      if (!err.retryable) break;
    }
    if (attempts >= opts.policy.maxAttempts) break;
    const delay = fullJitterDelay(attempts - 1, opts.policy, random);
    if (now() + delay + MIN_ATTEMPT_MS > opts.deadline) break;
    await sleep(delay, opts.signal);
  }
  return { ok: false, failure, maybeSent, attempts };
}

function sleep(ms: number, signal?: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    const timer = setTimeout(done, ms);
    function done() {
      clearTimeout(timer);
      signal?.removeEventListener('abort', done);
      resolve();
    }
    signal?.addEventListener('abort', done, { once: true });
  });
}
