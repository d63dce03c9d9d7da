import { status as Status } from '@grpc/grpc-js';
import { isServiceError } from '../../platform/grpc/status.js';

/**
 * What a failed downstream call means for the saga:
 * - `not-sent`: certainly not applied (breaker open, overloaded, conflict): just retry;
 * - `ambiguous`: may have been applied (deadline, connection lost, internal error): re-ask the
 *   dependency what happened before deciding;
 * - `definitive`: the dependency refused the request (bad argument, precondition, not found).
 */
export type CallFailure = 'not-sent' | 'ambiguous' | 'definitive';

const NOT_SENT = new Set<Status>([Status.RESOURCE_EXHAUSTED, Status.ABORTED]);
const DEFINITIVE = new Set<Status>([
  Status.INVALID_ARGUMENT,
  Status.NOT_FOUND,
  Status.ALREADY_EXISTS,
  Status.FAILED_PRECONDITION,
  Status.PERMISSION_DENIED,
  Status.UNAUTHENTICATED,
  Status.OUT_OF_RANGE,
  Status.UNIMPLEMENTED,
]);

/** Classifies an error thrown by a downstream call (possibly through a breaker). */
export function classify(err: unknown): CallFailure {
  if ((err as { name?: unknown } | null)?.name === 'BreakerOpenError') return 'not-sent';
  if (!isServiceError(err)) return 'ambiguous';
  if (NOT_SENT.has(err.code)) return 'not-sent';
  if (DEFINITIVE.has(err.code)) return 'definitive';
  return 'ambiguous';
}

/** The gRPC code of a downstream error, if it is one. */
export function codeOf(err: unknown): Status | undefined {
  return isServiceError(err) ? err.code : undefined;
}

/** Does this error say the dependency is unhealthy (what opens a breaker)? */
export function countsAsFailure(err: unknown): boolean {
  if (!isServiceError(err)) return true;
  return (
    err.code === Status.UNAVAILABLE ||
    err.code === Status.DEADLINE_EXCEEDED ||
    err.code === Status.INTERNAL ||
    err.code === Status.UNKNOWN ||
    err.code === Status.RESOURCE_EXHAUSTED
  );
}

/** A short description of a downstream error for saga events (never the request). */
export function describeError(err: unknown): string {
  if (isServiceError(err)) return `${Status[err.code]}: ${err.details}`.slice(0, 300);
  return (err instanceof Error ? err.message : String(err)).slice(0, 300);
}
