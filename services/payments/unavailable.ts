import { status as Status } from '@grpc/grpc-js';
import { DomainError } from '../../platform/errors.js';

/**
 * The trailer an UNAVAILABLE from Charge or Refund carries, saying what it means for the money:
 * `none` — nothing was sent to the gateway (breaker open, gateway unreachable): no row was kept;
 * `unknown` — the gateway may have processed it: the row is PENDING until settled. Either way a
 * retry with the same idempotency_key is safe.
 */
export const OUTCOME_TRAILER = 'payment-outcome';

/** UNAVAILABLE: nothing reached the gateway and nothing was recorded. */
export function nothingSent(message: string): DomainError {
  return new DomainError(Status.UNAVAILABLE, message, { [OUTCOME_TRAILER]: 'none' });
}

/** UNAVAILABLE: the outcome is not known yet; the row stays PENDING until it is settled. */
export function outcomeUnknown(message: string): DomainError {
  return new DomainError(Status.UNAVAILABLE, message, { [OUTCOME_TRAILER]: 'unknown' });
}
