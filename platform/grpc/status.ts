import { Metadata, status as Status, type ServiceError } from '@grpc/grpc-js';
import { DomainError } from '../errors.js';

/** What a handler failure becomes on the wire. */
export interface WireError {
  code: Status;
  details: string;
  metadata: Metadata;
  /** True when the cause was not a {@link DomainError}: a bug or an unexpected dependency failure. */
  unexpected: boolean;
}

/** Is this a gRPC ServiceError received from a downstream call? */
export function isServiceError(err: unknown): err is ServiceError {
  return (
    err instanceof Error &&
    typeof (err as Partial<ServiceError>).code === 'number' &&
    (err as Partial<ServiceError>).metadata instanceof Metadata
  );
}

/** Codes a downstream call may return that we pass through unchanged to our own caller. */
const PASS_THROUGH = new Set<Status>([
  Status.DEADLINE_EXCEEDED,
  Status.UNAVAILABLE,
  Status.RESOURCE_EXHAUSTED,
  Status.CANCELLED,
]);

/**
 * The single error-to-status mapping. Domain errors keep their code and message; a downstream
 * deadline or unavailability passes through; anything else is INTERNAL with a generic message
 * (the cause is logged, never sent: it may carry SQL or secrets).
 */
export function toWireError(err: unknown): WireError {
  const metadata = new Metadata();
  if (err instanceof DomainError) {
    for (const [k, v] of Object.entries(err.details)) metadata.set(k, v);
    return { code: err.code, details: err.message, metadata, unexpected: false };
  }
  if (isServiceError(err) && PASS_THROUGH.has(err.code)) {
    return { code: err.code, details: `downstream: ${err.details}`, metadata, unexpected: false };
  }
  if (isMysqlLockError(err)) {
    return { code: Status.ABORTED, details: 'concurrent update, retry', metadata, unexpected: false };
  }
  return { code: Status.INTERNAL, details: 'internal error', metadata, unexpected: true };
}

/** Deadlocks and lock-wait timeouts are retryable conflicts, not bugs. */
function isMysqlLockError(err: unknown): boolean {
  const code = (err as { code?: unknown } | null)?.code;
  return code === 'ER_LOCK_DEADLOCK' || code === 'ER_LOCK_WAIT_TIMEOUT';
}
